#!/usr/bin/env bash
# Erasure at scale (issue 18): how fast one user's data becomes unreadable, how fast 1000 users
# accepted together do, what it does to ingest, and what a purge of one partition costs, through
# the built collector (config/local.yaml, minimal mode) on a fresh embedded ClickHouse engine.
#
#   make build && bench/deletion/run.sh                 # ROWS=10000000
#   ROWS=50000000 bench/deletion/run.sh
#
# ROWS rows are generated per data table (TABLES, default the four) with INSERT ... SELECT FROM
# numbers() for USERS (default 10000) users in sessions of SESSION (default 100) consecutive rows
# (a user's records arrive in bursts, as real telemetry does; each user has ROWS/USERS rows in
# ROWS/USERS/SESSION sessions spread over the whole table). The subject index is computed by the
# server, as for ingested rows. SESSION=1 spreads every user over every granule: then no index can
# skip anything and erasure reads the whole table (figures in the README). While the erasures run, telemetrygen (installed into _build/bin on first use) sends
# OTLP logs with WORKERS (default 2) workers of RATE logs/s each (default 1000: 2000 logs/s, half to
# three quarters of what this build stores on 2 cores (2.6-4 k rows/s); RATE=0 unthrottled, which
# keeps the store saturated and the persistent queue growing, so the ratio is then the erasure's share
# of the CPU); the stored rate is measured in ClickHouse for BASELINE seconds (default 20) before
# the erasures and again once they are complete (the baseline is the mean of both), and over the
# whole erasure phase.
#   erase: REQUESTS (default 10) users deleted one after another, accept -> no row of the user
#          readable in any data table (batch window included; p50 and p99): the request's stored
#          erased_at polled every 100 ms in the small requests table, then confirmed by a read of the
#          data tables (a row readable then stops the bench: the receipt would be false).
#   batch1000: BATCH (default 1000) users accepted together (CLIENTS, default 1000, concurrent
#          DELETEs from one curl --parallel; the collector stores concurrent accepts in rounds) ->
#          all unreadable, measured as for one user; the phase ends at the last erased_at, before
#          the confirming read (2.5 s of engine CPU for 1000 users at 10M rows).
#   The bench checks that every user to erase has rows before the phase starts, for the same reason.
#   purge_partition_s: POST /data/purge time divided by the partitions it purged.
# The last line is the summary the issue asks for. COLLECTOR_ARGS adds collector flags, e.g.
# COLLECTOR_ARGS=--set=extensions::data_rights::erase_mechanism=lightweight_delete; ENGINE_ARGS
# engine flags (--verbose logs every statement with its time); KEEP=1 keeps the work directory
# (engine.log, collector.log) for a look afterwards.
set -euo pipefail
export GOWORK=off TZ=UTC
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
ROWS=${ROWS:-10000000}
USERS=${USERS:-10000}
SESSION=${SESSION:-100}
WORKERS=${WORKERS:-2}
RATE=${RATE:-1000}
BASELINE=${BASELINE:-20}
REQUESTS=${REQUESTS:-10}
BATCH=${BATCH:-1000}
CLIENTS=${CLIENTS:-1000}
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
  if [[ ${KEEP:-0} == 1 ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

eport=$(free_port)
"$engine_bin" ${ENGINE_ARGS:-} --listen "127.0.0.1:$eport" --path "$work/data" >"$work/engine.log" 2>&1 &
pids+=($!); engine_pid=$!
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$eport/ping" >/dev/null 2>&1 && break; sleep 0.1; done
ch() { curl -fsS "http://127.0.0.1:$eport/" --data-binary "$1"; }

key="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
api=127.0.0.1:$(free_port); grpc=127.0.0.1:$(free_port); health=127.0.0.1:$(free_port); selfm=127.0.0.1:$(free_port)
db=bench_deletion
TELEMETRY_CLICKHOUSE_ENDPOINT=http://127.0.0.1:$eport TELEMETRY_CLICKHOUSE_DATABASE=$db \
  TELEMETRY_API_KEY=$key TELEMETRY_HASH_KEY=$key-hash-key-0123456789abcdef TELEMETRY_PRIVACY_MODE=minimal \
  TELEMETRY_API_ENDPOINT=$api TELEMETRY_OTLP_GRPC_ENDPOINT=$grpc TELEMETRY_OTLP_HTTP_ENDPOINT=127.0.0.1:$(free_port) \
  TELEMETRY_HEALTH_ENDPOINT=$health TELEMETRY_PROMETHEUS_ENDPOINT=127.0.0.1:$(free_port) \
  TELEMETRY_SELF_METRICS_ENDPOINT=$selfm TELEMETRY_QUEUE_DIRECTORY=$work/queue \
  TELEMETRY_SAMPLE_RATE=1.0 TELEMETRY_FLUSH_INTERVAL=1 \
  "$bin" --config config/local.yaml --set=extensions::data_rights::execution_delay=2s \
  --set=extensions::data_rights::batch_window=1s --set=extensions::data_rights::mutation_timeout=30m \
  --set=extensions::telemetry_api::http::write_timeout=30m \
  ${COLLECTOR_ARGS:-} >"$work/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do curl -fs "http://$health/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "http://$health/" >/dev/null || { tail -30 "$work/collector.log" >&2; exit 1; }

echo "seeding $ROWS rows per table for $USERS users into: $TABLES"
for t in $TABLES; do
  start=$(date +%s.%N)
  case $t in
    telemetry_events) cols="tenant_id, timestamp, observed_timestamp, event_name, user_id, service_name, body, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), now64(9), 'page_view', concat('user-', toString((intDiv(number, $SESSION) * 7919) % $USERS)), 'web', 'seed', map('n', toString(number % 100))" ;;
    telemetry_logs) cols="tenant_id, timestamp, observed_timestamp, user_id, service_name, body, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), now64(9), concat('user-', toString((intDiv(number, $SESSION) * 7919) % $USERS)), 'web', 'seed log line', map('n', toString(number % 100))" ;;
    telemetry_metrics) cols="tenant_id, timestamp, metric_name, metric_type, service_name, user_id, attributes, value"
      sel="'default', now64(9) - toIntervalMillisecond(number), 'requests', 'sum', 'web', concat('user-', toString((intDiv(number, $SESSION) * 7919) % $USERS)), map('n', toString(number % 100)), number" ;;
    telemetry_spans) cols="tenant_id, timestamp, duration_ns, trace_id, span_id, span_name, service_name, user_id, attributes"
      sel="'default', now64(9) - toIntervalMillisecond(number), 1000, hex(number), hex(number), 'GET /', 'web', concat('user-', toString((intDiv(number, $SESSION) * 7919) % $USERS)), map('n', toString(number % 100))" ;;
  esac
  ch "INSERT INTO $db.$t ($cols) SELECT $sel FROM numbers($ROWS)"
  printf '  %-18s %s rows in %.1fs\n' "$t" "$(ch "SELECT count() FROM $db.$t")" "$(echo "$(date +%s.%N) - $start" | bc)"
