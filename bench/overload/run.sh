#!/usr/bin/env bash
# Overload of one gateway: sustainable rate (telemetrygen unthrottled), then 3x that rate with
# probes on OTLP/gRPC, OTLP/HTTP and the events API; peak RSS vs the memory_limiter bound; after the
# load, sent - refused = stored. Builds the collector and installs contrib telemetrygen first.
# The gateway, its embedded ClickHouse and the probes run on CPU 0 (GOMAXPROCS=1), telemetrygen on
# CPU 1 (-gateway-cpus, -client-cpus), so the client can offer more than the gateway takes.
# Usage: bench/overload/run.sh [flags of bench/overload, e.g. -overload 60s -mem-limit-mib 128]
# TELEMETRYGEN names an installed telemetrygen (default _tools/bin/telemetrygen, installed if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOWORK=off TZ=UTC
make build >/dev/null
TELEMETRYGEN=${TELEMETRYGEN:-$PWD/_tools/bin/telemetrygen}
[ -x "$TELEMETRYGEN" ] || GOBIN=$(dirname "$TELEMETRYGEN") go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$PWD/_tools/chdb/libchdb.so}
export CLICKHOUSE_EMBEDDED_BIN=${CLICKHOUSE_EMBEDDED_BIN:-$PWD/_build/clickhouse-embedded}
[ -s "$CHDB_LIB_PATH" ] || make "$CHDB_LIB_PATH" >/dev/null
go run ./bench/overload -telemetrygen "$TELEMETRYGEN" "$@"
