package piiredactionprocessor

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const benchBatch = 100 // records per batch; every 10th carries PII

const (
	benchBody = "2024-01-15T10:30:45.123Z INFO [http-nio-8080-exec-7] c.e.shop.OrderController - Order 12345 placed: " +
		"items=3 total=59.97 EUR shipping=standard warehouse=FRA-2 latency_ms=123 cache=hit retries=0 " +
		"trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 request_id=550e8400-e29b-41d4-a716-446655440000 " +
		"route=/api/v1/orders/{id} version=2.14.3"
	benchPIIBody = "2024-01-15T10:30:45.123Z INFO [http-nio-8080-exec-7] c.e.shop.OrderController - Order 12345 placed by " +
		"bob@example.com phone +1 415 555 2671 card 4111 1111 1111 1111 from 203.0.113.195 total=59.97 EUR " +
		"trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7 request_id=550e8400-e29b-41d4-a716-446655440000 " +
		"auth Bearer mF_9.B5f-4.1JqMx7aaaa"
)

// fillRealistic puts 20 attributes typical of an HTTP server span or log.
func fillRealistic(m pcommon.Map, i int, pii bool) {
	m.PutStr("http.request.method", "GET")
	m.PutStr("http.route", "/api/v1/orders/{id}")
	m.PutInt("http.response.status_code", 200)
	m.PutStr("server.address", "shop.example.com")
	m.PutInt("server.port", 443)
	m.PutStr("url.scheme", "https")
	m.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
	m.PutStr("db.system", "postgresql")
	m.PutStr("db.statement", "SELECT id, status, total FROM orders WHERE id = $1 AND tenant = $2")
	m.PutStr("thread.name", "http-nio-8080-exec-7")
	m.PutStr("code.function", "OrderController.placeOrder")
	m.PutStr("code.filepath", "src/main/java/com/example/shop/OrderController.java")
	m.PutInt("code.lineno", 142)
	m.PutStr("network.protocol.version", "1.1")
	m.PutInt("http.request.body.size", 512)
	m.PutStr("enduser.role", "customer")
	m.PutStr("feature.flag", "checkout_v2")
	m.PutStr("request.id", fmt.Sprintf("550e8400-e29b-41d4-a716-%012d", i))
	if pii {
		m.PutStr("url.full", "https://shop.example.com/api/v1/orders/12345?token=9f8e7d6c5b4a39281706&page=2")
		m.PutStr("client.address", "203.0.113.195")
		m.PutStr("user.email", "bob@example.com")
	} else {
		m.PutStr("url.full", "https://shop.example.com/api/v1/orders/12345?page=2&sort=desc")
		m.PutStr("cache.status", "hit")
	}
}

func benchLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "shop")
	rl.Resource().Attributes().PutStr("host.name", "node-7")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range benchBatch {
		lr := lrs.AppendEmpty()
		pii := i%10 == 0
		fillRealistic(lr.Attributes(), i, pii)
		if pii {
			lr.Body().SetStr(benchPIIBody)
		} else {
			lr.Body().SetStr(benchBody)
		}
	}
	return ld
}

func benchTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range benchBatch {
		sp := spans.AppendEmpty()
		sp.SetName("GET /api/v1/orders/{id}")
		fillRealistic(sp.Attributes(), i, i%10 == 0)
		ev := sp.Events().AppendEmpty()
		ev.SetName("cache.lookup")
		ev.Attributes().PutStr("cache.key", "orders:12345")
	}
	return td
}

func benchCfg(mode Mode) *Config {
	cfg := strictCfg()
	cfg.Mode = mode
	return cfg
}

func BenchmarkLogs(b *testing.B) {
	for _, mode := range []Mode{ModeStrict, ModeBalanced, ModeMinimal} {
		b.Run(string(mode), func(b *testing.B) { benchProcessLogs(b, benchCfg(mode)) })
	}
}

