#!/usr/bin/env bash
# What pii_redaction costs in the full pipeline of config/local.yaml without tail sampling (tenant
# stamping, consent, pii_redaction, span_metrics, telemetry_storage into a fresh embedded ClickHouse
# engine): the same binary and the same contrib telemetrygen load, side by side, once as shipped
# ("full") and once with pii_redaction taken out of traces/red and traces/consent ("bare"). Both drop the
# traces/sampling processors (--set ...traces/sampling::processors=[]).
#
#   make build && bench/piiredaction/pipeline.sh
#
# BENCH_DURATION (default 15s) unthrottled, BENCH_WORKERS=4, traces of 1 + BENCH_CHILD_SPANS=3 spans,
# BENCH_BATCH_SIZE=1000 spans per request, BENCH_ROUNDS=2 alternating bare/full rounds. The load is
# telemetrygen's own spans; with BENCH_PII_ATTRS=1 every span also carries a raw-path http.route, a
# url.full with an identifier query parameter and a client address, so the structural route check
# and the detectors change every span (the bare pipeline does none of that). Output: spans/s accepted
# and collector CPU (user+system, /proc/PID/stat) per 1000 spans from the load's start until drained,
# and the full/bare ratio of the CPU per span. telemetrygen is installed into _build/tools on first use.
#
# BENCH_POLICIES=1000 compares instead the full pipeline as shipped ("single": the operator's YAML is
# every tenant's policy) with the same after BENCH_POLICIES tenants' privacy policies were PUT through
# /api/v1/telemetry/privacy/policy ("policies": tenants t1..tN plus the load's own tenant, each with
# its own pii_fields and purpose mapping, so pii_redaction and consent look up and apply a tenant
# policy for every resource); prints the policies/single ratio of the CPU per span.
# BENCH_PROFILE=DIR saves a CPU profile of each row's collector during the load as DIR/NAME.pprof.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
duration=${BENCH_DURATION:-15s}
workers=${BENCH_WORKERS:-4}
batch=${BENCH_BATCH_SIZE:-1000}
children=${BENCH_CHILD_SPANS:-3}
rounds=${BENCH_ROUNDS:-2}

start_engine

key="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
otlp= selfm= api=
start() { # start NAME [collector args...]
  local name=$1; shift
  otlp=127.0.0.1:$(freeport) selfm=127.0.0.1:$(freeport) api=127.0.0.1:$(freeport)
  env TELEMETRY_API_KEY="$key" TELEMETRY_HASH_KEY="bench-hash-key-0123456789abcdef0123456789" \
    TELEMETRY_CLICKHOUSE_ENDPOINT="http://127.0.0.1:$eport" TELEMETRY_CLICKHOUSE_DATABASE="bench_${name//-/_}" \
    TELEMETRY_OTLP_GRPC_ENDPOINT="$otlp" TELEMETRY_OTLP_HTTP_ENDPOINT="127.0.0.1:$(freeport)" \
    TELEMETRY_API_ENDPOINT="$api" TELEMETRY_PROMETHEUS_ENDPOINT="127.0.0.1:$(freeport)" \
    TELEMETRY_HEALTH_ENDPOINT="127.0.0.1:$(freeport)" TELEMETRY_SELF_METRICS_ENDPOINT="$selfm" \
    TELEMETRY_QUEUE_DIRECTORY="$work/queue-$name" \
    TELEMETRY_BATCH_SIZE=5000 TELEMETRY_FLUSH_INTERVAL=1 \
    "$collector" --config config/local.yaml '--set=service::pipelines::traces/sampling::processors=[]' "$@" >"$work/$name.log" 2>&1 &
  col_pid=$!
  for _ in $(seq 300); do
    curl -fs "http://$selfm/metrics" 2>/dev/null | grep -q '^otelcol_process_uptime' && return 0
    kill -0 "$col_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "collector $name did not start:" >&2; tail -20 "$work/$name.log" >&2; exit 1
}
stop() { kill "$col_pid"; wait "$col_pid" 2>/dev/null || true; col_pid=; }
metric() { curl -fs "http://$selfm/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $NF} END {printf "%.0f", s}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$col_pid/stat"; }
extra=()
if [[ -n ${BENCH_PII_ATTRS:-} ]]; then
  extra=(--telemetry-attributes 'http.route="/api/v1/users/4711/orders/123456"'
    --telemetry-attributes 'url.full="https://shop.example.com/api/v1/orders/123456?user_id=u-555&page=2"'
    --telemetry-attributes 'client.address="203.0.113.77"')
