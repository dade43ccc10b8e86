#!/usr/bin/env bash
# What tail sampling costs in the full pipeline of config/local.yaml (tenant stamping, consent,
# pii_redaction, span_metrics, telemetry_storage into a fresh embedded ClickHouse engine): the same
# binary and the same contrib telemetrygen load, three ways, one after the other on one engine:
#   bare            --set=exporters::telemetry_storage::sampling::enabled=false (every span stored, no sampling)
#   in-clickhouse   as shipped: spans staged durably, decided and copied in ClickHouse (sampler.go)
#   contrib         contrib tail_sampling + batch/sampled as shipped before (contrib-tail-sampling.yaml)
#
#   make build && bench/sampling/run.sh                 # TELEMETRY_SAMPLE_RATE=1.0
#   BENCH_SAMPLE_RATE=0.1 bench/sampling/run.sh         # the shipped default
#
# Throughput runs (BENCH_DURATION, default 20s, unthrottled, BENCH_WORKERS=4 workers, traces of
# 1 + BENCH_CHILD_SPANS=3 spans, BENCH_BATCH_SIZE=1000 spans per request, decision wait 1s): spans/s
# accepted, collector and engine CPU (user+system, /proc/PID/stat) from the load's start until every
# kept span is in telemetry_spans, per 1000 spans accepted and per 1000 spans stored; then the ratios
# the issue names (collector CPU per stored span and throughput over bare). BENCH_RUNS (default 1)
# repeats the three rows, interleaved, so they share the machine's moment.
# BENCH_PROFILE=DIR saves a CPU profile of each throughput row's collector (load + 3 s) as DIR/NAME-ROUND.pprof.
# BENCH_CONFIG runs another configuration than config/local.yaml; BENCH_ONLY="NAME ..." runs only the
# rows named (bare, in-clickhouse, contrib; the memory rows mem-bare, mem-in-clickhouse, mem-contrib).
# ENGINE_ARGS are the engine's flags (--verbose logs every statement with its duration; with BENCH_KEEP=1
# the work directory, engine.log included, is kept).
# BENCH_RATE=SPANS_PER_SECOND throttles the throughput rows' load to that total (default 0: unthrottled),
# so rows compare at the same intake.
# Memory run: BENCH_MEMORY_TPS (default 10000) traces/s for TELEMETRY_SAMPLE_DECISION_WAIT
# (BENCH_DECISION_WAIT, default 10) + 5 s, each way: traces waiting for a decision, live Go heap (after
# a forced GC) and RSS while the load runs. telemetrygen is installed into _build/tools on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
duration=${BENCH_DURATION:-20s}
workers=${BENCH_WORKERS:-4}
batch=${BENCH_BATCH_SIZE:-1000}
children=${BENCH_CHILD_SPANS:-3}
rate=${BENCH_SAMPLE_RATE:-1.0}
mem_tps=${BENCH_MEMORY_TPS:-10000}
mem_wait=${BENCH_DECISION_WAIT:-10}
runs=${BENCH_RUNS:-1}
cfg=${BENCH_CONFIG:-config/local.yaml}
contrib_cfg=(--config "$cfg" --config bench/sampling/contrib-tail-sampling.yaml)
bare_args=(--config "$cfg" '--set=exporters::telemetry_storage::sampling::enabled=false')
shipped_args=(--config "$cfg")
[[ -n ${BENCH_KEEP:-} ]] && trap 'echo "logs kept in $work"; for p in $col_pid $engine_pid; do kill "$p" 2>/dev/null || true; done' EXIT

start_engine ${ENGINE_ARGS:-}

key="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
otlp= selfm=
# start NAME DECISION_WAIT [collector args...]: one collector on its own database and ports.
start() {
  local name=$1 wait=$2; shift 2
  db="bench_${name//-/_}"
  otlp=127.0.0.1:$(freeport) selfm=127.0.0.1:$(freeport)
  env TELEMETRY_API_KEY="$key" TELEMETRY_HASH_KEY="bench-hash-key-0123456789abcdef0123456789" \
    TELEMETRY_CLICKHOUSE_ENDPOINT="http://127.0.0.1:$eport" TELEMETRY_CLICKHOUSE_DATABASE="$db" \
    TELEMETRY_OTLP_GRPC_ENDPOINT="$otlp" TELEMETRY_OTLP_HTTP_ENDPOINT="127.0.0.1:$(freeport)" \
    TELEMETRY_API_ENDPOINT="127.0.0.1:$(freeport)" TELEMETRY_PROMETHEUS_ENDPOINT="127.0.0.1:$(freeport)" \
    TELEMETRY_HEALTH_ENDPOINT="127.0.0.1:$(freeport)" TELEMETRY_SELF_METRICS_ENDPOINT="$selfm" \
    TELEMETRY_QUEUE_DIRECTORY="$work/queue-$name" TELEMETRY_SAMPLE_RATE="$rate" \
    TELEMETRY_SAMPLE_DECISION_WAIT="$wait" TELEMETRY_SAMPLE_MAX_TRACES=1000000 \
    TELEMETRY_BATCH_SIZE=5000 TELEMETRY_FLUSH_INTERVAL=1 \
    "$collector" "$@" >"$work/$name.log" 2>&1 &
  col_pid=$!
  for _ in $(seq 300); do
    curl -fs "http://$selfm/metrics" 2>/dev/null | grep -q '^otelcol_process_uptime' && return 0
    kill -0 "$col_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "collector $name did not start:" >&2; tail -20 "$work/$name.log" >&2; exit 1
}
stop() { kill "$col_pid"; wait "$col_pid" 2>/dev/null || true; col_pid=; }
# metric NAME...: the sum of every series of each self-metric (0 when absent), "/"-separated, from one
# scrape (a scrape costs the collector ~1 ms of CPU, counted in its row).
metric() {
  curl -fs "http://$selfm/metrics" | awk -v names="$*" 'BEGIN {n = split(names, m, " ")}
    {for (i = 1; i <= n; i++) if ($1 ~ "^"m[i]"({|$)") s[i] += $NF}
    END {for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? "/" : ""), s[i]}'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/${1:-$col_pid}/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$col_pid/status"; }