done

# The seeded parts merge in the background for a while; the baseline and the erase phase must not
# share that out unevenly, so wait (at most 5 min) until no merge runs.
for _ in $(seq 300); do [[ $(ch "SELECT count() FROM system.merges") == 0 ]] && break; sleep 1; done
echo "  background merges done ($(ch "SELECT count() FROM system.parts WHERE database = '$db' AND active") active parts)"
# WORKERS=0: no ingest, so the engine CPU lines below are the erasure's own (the ratio is then 1).
if (( WORKERS > 0 )); then
  "$tgen" logs --otlp-endpoint "$grpc" --otlp-insecure --otlp-header "Authorization=\"Bearer $key\"" \
    --workers "$WORKERS" --rate "$RATE" --duration 2h --service load --telemetry-attributes 'user.id="load-user"' >"$work/tgen.log" 2>&1 &
  pids+=($!)
fi
# ticks PID: the process's CPU time so far (user + system), in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
loadcount() { ch "SELECT count() FROM $db.telemetry_logs WHERE service_name = 'load'"; }
now() { date +%s.%N; }
# queued: the storage exporter's persistent queue, in records waiting (the collector's own metrics).
queued() { curl -fs "http://$selfm/metrics" | awk '/^otelcol_exporter_queue_size\{.*exporter="telemetry_storage"/ {n += $2} END {print n + 0}'; }
# drained: with a throttled load (RATE > 0) a window starts once the queue is back to what one
# flush holds (at most 2 min): a backlog draining inside it would count as ingest the load did not
# send at that time. Unthrottled, the queue stays full the whole run.
drained() {
  (( $(echo "$RATE > 0" | bc) )) || return 0
  for _ in $(seq 120); do (( $(queued) <= ${DRAINED:-5000} )) && return 0; sleep 1; done
  echo "  the queue did not drain within 2 min ($(queued) records)" >&2
}
# window: the ingest alone for BASELINE seconds (after 5 s and a drained queue), as
# "count time ticks" at its start and at its end.
window() {
  sleep 5
  drained
  echo "$(loadcount) $(now) $(ticks "$engine_pid")"
  sleep "$BASELINE"
  echo "$(loadcount) $(now) $(ticks "$engine_pid")"
}
# rate C0 C1 T0 T1: rows/s between two counts (1 row over the window without ingest, so the ratio
# is defined).
rate() { echo "($2 - $1 + ($WORKERS == 0)) / ($4 - $3)" | bc -l; }
{ read -r c0 t0 e0; read -r c1 t1 e1; } < <(window)
baseline=$(rate "$c0" "$c1" "$t0" "$t1")
printf '  ingest baseline %.0f rows/s (load %s, queue %s)\n' "$baseline" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(queued)"