fi
load() {
  "$tgen" traces --otlp-endpoint "$otlp" --otlp-insecure --otlp-header "Authorization=\"Bearer $key\"" \
    --workers "$workers" --duration "$1" --rate 0 --child-spans "$children" --batch-size "$batch" --service bench \
    "${extra[@]}" >>"$work/tgen.log" 2>&1 ||
    { echo "telemetrygen failed:" >&2; tail -5 "$work/tgen.log" >&2; }
}
drained() {
  local last=-1 now
  for _ in $(seq 600); do
    now="$(metric otelcol_exporter_queue_size)/$(metric otelcol_exporter_sent_spans)"
    [[ $now == "0/"* && $now == "$last" ]] && return 0
    last=$now; sleep 0.5
  done
}
# put_policies N: N tenants' policies and the load's tenant's, by the bootstrap (operator) key.
put_policies() {
  local n=$1 url="http://$api/api/v1/telemetry/privacy/policy"
  policy() { printf '{"pii_fields":["loyalty_no_%s"],"purposes":{"traces":"performance","event_prefixes":[{"prefix":"t%s.","purpose":"analytics"}]}}' "$1" "$1"; }
  export -f policy; export url key
  # The fleet store's table comes with the storage exporter's schema migration, shortly after start.
  for _ in $(seq 120); do
    curl -fs -o /dev/null -X PUT -H "Authorization: Bearer $key" -H "Content-Type: application/json" --data "$(policy 0)" "$url" && break
    sleep 0.5
  done
  seq "$n" | xargs -P 4 -I{} bash -c 'curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $key" -H "Content-Type: application/json" --data "$(policy {})" "$url?tenant=t{}"' ||
    { echo "PUT /privacy/policy failed" >&2; grep -h -i "error" "$work"/policies-*.log | tail -5 >&2; exit 1; }
  sleep 6 # every collector applies a change within 5 s
  echo "  $(curl -fsS -H "Authorization: Bearer $key" "$url?tenant=t$n" | grep -o '"version":[^,}]*' | head -1) for t$n; policies PUT: $((n + 1))"
}
hz=$(getconf CLK_TCK)
secs=${duration%s}
declare -A cpu_sum=()
throughput() { # throughput NAME [collector args...]
  local name=$1; shift
  local pport= prof=
  if [[ -n ${BENCH_PROFILE:-} ]]; then # a CPU profile of the collector during the load (pprof extension)
    pport=$(freeport)
    pprof_args "$pport"
    set -- "$@" "${pprof[@]}"
  fi
  start "$name" "$@"
  [[ $name == policies-* ]] && put_policies "$BENCH_POLICIES"
  [[ $name == single-* ]] && sleep 6 # as long as the policies run settles after its PUTs
  local t0 a0; t0=$(cpu_ticks); a0=$(metric otelcol_receiver_accepted_spans)
  if [[ -n $pport ]]; then
    mkdir -p "$BENCH_PROFILE"
    curl -fs -o "$BENCH_PROFILE/$name.pprof" "http://127.0.0.1:$pport/debug/pprof/profile?seconds=$secs" &
    prof=$!
  fi
  load "$duration"
  drained
  [[ -n $prof ]] && wait "$prof"
  local t1 a1; t1=$(cpu_ticks); a1=$(metric otelcol_receiver_accepted_spans)
  local per; per=$(awk -v a=$((a1 - a0)) -v c=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.3f", 1000 * 1000 * c / hz / a }')
  awk -v n="$name" -v a=$((a1 - a0)) -v s="$secs" -v p="$per" 'BEGIN {
    printf "%-10s %10.0f spans/s  %8.1f ms CPU per 1000 spans\n", n, a / s, p }'
  cpu_sum[${name%%-*}]=$(awk -v x="${cpu_sum[${name%%-*}]:-0}" -v p="$per" 'BEGIN { print x + p }')
  stop
}

echo "otelcol-telemetry $("$collector" --version | awk '{print $NF}'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), telemetrygen v0.161.0, $workers workers, 1+$children spans per trace${BENCH_PII_ATTRS:+, PII attributes on every span}"
if [[ -n ${BENCH_POLICIES:-} ]]; then
  echo "tenant policies: $BENCH_POLICIES tenants' policies loaded vs none (full pipeline both)"
  for r in $(seq "$rounds"); do
    throughput "single-$r"
    throughput "policies-$r"
  done
  awk -v b="${cpu_sum[single]}" -v f="${cpu_sum[policies]}" 'BEGIN { printf "policies / single CPU per span: %.3fx\n", f / b }'
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
for r in $(seq "$rounds"); do
  throughput "bare-$r" '--set=service::pipelines::traces/red::processors=[consent/red]' \
    '--set=service::pipelines::traces/consent::processors=[consent]'
  throughput "full-$r"
done
awk -v b="${cpu_sum[bare]}" -v f="${cpu_sum[full]}" 'BEGIN { printf "full / bare CPU per span: %.3fx\n", f / b }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