load() { # load DURATION SPANS_PER_SECOND_PER_WORKER (telemetrygen's --rate counts spans, 0 = unthrottled)
  "$tgen" traces --otlp-endpoint "$otlp" --otlp-insecure --otlp-header "Authorization=\"Bearer $key\"" \
    --workers "$workers" --duration "$1" --rate "$2" --child-spans "$children" --batch-size "$batch" \
    --service bench >>"$work/tgen.log" 2>&1 || { echo "telemetrygen failed:" >&2; tail -5 "$work/tgen.log" >&2; }
}
db=
# sql QUERY: one value from the engine, in the database of the running collector.
sql() { curl -fs "http://127.0.0.1:$eport/?database=$db" --data-binary "$1"; }
stored_spans() { # (the collector may still be creating its tables right after start)
  local n
  for _ in $(seq 300); do n=$(sql "SELECT count() FROM telemetry_spans" 2>/dev/null) && [[ -n $n ]] && { echo "$n"; return; }; sleep 0.1; done
  echo 0
}
drained() { # the queue is empty, nothing waits in tail_sampling, and telemetry_spans stopped growing
  # for longer than a decision (1 s wait + 1 s settle + 1 s tick). Once the queue and tail_sampling
  # were seen empty (nothing enters either after the load), only the engine is polled: a scrape costs
  # the collector ~1 ms, which the row waiting longest for ClickHouse would otherwise pay most of.
  local last=-1 now since=0 probe="0/0"
  for _ in $(seq 1200); do
    [[ $probe == "0/0" && $last != -1 ]] || probe=$(metric otelcol_exporter_queue_size otelcol_processor_tail_sampling_sampling_traces_on_memory)
    now="$probe/$(stored_spans)"
    if [[ $now == "0/0/"* && $now == "$last" ]]; then
      since=$((since + 1)); ((since >= 8)) && return 0
    else since=0; fi
    last=$now; sleep 0.5
  done
}
hz=$(getconf CLK_TCK)
secs=${duration%s}

declare -A res
throughput() { # throughput NAME [collector args...]
  local name=$1; shift
  [[ -n ${BENCH_ONLY:-} && " $BENCH_ONLY " != *" $name "* ]] && return 0
  local pport= prof=
  if [[ -n ${BENCH_PROFILE:-} ]]; then # a CPU profile of the collector during the load (pprof extension)
    pport=$(freeport)
    pprof_args "$pport"
    set -- "$@" "${pprof[@]}"
  fi
  start "$name" 1 "$@"
  local t0 e0 a0 s0; t0=$(cpu_ticks); e0=$(cpu_ticks "$engine_pid"); a0=$(metric otelcol_receiver_accepted_spans); s0=$(stored_spans)
  if [[ -n $pport ]]; then
    mkdir -p "$BENCH_PROFILE"
    curl -fs -o "$BENCH_PROFILE/$name-$round.pprof" "http://127.0.0.1:$pport/debug/pprof/profile?seconds=$((secs + 3))" &
    prof=$!
  fi
  load "$duration" "$((${BENCH_RATE:-0} / workers))"
  local tl sd; tl=$(cpu_ticks); sd=$SECONDS
  drained
  [[ -n $prof ]] && wait "$prof"
  local t1 e1 a1 stored; t1=$(cpu_ticks)
  local drain_ms=$(( (t1 - tl) * 1000 / hz )) drain_s=$(( SECONDS - sd )); e1=$(cpu_ticks "$engine_pid"); a1=$(metric otelcol_receiver_accepted_spans); stored=$(( $(stored_spans) - s0 ))
  local line
  line=$(awk -v n="$name" -v a=$((a1 - a0)) -v c=$((t1 - t0)) -v e=$((e1 - e0)) -v hz="$hz" -v s="$secs" -v st="$stored" 'BEGIN {
    if (st < 1) st = 1
    printf "%-14s %8.0f spans/s  collector %6.1f ms/1000 accepted %6.1f ms/1000 stored  engine %6.1f ms/1000 accepted  %9d stored|%f|%f|%f\n",
      n, a / s, 1e6 * c / hz / a, 1e6 * c / hz / st, 1e6 * e / hz / a, st, a / s, 1e6 * c / hz / st, 1e6 * c / hz / a }')
  echo "${line%%|*}  (collector ${drain_ms} ms in the ${drain_s} s after the load)"
  res[$name]=${line#*|}
  stop
}
# ratios NAME: the issue's figures of NAME against the bare row of the same round.
ratios() {
  [[ -n ${res[bare]:-} && -n ${res[$1]:-} ]] || return 0
  local b=${res[bare]} r=${res[$1]}
  awk -v n="$1" -v b="$b" -v r="$r" -v rate="$rate" 'BEGIN {
    split(b, x, "|"); split(r, y, "|")
    printf "  %-14s collector CPU per stored span %.2fx bare, per received span %.2fx bare, throughput %.2fx bare (rate %s)\n",
      n, y[2] / x[2], y[3] / x[3], y[1] / x[1], rate }'
}

