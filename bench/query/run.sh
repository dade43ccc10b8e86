#!/usr/bin/env bash
# The query API (telemetry_query) against the same queries written by hand in SQL, on one fresh
# embedded ClickHouse engine and the built collector (config/local.yaml) started here: loads
# POINTS metric points (default 10M) and 1M events, prints the median latency of each endpoint and
# of its hand-written SQL with their ratio, then an export's rows/s and the collector's memory.
# Usage: bench/query/run.sh [flags of bench/query, e.g. -points 10000000 -runs 5]   (needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOWORK=off TZ=UTC
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$PWD/_tools/chdb/libchdb.so}
collector=${OTELCOL_TELEMETRY_BIN:-$PWD/_build/otelcol-telemetry}
for f in "$CHDB_LIB_PATH" "$collector"; do
  [[ -f $f ]] || { echo "$f not found: run 'make build' and 'make tools' first" >&2; exit 1; }
done

work=$(mktemp -d)
engine_pid= collector_pid=
cleanup() {
  for p in $collector_pid $engine_pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$work/clickhouse-embedded" ./cmd/clickhouse-embedded
go build -o "$work/bench-query" ./bench/query
free() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

port=$(free)
"$work/clickhouse-embedded" --listen "127.0.0.1:$port" --path "$work/data" >"$work/engine.log" 2>&1 &
engine_pid=$!
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
  kill -0 "$engine_pid" 2>/dev/null || { cat "$work/engine.log" >&2; exit 1; }
  sleep 0.1
done

key=bench-admin-key-0123456789abcdef
api=127.0.0.1:$(free)
health=127.0.0.1:$(free)
TELEMETRY_CLICKHOUSE_ENDPOINT="http://127.0.0.1:$port" TELEMETRY_CLICKHOUSE_DATABASE=bench \
TELEMETRY_API_ENDPOINT=$api TELEMETRY_API_KEY=$key TELEMETRY_HEALTH_ENDPOINT=$health \
TELEMETRY_OTLP_GRPC_ENDPOINT=127.0.0.1:$(free) TELEMETRY_OTLP_HTTP_ENDPOINT=127.0.0.1:$(free) \
TELEMETRY_PROMETHEUS_ENDPOINT=127.0.0.1:$(free) TELEMETRY_SELF_METRICS_ENDPOINT=127.0.0.1:$(free) \
TELEMETRY_QUEUE_DIRECTORY="$work/queue" TELEMETRY_HASH_KEY=bench-hash-key-0123456789abcdef0123 \
  "$collector" --config config/local.yaml >"$work/collector.log" 2>&1 &
collector_pid=$!
for _ in $(seq 600); do
  curl -fs "http://$health/" >/dev/null 2>&1 && curl -fs "http://$api/api/v1/telemetry/health/ready" >/dev/null 2>&1 && break
  kill -0 "$collector_pid" 2>/dev/null || { cat "$work/collector.log" >&2; exit 1; }
  sleep 0.1
done

echo "engine: clickhouse-embedded (chDB $(curl -fs "http://127.0.0.1:$port/?query=SELECT%20version()")), one query at a time; collector pid $collector_pid"
"$work/bench-query" -engine "http://127.0.0.1:$port" -api "http://$api" -key "$key" -database bench -pid "$collector_pid" "$@"
