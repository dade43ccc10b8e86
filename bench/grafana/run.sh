#!/usr/bin/env bash
# What the otel_traces_trace_id_ts materialized view (migration 10, docs/grafana.md) costs per span:
# the full pipeline of config/local.yaml into a fresh embedded ClickHouse engine, the same contrib
# telemetrygen load in alternating rounds with the view present and dropped (DROP VIEW, then the
# same CREATE again), CPU (user + system) of the collector plus the engine per span stored.
# The otel_traces / otel_logs views cost nothing on ingest (plain views: no code runs on insert).
#
#   make build && bench/grafana/run.sh
#
# Then the view in isolation, where the shared machine's noise matters less: the engine's CPU for
# INSERT ... SELECT of the spans just stored (BENCH_ISOLATED_ROWS, default 100000, in blocks of 5000 rows
# as the exporter writes them) with and without the view, BENCH_ROUNDS rounds each; its difference per
# span is put against the full pipeline's CPU per span measured before.
#
# BENCH_ROUNDS (default 3) rounds of each; each round BENCH_DURATION (default 15s) of unthrottled
# load, BENCH_WORKERS=2 workers, traces of 1 + BENCH_CHILD_SPANS=4 spans, BENCH_BATCH_SIZE=1000 spans
# per request; a round ends when every accepted span is stored. telemetrygen is installed into
# _build/tools on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-15s}
workers=${BENCH_WORKERS:-2}
batch=${BENCH_BATCH_SIZE:-1000}
children=${BENCH_CHILD_SPANS:-4}

start_engine
ch="http://127.0.0.1:$eport"
sql() { curl -fsS "$ch/" --data-binary "$1"; }

db=bench_grafana
key="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
otlp=127.0.0.1:$(freeport) selfm=127.0.0.1:$(freeport)
env TELEMETRY_API_KEY="$key" TELEMETRY_HASH_KEY="bench-hash-key-0123456789abcdef0123456789" \
  TELEMETRY_CLICKHOUSE_ENDPOINT="$ch" TELEMETRY_CLICKHOUSE_DATABASE="$db" \
  TELEMETRY_OTLP_GRPC_ENDPOINT="$otlp" TELEMETRY_OTLP_HTTP_ENDPOINT="127.0.0.1:$(freeport)" \
  TELEMETRY_API_ENDPOINT="127.0.0.1:$(freeport)" TELEMETRY_PROMETHEUS_ENDPOINT="127.0.0.1:$(freeport)" \
  TELEMETRY_HEALTH_ENDPOINT="127.0.0.1:$(freeport)" TELEMETRY_SELF_METRICS_ENDPOINT="$selfm" \
  TELEMETRY_QUEUE_DIRECTORY="$work/queue" TELEMETRY_SAMPLE_RATE=1.0 TELEMETRY_SAMPLE_DECISION_WAIT=1 \
  TELEMETRY_SAMPLE_MAX_TRACES=1000000 TELEMETRY_BATCH_SIZE=5000 TELEMETRY_FLUSH_INTERVAL=1 \
  "$collector" --config config/local.yaml >"$work/collector.log" 2>&1 &
col_pid=$!
for _ in $(seq 300); do
  curl -fs "http://$selfm/metrics" 2>/dev/null | grep -q '^otelcol_process_uptime' && break
  kill -0 "$col_pid" 2>/dev/null || { tail -20 "$work/collector.log" >&2; exit 1; }
  sleep 0.1
done

mv_create=
for _ in $(seq 600); do # the exporter migrates in its Start, after the self-metrics server is up
  mv_create=$(sql "SELECT create_table_query FROM system.tables WHERE database = '$db' AND name = 'otel_traces_trace_id_ts_mv' FORMAT TSVRaw")
  [[ -n $mv_create ]] && break
  sleep 0.1
