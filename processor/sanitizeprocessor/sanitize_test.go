package sanitizeprocessor

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/sanitizeprocessor/internal/metadata"
)

const bad = "a\xffb\xc3(" // two invalid sequences

func counters(t *testing.T, r *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if s, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range s.DataPoints {
					sig, _ := dp.Attributes.Value("signal")
					out[m.Name+"/"+sig.AsString()] += dp.Value
				}
			}
		}
	}
	return out
}

func settings(t *testing.T) (*sdkmetric.ManualReader, func() processor.Settings) {
	reader := sdkmetric.NewManualReader()
	set := processortest.NewNopSettings(metadata.Type)
	set.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = set.MeterProvider.(*sdkmetric.MeterProvider).Shutdown(context.Background()) })
	return reader, func() processor.Settings { return set }
}

func TestLogsRepairedAndStamped(t *testing.T) {
	reader, set := settings(t)
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), set(), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", bad)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(bad)
	lr := sl.LogRecords().AppendEmpty() // no timestamps
	lr.Body().SetStr(bad)
	lr.Attributes().PutStr("k"+bad, "v")   // invalid key
	lr.Attributes().PutStr("kept", "fine") // untouched
	nested := lr.Attributes().PutEmptyMap("m")
	nested.PutEmptySlice("s").AppendEmpty().SetStr(bad)
	lr.SetSeverityText(bad)
	timed := sl.LogRecords().AppendEmpty()
	timed.SetTimestamp(pcommon.Timestamp(42))

	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	got := sink.AllLogs()[0].ResourceLogs().At(0)
	want := "a\uFFFDb\uFFFD("
	sv, _ := got.Resource().Attributes().Get("service.name")
	assert.Equal(t, want, sv.Str())
	assert.Equal(t, want, got.ScopeLogs().At(0).Scope().Name())
	r0 := got.ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, want, r0.Body().Str())
	assert.Equal(t, want, r0.SeverityText())
	v, ok := r0.Attributes().Get("k" + want)
	require.True(t, ok, "the key is repaired")
	assert.Equal(t, "v", v.Str())
	_, ok = r0.Attributes().Get("k" + bad)
	assert.False(t, ok, "the invalid key is gone")
	m, _ := r0.Attributes().Get("m")
	elem, _ := m.Map().Get("s")
	assert.Equal(t, want, elem.Slice().At(0).Str())
	assert.NotZero(t, r0.ObservedTimestamp(), "a record without timestamps gets its time of arrival")
	r1 := got.ScopeLogs().At(0).LogRecords().At(1)
	assert.Zero(t, r1.ObservedTimestamp(), "a record with a timestamp keeps what it had")

	c := counters(t, reader)
	assert.Equal(t, int64(6), c[metadata.MetricStringsRepairedName+"/logs"])
	assert.Equal(t, int64(1), c[metadata.MetricRecordsStampedName+"/logs"])
}

func TestTracesAndMetricsRepaired(t *testing.T) {
	reader, set := settings(t)
	ts := new(consumertest.TracesSink)
	tp, err := NewFactory().CreateTraces(context.Background(), set(), createDefaultConfig(), ts)
	require.NoError(t, err)
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName(bad)
	sp.Events().AppendEmpty().SetName(bad)
	sp.Status().SetMessage(bad)
	require.NoError(t, tp.ConsumeTraces(context.Background(), td))
	got := ts.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	for _, s := range []string{got.Name(), got.Events().At(0).Name(), got.Status().Message()} {
		assert.True(t, utf8.ValidString(s), "%q", s)
	}

	ms := new(consumertest.MetricsSink)
	mp, err := NewFactory().CreateMetrics(context.Background(), set(), createDefaultConfig(), ms)
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(bad)
	m.SetEmptyHistogram().DataPoints().AppendEmpty().Attributes().PutStr("route", bad)
	require.NoError(t, mp.ConsumeMetrics(context.Background(), md))
	gm := ms.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
	assert.True(t, utf8.ValidString(gm.Name()))
	rv, _ := gm.Histogram().DataPoints().At(0).Attributes().Get("route")
	assert.True(t, utf8.ValidString(rv.Str()))

	c := counters(t, reader)
	assert.Equal(t, int64(3), c[metadata.MetricStringsRepairedName+"/traces"])
	assert.Equal(t, int64(2), c[metadata.MetricStringsRepairedName+"/metrics"])
}

func TestOffLeavesDataAlone(t *testing.T) {
	_, set := settings(t)
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), set(), &Config{}, sink)
	require.NoError(t, err)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(bad)
	require.NoError(t, p.ConsumeLogs(context.Background(), ld))
	lr := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, bad, lr.Body().Str())
	assert.Zero(t, lr.ObservedTimestamp())
}
