#!/usr/bin/env bash
# `make run`: the embedded ClickHouse engine in the background, the collector in the foreground.
# Ctrl-C stops the collector first (it flushes what it holds) and then the engine: the engine runs in
# its own session, so the terminal's Ctrl-C does not reach it. Set TELEMETRY_CLICKHOUSE_ENDPOINT to use
# a real ClickHouse instead of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC
collector=_build/otelcol-telemetry
engine=_build/clickhouse-embedded
config=${TELEMETRY_CONFIG:-config/local.yaml}
data=${TELEMETRY_DATA_DIR:-_data/clickhouse}
engine_listen=${CLICKHOUSE_EMBEDDED_LISTEN:-127.0.0.1:8123}

# Identifier hashing needs a secret key; a local run makes one once and keeps it with the data, so
# hashed ids stay stable across restarts. Production sets TELEMETRY_HASH_KEY from its secret store.
if [ -z "${TELEMETRY_HASH_KEY:-}" ]; then
  mkdir -p _data
  [ -s _data/hash_key ] || (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > _data/hash_key)
  TELEMETRY_HASH_KEY=$(cat _data/hash_key)
  export TELEMETRY_HASH_KEY
fi

# The bootstrap API key (admin of the default tenant, also accepted for OTLP ingest): made once for
# local runs and printed below.
if [ -z "${TELEMETRY_API_KEY:-}" ]; then
  mkdir -p _data
  [ -s _data/api_key ] || (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > _data/api_key)
  TELEMETRY_API_KEY=$(cat _data/api_key)
  export TELEMETRY_API_KEY
fi

engine_pid=
stop() {
  trap - INT TERM EXIT
  [ -n "$collector_pid" ] && kill -TERM "$collector_pid" 2>/dev/null && wait "$collector_pid" 2>/dev/null || true
  [ -n "$engine_pid" ] && kill -TERM "$engine_pid" 2>/dev/null && wait "$engine_pid" 2>/dev/null || true
}
collector_pid=
trap stop INT TERM EXIT

if [ -z "${TELEMETRY_CLICKHOUSE_ENDPOINT:-}" ]; then
  mkdir -p "$data"
  setsid "$engine" --listen "$engine_listen" --path "$data" &
  engine_pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://$engine_listen/ping" >/dev/null 2>&1; then break; fi
    kill -0 "$engine_pid" 2>/dev/null || { echo "the embedded ClickHouse engine exited" >&2; exit 1; }
    sleep 0.2
  done
  export TELEMETRY_CLICKHOUSE_ENDPOINT="http://$engine_listen"
fi

cat <<TXT
otelcol-telemetry
  OTLP gRPC            ${TELEMETRY_OTLP_GRPC_ENDPOINT:-127.0.0.1:4317}
  OTLP HTTP            http://${TELEMETRY_OTLP_HTTP_ENDPOINT:-127.0.0.1:4318}  (/v1/traces, /v1/metrics, /v1/logs)
  Prometheus exporter  http://${TELEMETRY_PROMETHEUS_ENDPOINT:-127.0.0.1:8889}/metrics
  self-metrics         http://${TELEMETRY_SELF_METRICS_ENDPOINT:-127.0.0.1:8888}/metrics
  health               http://${TELEMETRY_HEALTH_ENDPOINT:-127.0.0.1:13133}/
  ClickHouse           ${TELEMETRY_CLICKHOUSE_ENDPOINT}  database ${TELEMETRY_CLICKHOUSE_DATABASE:-telemetry}
  telemetry API        http://${TELEMETRY_API_ENDPOINT:-127.0.0.1:8080}/api/v1/telemetry/
  dashboard            http://${TELEMETRY_API_ENDPOINT:-127.0.0.1:8080}/api/v1/telemetry/dashboard  (sign in with the API key)
  API key              $TELEMETRY_API_KEY  (send as "Authorization: Bearer <key>", also for OTLP)
  config               $config
Ctrl-C stops everything.
TXT
"$collector" --config "$config" &
collector_pid=$!
wait "$collector_pid"