done
[[ -n $mv_create ]] || { echo "no materialized view otel_traces_trace_id_ts_mv in $db" >&2; exit 1; }
set_view() { # set_view on|off
  if [[ $1 == off ]]; then
    sql "DROP VIEW IF EXISTS \`$db\`.otel_traces_trace_id_ts_mv"
  elif [[ $(sql "EXISTS TABLE \`$db\`.otel_traces_trace_id_ts_mv") == 0 ]]; then
    sql "$mv_create"
  fi
}
ticks() { awk '{s += $14 + $15} END {print s}' "/proc/$col_pid/stat" "/proc/$engine_pid/stat"; }
spans() { sql "SELECT count() FROM \`$db\`.telemetry_spans"; }
helper_rows() { sql "SELECT count() FROM \`$db\`.otel_traces_trace_id_ts"; }
metric() { curl -fs "http://$selfm/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $NF} END {printf "%.0f", s}'; }
load() {
  "$tgen" traces --otlp-endpoint "$otlp" --otlp-insecure --otlp-header "Authorization=\"Bearer $key\"" \
    --workers "$workers" --duration "$duration" --rate 0 --child-spans "$children" --batch-size "$batch" \
    --service bench >>"$work/tgen.log" 2>&1 || { echo "telemetrygen failed:" >&2; tail -5 "$work/tgen.log" >&2; exit 1; }
}
stored_all() { # every accepted span is in telemetry_spans, twice in a row
  local want last=-1 now
  for _ in $(seq 600); do
    want=$(metric otelcol_receiver_accepted_spans); now=$(spans)
    [[ $now -ge $want && $now == "$last" ]] && return 0
    last=$now; sleep 0.5
  done
  echo "spans not all stored: $now of $want" >&2; exit 1
}
hz=$(getconf CLK_TCK)

echo "otelcol-telemetry $("$collector" --version | awk '{print $NF}'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), telemetrygen v0.161.0, $workers workers unthrottled, 1+$children spans per trace, $duration per round"
declare -A per
results=$work/results
for r in $(seq "$rounds"); do
  order="on off"; (( r % 2 == 0 )) && order="off on"
  for v in $order; do
    set_view "$v"
    s0=$(spans) h0=$(helper_rows) t0=$(ticks)
    load
    stored_all
    s1=$(spans) h1=$(helper_rows) t1=$(ticks)
    us=$(awk -v c=$((t1 - t0)) -v hz="$hz" -v n=$((s1 - s0)) 'BEGIN {printf "%.2f", 1e6 * c / hz / n}')
    printf "round %d  view %-3s  %8d spans  %7d helper rows  %7.2f µs CPU (collector + engine) per span  load %s\n" \
      "$r" "$v" $((s1 - s0)) $((h1 - h0)) "$us" "$(cut -d' ' -f1 /proc/loadavg)"
    echo "$v $us" >>"$results"
  done
done
median() { awk -v k="$1" '$1 == k {print $2}' "$2" | sort -g | awk '{x[NR] = $1} END {printf "%.3f", (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
pipe_on=$(median on "$results") pipe_off=$(median off "$results")
awk -v a="$pipe_on" -v b="$pipe_off" 'BEGIN {
  printf "pipeline: median %.2f µs CPU per span with the view, %.2f without (%+.1f %%; the spread between rounds of one kind shows the noise)\n", a, b, 100 * (a - b) / b }'

# The view in isolation: the engine alone, the same rows inserted again and again. Merges are
# stopped while measuring (the spans table's merges, the same with and without the view, would
# otherwise land in random rounds); the helper table's share of merge work is its share of the bytes.
n_iso=${BENCH_ISOLATED_ROWS:-100000}
sql "CREATE TABLE \`$db\`.bench_span_src ENGINE = Memory AS SELECT * FROM \`$db\`.telemetry_spans LIMIT $n_iso"
n_iso=$(sql "SELECT count() FROM \`$db\`.bench_span_src")
kill -STOP "$col_pid" # the collector is idle; stopped, it cannot add to the engine's work
iso=$work/isolated
engine_ticks() { awk '{print $14 + $15}' "/proc/$engine_pid/stat"; }
insert3() {
  for _ in 1 2 3; do
    sql "INSERT INTO \`$db\`.telemetry_spans SELECT * FROM \`$db\`.bench_span_src SETTINGS max_block_size = 5000, max_insert_block_size = 5000, min_insert_block_size_rows = 0, min_insert_block_size_bytes = 0"
  done
}
sql "SYSTEM STOP MERGES \`$db\`.telemetry_spans"
sql "SYSTEM STOP MERGES \`$db\`.otel_traces_trace_id_ts"
set_view on; insert3; set_view off; insert3 # warm-up, not counted
for r in $(seq "$rounds"); do
  order="on off"; (( r % 2 == 0 )) && order="off on"
  for v in $order; do
    set_view "$v"
    t0=$(engine_ticks)
    insert3
    t1=$(engine_ticks)
    us=$(awk -v c=$((t1 - t0)) -v hz="$hz" -v n=$((3 * n_iso)) 'BEGIN {printf "%.3f", 1e6 * c / hz / n}')
    printf "isolated round %d  view %-3s  %7d spans  %7.3f µs engine CPU per span (merges stopped)  load %s\n" "$r" "$v" $((3 * n_iso)) "$us" "$(cut -d' ' -f1 /proc/loadavg)"
    echo "$v $us" >>"$iso"
  done
done
# The helper table's merges: all its parts merged into one (an upper bound: background merges
# reach that state in several steps, each rewriting part of it), the spans table's merges still off.
sql "SYSTEM START MERGES \`$db\`.otel_traces_trace_id_ts"
total=$(sql "SELECT count() FROM \`$db\`.telemetry_spans")
t0=$(engine_ticks)
sql "OPTIMIZE TABLE \`$db\`.otel_traces_trace_id_ts FINAL"
t1=$(engine_ticks)
merge_us=$(awk -v c=$((t1 - t0)) -v hz="$hz" -v n="$total" 'BEGIN {printf "%.3f", 1e6 * c / hz / n}')
sql "SYSTEM START MERGES \`$db\`.telemetry_spans"
kill -CONT "$col_pid"
set_view on
bytes=$(sql "SELECT toString(sumIf(bytes_on_disk, table = 'otel_traces_trace_id_ts')) || ' ' || toString(sumIf(bytes_on_disk, table = 'telemetry_spans')) FROM system.parts WHERE database = '$db' AND active")
iso_on=$(median on "$iso") iso_off=$(median off "$iso")
awk -v a="$iso_on" -v b="$iso_off" -v p="$pipe_off" -v q="$pipe_on" -v bytes="$bytes" -v m="$merge_us" -v total="$total" 'BEGIN {
  split(bytes, by, " "); d = a - b; base = (p < q) ? p : q
  printf "isolated: median %.3f µs engine CPU per span inserted with the view, %.3f without: the view costs %.3f µs per span on insert\n", a, b, d
  printf "merges: OPTIMIZE FINAL of the helper table (every part into one, %d spans behind it): %.3f µs engine CPU per span; after it the table holds %.2f %% of the bytes of telemetry_spans\n", total, m, 100 * by[1] / by[2]
  printf "RESULT materialized view = %.2f %% of collector + engine CPU per span on insert (%.3f of %.2f µs, the lower pipeline median), %.2f %% with its merges (%.3f µs)\n", 100 * d / base, d, base, 100 * (d + m) / base, d + m }'
