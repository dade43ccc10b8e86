package consentprocessor

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
)

// BenchmarkProcessTraces is the whole per-span cost: user id lookup in the span's attributes,
// store check, counting. 1000 spans of 100 users, half of them denied, action drop; each round
// gets a fresh copy of the batch (the copy is excluded from the timing).
func BenchmarkProcessTraces(b *testing.B) {
	e := newEnv(b, consentextension.ModeBalanced)
	for u := range 100 {
		e.set(b, "t1", fmt.Sprint("user-", u), map[string]bool{"performance": u%2 == 0})
	}
	cfg := createDefaultConfig()
	p := newConsentProcessor(cfg, "traces", mustTel(b))
	if err := p.start(context.Background(), e.host); err != nil {
		b.Fatal(err)
	}
	src := ptrace.NewTraces()
	rs := src.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("tenant.id", "t1")
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range 1000 {
		s := ss.Spans().AppendEmpty()
		s.Attributes().PutStr("http.route", "/cart")
		s.Attributes().PutStr("http.method", "GET")
		s.Attributes().PutStr("user.id", fmt.Sprint("user-", i%100))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		if _, err := p.processTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/span")
}
