#!/usr/bin/env bash
# Overload of one gateway: sustainable rate (telemetrygen unthrottled), then 3x that rate with
# probes on OTLP/gRPC, OTLP/HTTP and the events API; peak RSS vs the memory_limiter bound; after the
# load, sent - refused = stored. Builds the collector and installs contrib telemetrygen first.
# Usage: bench/overload/run.sh [flags of bench/overload, e.g. -overload 60s -mem-limit-mib 512]
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOWORK=off TZ=UTC
make build >/dev/null
[ -x _tools/bin/telemetrygen ] || GOBIN=$PWD/_tools/bin go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$PWD/_tools/chdb/libchdb.so}
export CLICKHOUSE_EMBEDDED_BIN=${CLICKHOUSE_EMBEDDED_BIN:-$PWD/_build/clickhouse-embedded}
[ -s "$CHDB_LIB_PATH" ] || make "$CHDB_LIB_PATH" >/dev/null
go run ./bench/overload "$@"
