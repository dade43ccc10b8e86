package piiredactionprocessor

import (
	"context"
	"strconv"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkTelemetrygenSpan: spans as bench/piiredaction/pipeline.sh's load sends them: "plain" is
// telemetrygen v0.161.0's own span (a peer address and a peer service), "pii" what BENCH_PII_ATTRS=1
// adds (a raw-path route, a URL with user_id, a client address).
func BenchmarkTelemetrygenSpan(b *testing.B) {
	// red: config/local.yaml's pii_redaction/red, whose attribute_allowlist keeps span_metrics'
	// dimensions only.
	red := strictCfg()
	red.AttributeAllowlist = []string{"http.route", "http.request.method"}
	b.Run("plain", func(b *testing.B) { benchTelemetrygen(b, strictCfg(), false) })
	b.Run("plain_red", func(b *testing.B) { benchTelemetrygen(b, red, false) })
	b.Run("pii", func(b *testing.B) { benchTelemetrygen(b, strictCfg(), true) })
	b.Run("pii_red", func(b *testing.B) { benchTelemetrygen(b, red, true) })
	b.Run("unique", benchUnique)
}

// benchUnique: every span's name and values differ from the other spans', so nothing repeats for
// the memo (memo.go) to replay: what a miss costs.
func benchUnique(b *testing.B) {
	p := newTestProcessor(b, strictCfg())
	src := ptrace.NewTraces()
	spans := src.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < 1000; i++ {
		sp := spans.AppendEmpty()
		sp.SetName("okey-dokey-" + strconv.Itoa(i))
		a := sp.Attributes()
		a.PutStr("network.peer.address", "10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250))
		a.PutStr("service.peer.name", "telemetrygen-client-"+strconv.Itoa(i))
	}
	benchSpans(b, p, src)
}

func benchTelemetrygen(b *testing.B, cfg *Config, pii bool) {
	p := newTestProcessor(b, cfg)
	src := ptrace.NewTraces()
	rs := src.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench")
	rs.Resource().Attributes().PutStr("tenant.id", "default")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < 100; i++ {
		sp := spans.AppendEmpty()
		sp.SetName("okey-dokey-0")
		a := sp.Attributes()
		a.PutStr("network.peer.address", "1.2.3.4")
		a.PutStr("service.peer.name", "telemetrygen-client")
		if pii {
			a.PutStr("http.route", "/api/v1/users/4711/orders/123456")
			a.PutStr("url.full", "https://shop.example.com/api/v1/orders/123456?user_id=u-555&page=2")
			a.PutStr("client.address", "203.0.113.77")
		}
	}
	benchSpans(b, p, src)
}

// benchSpans times p on copies of src and reports the time per span.
func benchSpans(b *testing.B, p *piiProcessor, src ptrace.Traces) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		_, _ = p.processTraces(context.Background(), td)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*src.SpanCount()), "ns/span")
}