# readable USERS-LIST: rows of the users still readable in the data tables (the subject index
# pruned by its bloom filter, tested with a set: hasAny with a list of 1000 ids would compare every
# element with every id and hold the engine for seconds per poll).
readable() {
  local q="" t
  for t in $TABLES; do q="$q${q:+ + }(SELECT count() FROM $db.$t WHERE indexHint(hasAny(subject_ids, [$1])) AND arrayExists(s -> s IN [$1], subject_ids) SETTINGS use_query_condition_cache = 0)"; done
  curl -fsS "http://127.0.0.1:$eport/?max_query_size=67108864" --data-binary "SELECT $q"
}
# erased SINCE-MS: requests accepted since then that stored erased_at (the small requests table).
erased() { ch "SELECT countIf(JSONHas(receipt, 'erased_at')) FROM $db.telemetry_deletion_requests FINAL WHERE accepted_at >= fromUnixTimestamp64Milli($1)"; }
# await_erased START N SINCE-MS: seconds from START until the N requests accepted since SINCE-MS
# report erased_at (polled every 100 ms in the small requests table: reads of the data tables as
# often would be most of the engine's work).
await_erased() {
  local start=$1 n=$2 since=$3
  until [[ $(erased "$since") -ge $n ]]; do
    sleep 0.1
    if (( $(echo "$(now) - $start > ${BATCH_TIMEOUT:-600}" | bc) )); then echo "  not all erased within ${BATCH_TIMEOUT:-600}s ($(erased "$since")/$n)" >&2; exit 1; fi
  done
  echo "$(now) - $start" | bc -l
}
# confirm_unreadable USERS-LIST: a read of the data tables finds no row of the users once their
# requests report erased_at; a row still readable then would make the receipt false, so the bench
# stops.
confirm_unreadable() {
  local n
  n=$(readable "$1")
  [[ $n -eq 0 ]] || { echo "erased_at reported but $n rows still readable" >&2; exit 1; }
}
delete_user() { curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $key" "http://$api/api/v1/telemetry/data/$1"; }

# The users to erase have rows (checked before the phase: a read of 1000 users' rows costs the
# engine seconds, which is the bench's work, not the erasure's).
singles=$(seq 1 "$REQUESTS" | awk '{printf "%s'"'"'user-%d'"'"'", (NR > 1 ? "," : ""), $1 * 7}')
list=$(seq 5000 $((5000 + BATCH - 1)) | sed "s/^/'user-/; s/$/'/" | paste -sd,)
for u in $(echo "$singles" | tr ',' ' '); do
  [[ $(readable "$u") -gt 0 ]] || { echo "no rows for $u" >&2; exit 1; }
done
[[ $(readable "$list") -gt 0 ]] || { echo "no rows for the batch's users" >&2; exit 1; }

erase_start=$(now); c2=$(loadcount); e2=$(ticks "$engine_pid")
: >"$work/erase.txt"
for i in $(seq 1 "$REQUESTS"); do
  u="user-$((i * 7))"
  a=$(now); a_ms=$(date +%s%3N)
  delete_user "$u"
  await_erased "$a" 1 "$a_ms" >>"$work/erase.txt"
  confirm_unreadable "'$u'"
  printf '  erase %-10s %.2fs (load %s)\n' "$u" "$(tail -1 "$work/erase.txt")" "$(cut -d' ' -f1-3 /proc/loadavg)"
done

singles_end=$(now); c4=$(loadcount); e4=$(ticks "$engine_pid")
seq 5000 $((5000 + BATCH - 1)) | sed "s#^#url = \"http://$api/api/v1/telemetry/data/user-#; s#\$#\"#" >"$work/batch-urls"
a=$(now); a_ms=$(date +%s%3N)
curl -fsS --no-progress-meter --parallel --parallel-max "$CLIENTS" -X DELETE -H "Authorization: Bearer $key" --config "$work/batch-urls" >/dev/null
accepted_all=$(now)
batch=$(await_erased "$a" "$BATCH" "$a_ms")
# The phase ends when the last request reports erased_at; the confirming read of the 1000 users'
# rows comes after it.
erase_end=$(now); c3=$(loadcount); e3=$(ticks "$engine_pid")
confirm_unreadable "$list"
printf '  batch of %d: accepted in %.1fs, all unreadable %.1fs after the first accept (load %s)\n' "$BATCH" "$(echo "$accepted_all - $a" | bc -l)" "$batch" "$(cut -d' ' -f1-3 /proc/loadavg)"
during=$(echo "($c3 - $c2 + ($WORKERS == 0) * ($erase_end - $erase_start) / ($t1 - $t0)) / ($erase_end - $erase_start)" | bc -l)

# Wait for the requests to complete (execution_delay, second pass, receipts), then purge.
for _ in $(seq 600); do
  open=$(ch "SELECT count() FROM $db.telemetry_deletion_requests FINAL WHERE status IN ('pending', 'running')")
  [[ $open -eq 0 ]] && break
  sleep 1
done
# The ingest alone again, after the erasures: the baseline is the mean of both windows (one window
# right after seeding came out at 2.8-4.6 k rows/s for the same build, as background work there
# varies).
{ read -r c5 t5 e5; read -r c6 t6 e6; } < <(window)
after=$(rate "$c5" "$c6" "$t5" "$t6")
printf '  ingest after the erasures %.0f rows/s (load %s, queue %s)\n' "$after" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(queued)"
before=$baseline
baseline=$(echo "($before + $after) / 2" | bc -l)
p=$(now)
purge=$(curl -fsS -X POST -H "Authorization: Bearer $key" "http://$api/api/v1/telemetry/data/purge")
purge_s=$(echo "$(now) - $p" | bc -l)
purge_load=$(cut -d' ' -f1-3 /proc/loadavg)
parts=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["partitions"]))' "$purge")
stored=$(ch "SELECT count() FROM $db.telemetry_logs WHERE hasAny(subject_ids, [$list]) SETTINGS apply_patch_parts = 0, apply_deleted_mask = 0, use_query_condition_cache = 0")
completed=$(ch "SELECT countIf(status = 'completed'), count() FROM $db.telemetry_deletion_requests FINAL")
mech=$(ch "SELECT DISTINCT JSONExtractString(arrayJoin(JSONExtractArrayRaw(receipt, 'tables')), 'mechanism') FROM $db.telemetry_deletion_requests FINAL WHERE status = 'completed'" | paste -sd';')