func BenchmarkTraces(b *testing.B) {
	for _, mode := range []Mode{ModeStrict, ModeBalanced, ModeMinimal} {
		b.Run(string(mode), func(b *testing.B) {
			p := newTestProcessor(b, benchCfg(mode))
			src := benchTraces()
			td := ptrace.NewTraces()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				src.CopyTo(td)
				b.StartTimer()
				if _, err := p.processTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
		})
	}
}

// benchProcessLogs times the processor with cfg over the bench logs batch (benchLogs), a fresh
// copy per iteration, and reports the time per record.
func benchProcessLogs(b *testing.B, cfg *Config) {
	p := newTestProcessor(b, cfg)
	src := benchLogs()
	ld := plog.NewLogs()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		src.CopyTo(ld)
		b.StartTimer()
		if _, err := p.processLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}

// BenchmarkScanNoPII measures values without PII: they must not allocate.
func BenchmarkScanNoPII(b *testing.B) {
	p := newTestProcessor(b, strictCfg())
	for name, s := range map[string]string{
		"word":    "checkout_v2",
		"ua":      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
		"logline": benchBody,
	} {
		b.Run(name, func(b *testing.B) {
			st := p.e.getState()
			defer p.e.putState(st)
			b.ReportAllocs()
			for b.Loop() {
				if _, changed := st.scan(s, "k"); changed {
					b.Fatal("changed")
				}
			}
		})
	}
}

// TestNoAllocWithoutPII pins the allocation goal: a batch without PII is
// processed without a single allocation once the pool is warm.
func TestNoAllocWithoutPII(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	p := newTestProcessor(t, strictCfg())
	src := plog.NewLogs()
	lrs := src.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range 10 {
		lr := lrs.AppendEmpty()
		fillRealistic(lr.Attributes(), i, false)
		lr.Body().SetStr(benchBody)
	}
	ctx := context.Background()
	_, _ = p.processLogs(ctx, src)
	allocs := testing.AllocsPerRun(50, func() { _, _ = p.processLogs(ctx, src) })
	if allocs != 0 {
		t.Fatalf("%.1f allocations per batch without PII, want 0", allocs)
	}
}

// regexBaseline approximates a regex-based redaction (as contrib's redaction
// processor's blocked_values does): one compiled pattern per detector,
// applied with ReplaceAllString to every string value. It is only a local
// yardstick; bench/ compares against the real contrib processors.
var regexBaseline = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
	regexp.MustCompile(`\+?[0-9][0-9 ().-]{7,}[0-9]`),
	regexp.MustCompile(`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`),
	regexp.MustCompile(`\b(?:[0-9][ -]?){13,19}\b`),
	regexp.MustCompile(`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b`),
	regexp.MustCompile(`\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b`),
	regexp.MustCompile(`\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\b`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`),
	regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/=-]{12,}`),
	regexp.MustCompile(`(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|AKIA[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{30,}`),
	regexp.MustCompile(`(?i)(?:password|passwd|pwd|api_?key|secret|token)\s*[=:]\s*[^\s&,;]+`),
	regexp.MustCompile(`://[^/\s:@]*:[^/\s@]*@`),
	regexp.MustCompile(`(?i)[?&](?:token|access_token|password|api_key|email|sig)=[^&#\s]+`),
}

func regexRedact(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		for _, re := range regexBaseline {
			s = re.ReplaceAllString(s, "****")
		}
		v.SetStr(s)
	case pcommon.ValueTypeMap:
		for _, e := range v.Map().All() {
			regexRedact(e)
		}
	}
}

func BenchmarkRegexBaselineLogs(b *testing.B) {
	src := benchLogs()
	ld := plog.NewLogs()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		src.CopyTo(ld)
		b.StartTimer()
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			lr := lrs.At(i)
			for _, v := range lr.Attributes().All() {
				regexRedact(v)
			}
			regexRedact(lr.Body())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
}
