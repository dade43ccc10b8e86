package telemetrystorageexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// Migration 65 rebuilds the trace-id lookup table as a ReplacingMergeTree that takes patch parts:
// on a fresh database, on one whose table is still the AggregatingMergeTree of migration 10 (its
// rows kept, the materialized view writing into the new table), and after an interruption between
// the swap and the copy (the old table's rows copied, the old table dropped).
func TestIntegrationTraceIDTableRebuilt(t *testing.T) {
	db := testDatabase(t)
	start := func() *storage { return startStorage(t, db) }
	conn := queryConn(t)
	ctx := context.Background()
	q := func(stmt string) { t.Helper(); require.NoError(t, conn.Exec(ctx, stmt)) }
	tables := "SELECT name FROM system.tables WHERE database = '" + db + "' AND name LIKE 'otel_traces_trace_id_ts%' ORDER BY name"
	engine := func() string {
		return queryStrings(t, conn, "SELECT engine FROM system.tables WHERE database = '"+db+"' AND name = 'otel_traces_trace_id_ts'")[0]
	}
	lookup := "SELECT TenantId || ' ' || TraceId || ' ' || toString(min(Start)) || ' ' || toString(max(End)) FROM `" + db + "`.otel_traces_trace_id_ts GROUP BY TenantId, TraceId ORDER BY TenantId, TraceId"
	spans := "INSERT INTO `" + db + "`.telemetry_spans (tenant_id, timestamp, trace_id, span_id) VALUES "

	start()
	assert.Equal(t, "ReplacingMergeTree", engine(), "a fresh database")
	assert.Contains(t, showCreate(t, db, "otel_traces_trace_id_ts"), "enable_block_number_column = 1")
	assert.Equal(t, []string{"otel_traces_trace_id_ts", "otel_traces_trace_id_ts_mv"}, queryStrings(t, conn, tables), "no temporary table left")

	// A database migrated up to 60: the lookup table of migration 10, with rows.
	s, err := chschema.New(chschema.Options{Database: db})
	require.NoError(t, err)
	var create string
	for _, m := range s.Migrations() {
		if m.Version == 10 {
			create = m.Statements[0]
		}
	}
	require.Contains(t, create, "AggregatingMergeTree")
	q("DROP TABLE `" + db + "`.otel_traces_trace_id_ts")
	q(create)
	q(spans + "('a', '2026-03-01 10:00:00.5', 't1', 's1'), ('a', '2026-03-01 10:00:07.9', 't1', 's2'), ('b', '2026-03-01 09:00:00', 't2', 's3')")
	q("DELETE FROM `" + db + "`.schema_migrations WHERE version = 65")
	require.Equal(t, "AggregatingMergeTree", engine())
	want := []string{"a t1 2026-03-01 10:00:00 2026-03-01 10:00:07", "b t2 2026-03-01 09:00:00 2026-03-01 09:00:00"}
	require.Equal(t, want, queryStrings(t, conn, lookup))

	assert.Equal(t, []uint32{65}, start().migrated.Applied)
	assert.Equal(t, "ReplacingMergeTree", engine())
	assert.Equal(t, want, queryStrings(t, conn, lookup), "the old rows, copied")
	assert.Equal(t, []string{"otel_traces_trace_id_ts", "otel_traces_trace_id_ts_mv"}, queryStrings(t, conn, tables))
	q(spans + "('a', '2026-03-01 10:00:09', 't1', 's4'), ('c', '2026-03-02 08:00:00', 't3', 's5')")
	want = []string{"a t1 2026-03-01 10:00:00 2026-03-01 10:00:09", "b t2 2026-03-01 09:00:00 2026-03-01 09:00:00", "c t3 2026-03-02 08:00:00 2026-03-02 08:00:00"}
	assert.Equal(t, want, queryStrings(t, conn, lookup), "the materialized view writes into the new table")
	q("DELETE FROM `" + db + "`.otel_traces_trace_id_ts WHERE TraceId = 't3' SETTINGS lightweight_delete_mode = 'lightweight_update_force'")
	assert.Equal(t, want[:2], queryStrings(t, conn, lookup), "a DELETE by patch parts")

	// Interrupted after the swap: the old table still there, its rows not yet copied.
	q("CREATE TABLE `" + db + "`.otel_traces_trace_id_ts_old (TenantId String, TraceId String, Start DateTime, End DateTime) ENGINE = MergeTree ORDER BY TraceId")
	q("INSERT INTO `" + db + "`.otel_traces_trace_id_ts_old VALUES ('d', 't4', '2026-03-03 07:00:00', '2026-03-03 07:00:05')")
	q("DELETE FROM `" + db + "`.schema_migrations WHERE version = 65")
	assert.Equal(t, []uint32{65}, start().migrated.Applied)
	assert.Equal(t, append(want[:2:2], "d t4 2026-03-03 07:00:00 2026-03-03 07:00:05"), queryStrings(t, conn, lookup), "resumed: copied")
	assert.Equal(t, []string{"otel_traces_trace_id_ts", "otel_traces_trace_id_ts_mv"}, queryStrings(t, conn, tables), "and dropped")
	assert.Empty(t, start().migrated.Applied, "nothing left to do")
}