sorted=$(sort -n "$work/erase.txt")
p50=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
p99=$(echo "$sorted" | awk '{a[NR]=$1} END {i=int(NR*0.99+0.999); if (i>NR) i=NR; print a[i]}')
echo
echo "requests completed/total: $completed; mechanisms: $mech"
echo "purge: $parts partitions in $(printf '%.1f' "$purge_s")s (load $purge_load); rows of the batch's users left in the parts of telemetry_logs: $stored"
echo "ingest (telemetrygen logs, $WORKERS workers): $(printf '%.0f' "$before") rows/s before, $(printf '%.0f' "$after") after (baseline: their mean), $(printf '%.0f' "$during") rows/s during the erasures"
# The engine's CPU beyond what the phase's inserts cost at the baseline's rate per row: the
# erasure's own (statements, background mutations, the bench's polls).
python3 - "$hz" "$c0" "$c1" "$e0" "$e1" "$t0" "$t1" "$c2" "$c4" "$c3" "$e2" "$e4" "$e3" "$erase_start" "$singles_end" "$erase_end" "$c5" "$c6" "$e5" "$e6" "$t5" "$t6" <<'PY'
import sys
hz, c0, c1, e0, e1, t0, t1, c2, c4, c3, e2, e4, e3, s, m, e, c5, c6, e5, e6, t5, t6 = map(float, sys.argv[1:])
# both baseline windows together
rows, cpu_s, secs = (c1 - c0) + (c6 - c5), ((e1 - e0) + (e6 - e5)) / hz, (t1 - t0) + (t6 - t5)
per_row = cpu_s / max(rows, 1)
base = max(rows, 1) / secs
print(f"engine CPU: baseline {per_row * 1e6:.0f} us per ingested row, {cpu_s / secs:.2f} cores (before {(e1 - e0) / hz / (t1 - t0):.2f}, after {(e6 - e5) / hz / (t6 - t5):.2f})")
for name, ca, cb, ea, eb, ta, tb in (("singles", c2, c4, e2, e4, s, m), ("batch", c4, c3, e4, e3, m, e), ("erase phase", c2, c3, e2, e3, s, e)):
    cpu = (eb - ea) / hz
    print(f"  {name}: {tb - ta:.1f} s, ingest {(cb - ca) / (tb - ta) / base:.2f} of the baseline, engine {cpu / (tb - ta):.2f} cores, "
          f"CPU beyond its inserts {cpu - per_row * (cb - ca):.1f} s")
PY
echo "load: $(cat /proc/loadavg)"
printf 'rows=%d erase_p50_s=%.2f erase_p99_s=%.2f batch1000_s=%.1f ingest_ratio=%.2f purge_partition_s=%.1f\n' \
  "$ROWS" "$p50" "$p99" "$batch" "$(echo "$during / $baseline" | bc -l)" "$(echo "$purge_s / ($parts + ($parts == 0))" | bc -l)"