base_heap=0
# live_heap PORT: the Go heap left after a forced GC (pprof gc=1, twice: pooled objects survive one),
# without the garbage that otelcol_process_runtime_heap_alloc_bytes includes.
live_heap() {
  local h
  for _ in 1 2; do h=$(curl -fs "http://127.0.0.1:$1/debug/pprof/heap?gc=1&debug=1" | awk '/^# HeapAlloc = /{print $4}'); done
  echo "$h"
}
memory() { # memory NAME [collector args...]
  local name=$1; shift
  [[ -n ${BENCH_ONLY:-} && " $BENCH_ONLY " != *" $name "* ]] && return 0
  local pport; pport=$(freeport)
  pprof_args "$pport"
  start "$name" "$mem_wait" "$@" "${pprof[@]}"
  local per=$(( mem_tps * (children + 1) / workers )) a0; a0=$(metric otelcol_receiver_accepted_spans)
  load "$((mem_wait + 5))s" "$per" &
  local lp=$!
  sleep "$((mem_wait + 3))"
  local held heap rss a1; held=$(metric otelcol_processor_tail_sampling_sampling_traces_on_memory)
  # In ClickHouse the waiting traces are staged rows, not heap: count those staged in the last wait.
  [[ $name == mem-in-clickhouse ]] && held=$(sql "SELECT uniqExact(trace_id) FROM telemetry_spans_staging WHERE received_at > now64(3) - INTERVAL $mem_wait SECOND")
  heap=$(live_heap "$pport"); rss=$(rss_mb); a1=$(metric otelcol_receiver_accepted_spans)
  wait "$lp"
  awk -v n="$name" -v h="$held" -v hp="$heap" -v r="$rss" -v a=$((a1 - a0)) -v s=$((mem_wait + 3)) -v k=$((children + 1)) \
    -v base="$base_heap" -v tps="$mem_tps" -v w="$mem_wait" 'BEGIN {
    printf "%-22s %8.0f traces/s reached  %8d traces held  live heap %6.0f MB  RSS %6d MB\n", n, a / k / s, h, hp / 1048576, r
    if (h > 0 && base > 0) {
      per = (hp - base) / h
      printf "%-22s %8.0f bytes of live heap per waiting trace of %d spans (over the bare run)\n", "", per, k
      printf "%-22s => %d traces/s x (%ds + 1s) = %d traces held: %.0f MB (extrapolated from the per-trace figure)\n", "", tps, w, tps * (w + 1), tps * (w + 1) * per / 1048576
    }
  }'
  [[ $name == mem-bare ]] && base_heap=$heap
  stop
}

echo "otelcol-telemetry $("$collector" --version | awk '{print $NF}'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), telemetrygen v0.161.0, $workers workers, 1+$children spans per trace, TELEMETRY_SAMPLE_RATE=$rate"
round=0
for r in $(seq "$runs"); do
  round=$r
  echo "-- throughput, round $r of $runs ($duration unthrottled, decision wait 1s)"
  throughput bare "${bare_args[@]}"
  throughput in-clickhouse "${shipped_args[@]}"
  throughput contrib "${contrib_cfg[@]}"
  ratios in-clickhouse
  ratios contrib
done
if [[ -z ${BENCH_SKIP_MEMORY:-} ]]; then
  echo "-- memory ($mem_tps traces/s offered for $((mem_wait + 5))s, decision wait ${mem_wait}s)"
  memory mem-bare "${bare_args[@]}"
  memory mem-in-clickhouse "${shipped_args[@]}"
  memory mem-contrib "${contrib_cfg[@]}"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
