#!/usr/bin/env bash
# Side by side, one run: the same generated logs and spans through telemetry_storage and through
# contrib's clickhouse exporter, both in-process via their factories, into one fresh embedded
# ClickHouse engine started here. Prints rows/s of each and the ratio, then the Go benchmarks
# (ns/op, allocs/op per 5000-record call) of both against the same engine.
# Usage: bench/storage/run.sh [flags of bench/storage, e.g. -logs 200000 -spans 200000 -batch 5000 -writers 1]
# BENCHTIME (default 20x) sets -benchtime of the Go benchmarks; BENCHTIME=0 skips them.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOWORK=off TZ=UTC
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$PWD/_tools/chdb/libchdb.so}
if [[ ! -f $CHDB_LIB_PATH ]]; then
  echo "libchdb not found at $CHDB_LIB_PATH: run 'make tools' first" >&2
  exit 1
fi

work=$(mktemp -d)
engine_pid=
cleanup() {
  if [[ -n $engine_pid ]]; then
    kill "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

CGO_ENABLED=0 go build -o "$work/clickhouse-embedded" ./cmd/clickhouse-embedded
go build -o "$work/bench-storage" ./bench/storage

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/clickhouse-embedded" --listen "127.0.0.1:$port" --path "$work/data" >"$work/engine.log" 2>&1 &
engine_pid=$!
for _ in $(seq 600); do
  curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
  kill -0 "$engine_pid" 2>/dev/null || { cat "$work/engine.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/ping" >/dev/null || { echo "engine not ready" >&2; cat "$work/engine.log" >&2; exit 1; }

echo "engine: clickhouse-embedded (chDB $(curl -fs "http://127.0.0.1:$port/?query=SELECT%20version()")), one query at a time"
"$work/bench-storage" -endpoint "http://127.0.0.1:$port" "$@"

benchtime=${BENCHTIME:-20x}
if [[ $benchtime != 0 ]]; then
  echo
  BENCH_CLICKHOUSE_ENDPOINT="http://127.0.0.1:$port" \
    go test ./bench/storage -run '^$' -bench BenchmarkExporters -benchmem -benchtime "$benchtime" | grep -E '^(Benchmark|ok|FAIL)'
fi
