package telemetrystorageexporter

import (
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/featuregate"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// tvalue is the OTel threshold of probability p as tail_sampling and the probabilistic sampler write it.
func tvalue(t *testing.T, p float64) string {
	t.Helper()
	th, err := sampling.ProbabilityToThreshold(p)
	require.NoError(t, err)
	return th.TValue()
}

func TestSpanRate(t *testing.T) {
	var c rateCache
	f := func(traceState string, want float64) {
		t.Helper()
		assert.InDelta(t, want, c.spanRate(traceState), 1e-9, "%q", traceState)
	}
	f("", 1)
	f("vendor=x", 1)
	f("ot=th:0", 1) // kept for certain (error or slow trace)
	f("ot=th:"+tvalue(t, 0.1), 0.1)
	f("ot=th:"+tvalue(t, 0.1), 0.1) // cached
	f("ot=rv:abcdef01234567;th:8,vendor=x", 0.5)
	f("ot=th:"+tvalue(t, 0.25), 0.25)
	f("ot=th:zz", 1)             // malformed: counts as itself
	f("ot=rv:abcdef01234567", 1) // randomness only, no sampling
}

func TestRecordRate(t *testing.T) {
	f := func(attrs map[string]any, want float64) {
		t.Helper()
		m := pcommon.NewMap()
		require.NoError(t, m.FromRaw(attrs))
		assert.InDelta(t, want, recordRate(m), 1e-9, "%v", attrs)
	}
	f(nil, 1)
	f(map[string]any{"sampling.threshold": tvalue(t, 0.1)}, 0.1)
	f(map[string]any{"sampling.threshold": "0"}, 1)
	f(map[string]any{"sampling.threshold": "not-hex"}, 1)
}

// TestSampleRateColumns: the converted rows carry the rate next to everything else.
func TestSampleRateColumns(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, ts := range []string{"ot=th:" + tvalue(t, 0.1), "", "ot=th:0"} {
		sp := spans.AppendEmpty()
		sp.TraceState().FromRaw(ts)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	}
	var sb spanBlock
	appendSpans(td, &sb, time.Now(), noTTL)
	assert.InDeltaSlice(t, []float64{0.1, 1, 1}, sb.sampleRate, 1e-9)

	ld := plog.NewLogs()
	recs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	ev := recs.AppendEmpty()
	ev.SetEventName("checkout")
	ev.Attributes().PutStr("sampling.threshold", tvalue(t, 0.25))
	recs.AppendEmpty().Body().SetStr("plain log")
	events, logs := logBlock{events: true}, logBlock{}
	appendLogs(ld, &events, &logs, time.Now(), noTTL)
	assert.InDeltaSlice(t, []float64{0.25}, events.sampleRate, 1e-9)
	assert.InDeltaSlice(t, []float64{1}, logs.sampleRate, 1e-9)
}

func TestUseTracestateGateOnByDefault(t *testing.T) {
	var on bool
	featuregate.GlobalRegistry().VisitAll(func(g *featuregate.Gate) {
		if g.ID() == useTracestateGate {
			on = g.IsEnabled()
		}
	})
	assert.True(t, on, "tail_sampling must write th for the stored sample_rate")
}

func BenchmarkSpanRate(b *testing.B) {
	var c rateCache
	states := []string{"", "ot=th:e666666666666", "ot=th:e666666666666", "ot=th:0"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.spanRate(states[i%len(states)])
	}
}
