# What the bench scripts share; sourced (`source bench/lib.sh`) from the repository root after
# `set -euo pipefail`, not run. It sets root, collector (OTELCOL_BIN or the built binary), engine and
# tgen (contrib telemetrygen, installed into _build/tools on first use); exports GOWORK, TZ and
# CHDB_LIB_PATH; makes work, a temporary directory removed at exit together with the processes in
# col_pid and engine_pid (a stopped one is continued first); and defines freeport and start_engine.

root=$PWD
export GOWORK=off TZ=UTC
export CHDB_LIB_PATH=${CHDB_LIB_PATH:-$root/_tools/chdb/libchdb.so}
collector=${OTELCOL_BIN:-$root/_build/otelcol-telemetry}
engine=$root/_build/clickhouse-embedded
tgen=$root/_build/tools/telemetrygen

[[ -x $collector && -x $engine ]] || { echo "run 'make build' first" >&2; exit 1; }
[[ -f $CHDB_LIB_PATH ]] || { echo "libchdb not found at $CHDB_LIB_PATH: run 'make tools' first" >&2; exit 1; }
[[ -x $tgen ]] || [[ ! -x $root/_tools/bin/telemetrygen ]] || tgen=$root/_tools/bin/telemetrygen
if [[ ! -x $tgen ]]; then
  GOBIN=$root/_build/tools go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@v0.161.0
fi

work=$(mktemp -d)
engine_pid= col_pid=
cleanup() {
  for p in $col_pid $engine_pid; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_engine [engine args...]: the embedded ClickHouse engine on a free port (eport), answering.
start_engine() {
  eport=$(freeport)
  "$engine" "$@" --listen "127.0.0.1:$eport" --path "$work/data" >"$work/engine.log" 2>&1 &
  engine_pid=$!
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$eport/ping" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "engine did not start:" >&2; tail -20 "$work/engine.log" >&2; exit 1
}

# pprof_args PORT: the collector arguments that add the pprof extension on 127.0.0.1:PORT to
# config/local.yaml's extensions (CPU profiles, live heap), in the array pprof.
pprof_args() {
  pprof=("--set=extensions::pprof::endpoint=127.0.0.1:$1"
    "--set=service::extensions=[health_check,file_storage/queue,telemetry_api,consent,telemetry_query,data_rights,telemetry_dashboard,request_limits,pprof]")
}
