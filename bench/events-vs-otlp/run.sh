#!/usr/bin/env bash
# Events/s of the telemetry_events receiver vs the OTLP/HTTP receiver taking the same events as OTLP
# JSON logs, side by side in one collector (config.yaml), driven by ./loadgen on loopback.
#
#   make build && bench/events-vs-otlp/run.sh [loadgen flags, e.g. -requests 5000 -concurrency 8]
#
# OTELCOL_BIN overrides the collector binary (default _build/otelcol-telemetry).
# BENCH_AUTH=1 runs config-auth.yaml instead: both receivers behind the telemetry_api extension's
# API keys (the events routes on the API server, OTLP with its authenticator), as config/local.yaml
# wires them; the key is a random one of this run.
set -euo pipefail
export GOWORK=off
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${OTELCOL_BIN:-$root/_build/otelcol-telemetry}"
[[ -x "$bin" ]] || { echo "no collector binary at $bin: run 'make build' first" >&2; exit 1; }
comps="$("$bin" components 2>/dev/null || true)"
grep -q 'telemetry_events' <<<"$comps" ||
  { echo "$bin has no telemetry_events receiver: add receiver/eventsreceiver to builder-config.yaml" >&2; exit 1; }

export BENCH_OTLP_PORT="${BENCH_OTLP_PORT:-14318}" BENCH_EVENTS_PORT="${BENCH_EVENTS_PORT:-18090}"
work="$(mktemp -d)"
config="$here/config.yaml"
if [[ "${BENCH_AUTH:-0}" == 1 ]]; then
  config="$here/config-auth.yaml"
  BENCH_API_KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  export BENCH_API_KEY
fi
"$bin" --config "$config" >"$work/collector.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

(cd "$root" && go build -o "$work/loadgen" ./bench/events-vs-otlp/loadgen)
if ! "$work/loadgen" \
  -events-url "http://127.0.0.1:$BENCH_EVENTS_PORT/api/v1/telemetry/events/batch" \
  -otlp-url "http://127.0.0.1:$BENCH_OTLP_PORT/v1/logs" "$@"; then
  echo "--- collector log (tail) ---" >&2
  tail -n 30 "$work/collector.log" >&2
  exit 1
fi
