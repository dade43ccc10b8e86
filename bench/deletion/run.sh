#!/usr/bin/env bash
# Time to delete one user from tables holding ROWS rows each, and the ingest throughput while the
# deletion runs, through the built collector (config/local.yaml, minimal mode) on a fresh embedded
# ClickHouse engine.
#
#   make build && bench/deletion/run.sh
#
# ROWS (default 10000000) rows are generated per table (TABLES, default the four data tables) with
# INSERT ... SELECT FROM numbers() for USERS (default 10000) users; the deleted user owns
# ROWS/USERS rows of each table. While the deletion runs, telemetrygen (installed into
# _build/bin on first use) sends OTLP logs with WORKERS (default 2) unthrottled workers; the ingest
# rate is measured in ClickHouse, BASELINE seconds (default 20) before the deletion and during it.
# execution_delay is set to 0 so the figure is the deletion itself. COLLECTOR_ARGS adds collector
# flags, e.g. COLLECTOR_ARGS=--set=extensions::data_rights::apply_deleted_mask=false.
set -euo pipefail
export GOWORK=off TZ=UTC
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
ROWS=${ROWS:-10000000}
USERS=${USERS:-10000}
WORKERS=${WORKERS:-2}
BASELINE=${BASELINE:-20}
TABLES=${TABLES:-"telemetry_events telemetry_logs telemetry_metrics telemetry_spans"}
bin=${OTELCOL_BIN:-$root/_build/otelcol-telemetry}
engine_bin=${ENGINE_BIN:-$root/_build/clickhouse-embedded}
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$root/_tools/chdb/libchdb.so}
[[ -x $bin && -x $engine_bin ]] || { echo "run 'make build' first" >&2; exit 1; }
tgen=${TELEMETRYGEN:-$root/_build/bin/telemetrygen}
if [[ ! -x $tgen ]]; then
  GOBIN="$(dirname "$tgen")" go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

eport=$(free_port)
"$engine_bin" --listen "127.0.0.1:$eport" --path "$work/data" >"$work/engine.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$eport/ping" >/dev/null 2>&1 && break; sleep 0.1; done
ch() { curl -fsS "http://127.0.0.1:$eport/" --data-binary "$1"; }

key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
api=127.0.0.1:$(free_port); grpc=127.0.0.1:$(free_port); health=127.0.0.1:$(free_port)
db=bench_deletion
TELEMETRY_CLICKHOUSE_ENDPOINT=http://127.0.0.1:$eport TELEMETRY_CLICKHOUSE_DATABASE=$db \
  TELEMETRY_API_KEY=$key TELEMETRY_HASH_KEY=$key-hash-key-0123456789abcdef TELEMETRY_PRIVACY_MODE=minimal \
  TELEMETRY_API_ENDPOINT=$api TELEMETRY_OTLP_GRPC_ENDPOINT=$grpc TELEMETRY_OTLP_HTTP_ENDPOINT=127.0.0.1:$(free_port) \
  TELEMETRY_HEALTH_ENDPOINT=$health TELEMETRY_PROMETHEUS_ENDPOINT=127.0.0.1:$(free_port) \
  TELEMETRY_SELF_METRICS_ENDPOINT=127.0.0.1:$(free_port) TELEMETRY_QUEUE_DIRECTORY=$work/queue \
  TELEMETRY_SAMPLE_RATE=1.0 TELEMETRY_FLUSH_INTERVAL=1 \
  "$bin" --config config/local.yaml --set=extensions::data_rights::execution_delay=0s ${COLLECTOR_ARGS:-} >"$work/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do curl -fs "http://$health/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://$health/" >/dev/null || { tail -30 "$work/collector.log" >&2; exit 1; }

target="user-42"
echo "seeding $ROWS rows per table for $USERS users into: $TABLES"
for t in $TABLES; do
  start=$(date +%s.%N)
  case $t in
    telemetry_events) cols="tenant_id, timestamp, observed_timestamp, event_name, user_id, service_name, body, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), now64(9), 'page_view', concat('user-', toString(number % $USERS)), 'web', 'seed', map('n', toString(number % 100))" ;;
    telemetry_logs) cols="tenant_id, timestamp, observed_timestamp, user_id, service_name, body, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), now64(9), concat('user-', toString(number % $USERS)), 'web', 'seed log line', map('n', toString(number % 100))" ;;
    telemetry_metrics) cols="tenant_id, timestamp, metric_name, metric_type, service_name, user_id, attributes, value"
      sel="'default', now64(9) - toIntervalMillisecond(number), 'requests', 'sum', 'web', concat('user-', toString(number % $USERS)), map('n', toString(number % 100)), number" ;;
    telemetry_spans) cols="tenant_id, timestamp, duration_ns, trace_id, span_id, span_name, service_name, user_id, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), 1000, hex(number), hex(number), 'GET /', 'web', concat('user-', toString(number % $USERS)), map('n', toString(number % 100))" ;;
  esac
  ch "INSERT INTO $db.$t ($cols) SELECT $sel FROM numbers($ROWS)"
  printf '  %-18s %s rows in %.1fs\n' "$t" "$(ch "SELECT count() FROM $db.$t")" "$(echo "$(date +%s.%N) - $start" | bc)"
done

"$tgen" logs --otlp-endpoint "$grpc" --otlp-insecure --otlp-header "Authorization=\"Bearer $key\"" \
  --workers "$WORKERS" --rate 0 --duration 1h --service load --telemetry-attributes 'user.id="load-user"' >"$work/tgen.log" 2>&1 &
pids+=($!)
loadcount() { ch "SELECT count() FROM $db.telemetry_logs WHERE service_name = 'load'"; }
sleep 5
c0=$(loadcount); t0=$(date +%s.%N)
sleep "$BASELINE"
c1=$(loadcount); t1=$(date +%s.%N)
baseline=$(echo "($c1 - $c0) / ($t1 - $t0)" | bc)

accepted=$(date +%s.%N)
resp=$(curl -fsS -X DELETE -H "Authorization: Bearer $key" "http://$api/api/v1/telemetry/data/$target")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["request_id"])' "$resp")
c2=$(loadcount)
while :; do
  st=$(curl -fsS -H "Authorization: Bearer $key" "http://$api/api/v1/telemetry/data/requests/$id")
  status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$st")
  [[ $status == completed || $status == failed ]] && break
  sleep 0.2
done
finished=$(date +%s.%N)
c3=$(loadcount)
during=$(echo "($c3 - $c2) / ($finished - $accepted)" | bc)

echo
echo "deletion of $target: $status in $(echo "$finished - $accepted" | bc | xargs printf '%.1f')s (accept to completed, as the client sees it)"
python3 - "$st" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
r = s.get("receipt") or {}
for t in r.get("tables", []):
    print(f"  {t['table']:28} matched {t['matched_before']:>8}  remaining {t['remaining_after']}")
if s.get("reason"):
    print("  reason:", s["reason"])
PY
echo "ingest (telemetrygen logs, $WORKERS workers): ${baseline} rows/s before, ${during} rows/s during the deletion"
