package piiredactionprocessor

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

// countingProcessor is a processor whose redaction counters can be read back by detector.
func countingProcessor(t *testing.T, cfg *Config) (*piiProcessor, func() map[string]int64) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	p := newPIIProcessor(cfg, metadata.Type.String(), tb)
	return p, func() map[string]int64 {
		got := map[string]int64{}
		m, err := tel.GetMetric(metadata.MetricRedactionsName)
		if err != nil {
			return got
		}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			d, _ := dp.Attributes.Value(attribute.Key("detector"))
			got[d.AsString()] = dp.Value
		}
		return got
	}
}

// memoSpan is span i of a batch in which names and attribute values repeat, as a service's do.
func memoSpan(sp ptrace.Span, i int) {
	names := []string{"GET /users/{id}", "checkout for jdoe.smith", "GET /users/4711/orders", "okey-dokey-0", "mail jane.doe@example.com"}
	sp.SetName(names[i%len(names)])
	a := sp.Attributes()
	a.PutStr("service.peer.name", "telemetrygen-client")
	a.PutStr("network.peer.address", []string{"1.2.3.4", "2001:db8::1", "1.2.3.4"}[i%3])
	a.PutStr("note", []string{"mail jane.doe@example.com", "nothing here", "call +49 30 1234567 now", "a@b.example and c@d.example"}[i%4])
	a.PutStr("http.route", []string{"/users/{id}", "/users/4711/orders", "/cart?user_id=u-555"}[i%3])
	if i%2 == 0 {
		a.PutStr("user.id", []string{"jdoe.smith", "u-98765"}[i%4/2])
	}
	if i%5 == 0 {
		a.PutStr("payload", `{"password":"hunter2","email":"x@example.com"}`)
	}
	a.PutStr(fmt.Sprintf("jane%d@example.com", i%2), "1") // a key that is data
}

// A batch processed by one warm state (the memo remembering outcomes across records) equals the
// same spans each processed by a new processor (an empty memo): values, names, summaries and the
// counters behind them, self-mentions included.
func TestMemoSameAsFresh(t *testing.T) {
	for _, summary := range []Summary{SummaryDebug, SummarySilent} {
		cfg := strictCfg()
		cfg.Summary = summary
		cfg.AttributeAllowlist = nil
		const n = 40
		batch := ptrace.NewTraces()
		spans := batch.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
		for i := range n {
			memoSpan(spans.AppendEmpty(), i)
		}
		warm, warmCounts := countingProcessor(t, cfg)
		fresh := map[string]int64{}
		var err error
		for range 2 { // the second batch starts with a full memo
			in := ptrace.NewTraces()
			batch.CopyTo(in)
			in, err = warm.processTraces(t.Context(), in)
			require.NoError(t, err)
			got := in.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
			for i := range n {
				one := ptrace.NewTraces()
				memoSpan(one.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty(), i)
				p, counts := countingProcessor(t, cfg)
				one, err = p.processTraces(t.Context(), one)
				require.NoError(t, err)
				want := one.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
				assert.Equal(t, want.Name(), got.At(i).Name(), "span %d name", i)
				assert.Equal(t, want.Attributes().AsRaw(), got.At(i).Attributes().AsRaw(), "span %d attributes", i)
				for d, v := range counts() {
					fresh[d] += v
				}
			}
			assert.Equal(t, fresh, warmCounts(), "counters (summary %s)", summary)
		}
	}
}

// Outcomes of one tenant's engine are never replayed under another's.
func TestMemoPerEngine(t *testing.T) {
	strict := newEngine(strictCfg())
	minimal := createDefaultConfig()
	minimal.Mode = ModeMinimal
	other := newEngine(minimal)
	st := strict.getState()
	s1, _ := st.memoGet(memoAttr, "note", "x")
	s1.put(memoAttr, "note", "x", "y", -1)
	st.useEngine(other)
	_, hit := st.memoGet(memoAttr, "note", "x")
	assert.False(t, hit, "another engine's memo")
	st.useEngine(strict)
	_, hit = st.memoGet(memoAttr, "note", "x")
	assert.True(t, hit, "back on the first engine")
}
