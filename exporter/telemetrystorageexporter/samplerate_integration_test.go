package telemetrystorageexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestIntegrationSampleRateUpgrade: a database written before migration 4 (no sample_rate column,
// version 4 not recorded) is upgraded at start; its old rows read as sample_rate 1, new rows carry
// the rate of their tracestate.
func TestIntegrationSampleRateUpgrade(t *testing.T) {
	db := testDatabase(t)
	cfg := itConfig(t, db)
	st, err := newStorage(cfg, zapNop(), nopTelemetry(t))
	require.NoError(t, err)
	require.NoError(t, st.start(context.Background()))
	require.NoError(t, st.shutdown(context.Background()))

	// Back to the schema of version 3, with one span written then.
	conn := queryConn(t)
	ctx := context.Background()
	for _, table := range []string{"telemetry_spans", "telemetry_events", "telemetry_logs"} {
		require.NoError(t, conn.Exec(ctx, "ALTER TABLE `"+db+"`."+table+" DROP COLUMN sample_rate"))
	}
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE `"+db+"`.schema_migrations DELETE WHERE version = 4 SETTINGS mutations_sync = 1"))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO `"+db+"`.telemetry_spans (tenant_id, timestamp, trace_id, span_name) VALUES ('acme', now64(9), 'old', 'before')"))

	s := startAll(t, itConfig(t, db))
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("after")
	sp.SetTraceID(pcommon.TraceID{1})
	sp.TraceState().FromRaw("ot=th:" + tvalue(t, 0.25))
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	require.NoError(t, s.traces.ConsumeTraces(ctx, td))

	assert.Equal(t, []string{"after|0.25", "before|1"}, queryStrings(t, conn,
		"SELECT concat(span_name, '|', toString(sample_rate)) FROM `"+db+"`.telemetry_spans ORDER BY span_name"))
	assert.Contains(t, showCreate(t, db, "telemetry_events"), "sample_rate")
	assert.Contains(t, showCreate(t, db, "telemetry_logs"), "sample_rate")
}
