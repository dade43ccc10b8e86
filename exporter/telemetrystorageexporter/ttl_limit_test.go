package telemetrystorageexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
)

// lastDateTime is 2^32-1 seconds, where ClickHouse's DateTime wraps to 1970.
var lastDateTime = time.Date(2106, 2, 7, 6, 28, 15, 0, time.UTC)

func TestTTLRowLimit(t *testing.T) {
	f := func(retention time.Duration, row time.Time, want bool) {
		t.Helper()
		assert.Equal(t, want, ttlRowLimit(retention).fits(uint64(row.UnixNano())), "retention %v, row %v", retention, row)
	}
	// Without a TTL nothing is computed in DateTime: up to DateTime64(9)'s end.
	f(0, time.Date(2262, 4, 11, 0, 0, 0, 0, time.UTC), true)
	// The sum toDateTime(timestamp) + interval must stay in range, not just the timestamp.
	f(30*day, lastDateTime.Add(-30*day), true)
	f(30*day, lastDateTime.Add(-30*day+999*time.Millisecond), true) // toDateTime truncates
	f(30*day, lastDateTime.Add(-30*day+time.Second), false)
	f(30*day, time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC), false)
	f(30*day, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), false)
	f(30*day, t0, true)
	// A sub-second retention is rendered rounded up to whole seconds.
	f(1500*time.Millisecond, lastDateTime.Add(-2*time.Second), true)
	f(1500*time.Millisecond, lastDateTime.Add(-time.Second), false)
	// A retention longer than DateTime's whole range fits no row.
	f(time.Duration(maxDateTimeSec+1)*time.Second, time.Unix(0, 0), false)
}

// Records whose TTL would wrap are refused per signal, and in-range ones kept.
func TestConvertRefusesRowsPastTTLRange(t *testing.T) {
	late := pcommon.NewTimestampFromTime(time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC))
	edge := pcommon.NewTimestampFromTime(lastDateTime.Add(-29 * day)) // in range, its expiry is not
	ok := ts(0)
	lim := ttlRowLimit(30 * day)

	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for _, v := range []pcommon.Timestamp{late, edge, ok} {
		recs.AppendEmpty().SetTimestamp(v)
	}
	recs.AppendEmpty().SetObservedTimestamp(late) // the observed time is the row time
	ev, lg := &logBlock{events: true}, &logBlock{}
	d := appendLogs(ld, ev, lg, t0, lim)
	assert.Equal(t, int64(3), d[dropTTLOutOfRange])
	assert.Equal(t, []time.Time{t0}, lg.timestamp)

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, v := range []pcommon.Timestamp{late, edge, ok} {
		spans.AppendEmpty().SetStartTimestamp(v)
	}
	spans.AppendEmpty().SetEndTimestamp(late) // no start: the end time is the row time
	sb := &spanBlock{}
	d = appendSpans(td, sb, t0, lim)
	assert.Equal(t, int64(3), d[dropTTLOutOfRange])
	assert.Equal(t, []time.Time{t0}, sb.timestamp)

	md := pmetric.NewMetrics()
	pts := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints()
	for _, v := range []pcommon.Timestamp{late, edge, ok} {
		pts.AppendEmpty().SetTimestamp(v)
	}
	mb := &metricBlock{}
	d = appendMetrics(md, mb, t0, lim)
	assert.Equal(t, int64(2), d[dropTTLOutOfRange])
	assert.Equal(t, []time.Time{t0}, mb.timestamp)

	// Without a TTL the same rows are stored.
	ev, lg = &logBlock{events: true}, &logBlock{}
	assert.Equal(t, drops{}, appendLogs(ld, ev, lg, t0, noTTL))
	assert.Equal(t, 4, lg.rows())
}

// With a retention, a batch of rows past the TTL's range is acknowledged
// without an insert, counted in records_dropped and logged once per batch.
func TestExporterCountsRowsPastTTLRange(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	mt, err := metadata.NewTelemetry(tel.NewTelemetrySettings())
	require.NoError(t, err)
	core, logs := observer.New(zapcore.WarnLevel)
	cfg := createDefaultConfig()
	cfg.Endpoint = "tcp://127.0.0.1:9000" // never dialled: nothing is inserted
	cfg.Retention = Retention(30 * day)
	st, err := newStorage(cfg, zap.New(core), mt)
	require.NoError(t, err)
	e := &signalExporter{st: st}

	late := pcommon.NewTimestampFromTime(time.Date(2107, 1, 1, 0, 0, 0, 0, time.UTC))
	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range 3 {
		recs.AppendEmpty().SetTimestamp(late)
	}
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetStartTimestamp(late)
	ctx := context.Background()
	require.NoError(t, e.pushLogs(ctx, ld))
	require.NoError(t, e.pushTraces(ctx, td))

	m, err := tel.GetMetric("otelcol_exporter_telemetry_storage_records_dropped")
	require.NoError(t, err)
	sum, isSum := m.Data.(metricdata.Sum[int64])
	require.True(t, isSum, "got %T", m.Data)
	got := map[[2]string]int64{}
	for _, dp := range sum.DataPoints {
		s, _ := dp.Attributes.Value(attribute.Key("signal"))
		r, _ := dp.Attributes.Value(attribute.Key("reason"))
		got[[2]string{s.AsString(), r.AsString()}] = dp.Value
	}
	assert.Equal(t, map[[2]string]int64{{"logs", "ttl_out_of_range"}: 3, {"traces", "ttl_out_of_range"}: 1}, got)

	entries := logs.FilterMessage("records not stored").All()
	require.Len(t, entries, 2, "one warning per batch, not per record")
	assert.Equal(t, "ttl_out_of_range", entries[0].ContextMap()["reason"])
	assert.Equal(t, int64(3), entries[0].ContextMap()["count"])
}
