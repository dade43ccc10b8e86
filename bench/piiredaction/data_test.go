package piiredaction

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The workload of the comparison: realistic service telemetry where one record in ten carries PII.
const (
	recordsPerBatch = 100
	piiEvery        = 10
)

// spanAttrs sets about 20 attributes of the kind an instrumented HTTP service sends.
func spanAttrs(m pcommon.Map, i int) {
	m.PutStr("http.request.method", "POST")
	m.PutStr("http.route", "/api/v1/orders/{id}")
	m.PutStr("url.path", fmt.Sprintf("/api/v1/orders/%d", 100000+i))
	m.PutStr("url.scheme", "https")
	m.PutInt("http.response.status_code", 200)
	m.PutStr("server.address", "orders.internal")
	m.PutInt("server.port", 8443)
	m.PutStr("network.protocol.version", "1.1")
	m.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36")
	m.PutStr("order.id", fmt.Sprintf("ORD-2026-%06d", i))
	m.PutDouble("order.total", 99.99)
	m.PutStr("order.currency", "USD")
	m.PutInt("order.items", 3)
	m.PutStr("feature.flag", "checkout-v2")
	m.PutStr("deployment.version", "v1.14.3")
	m.PutStr("request.id", "3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38")
	m.PutStr("db.system", "postgresql")
	m.PutStr("messaging.destination", "orders.created")
	m.PutBool("cache.hit", i%2 == 0)
	if i%piiEvery == 0 {
		m.PutStr("client.address", "203.0.113.77")
		m.PutStr("user.id", fmt.Sprintf("user-%d", i))
		m.PutStr("email", "jane.doe@example.com")
		m.PutStr("note", "call me at +1 415 555 0132 or mail jane.doe@example.com")
	} else {
		m.PutStr("client.region", "eu-west-1")
	}
}

func makeTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "orders")
	rs.Resource().Attributes().PutStr("service.version", "1.14.3")
	rs.Resource().Attributes().PutStr("host.name", "orders-7d9f8b-x2k4p")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := 0; i < recordsPerBatch; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetName("POST /api/v1/orders/{id}")
		s.SetTraceID(pcommon.TraceID([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, byte(i)}))
		s.SetSpanID(pcommon.SpanID([8]byte{1, 2, 3, 4, 5, 6, 7, byte(i)}))
		spanAttrs(s.Attributes(), i)
	}
	return td
}

var cleanBody = "order processed: id=ORD-2026-%06d items=3 total=99.99 USD route=/api/v1/orders/%d " +
	"latency_ms=125 upstream=inventory.internal:8443 version=v1.14.3 request=3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38 " +
	"cache=hit region=eu-west-1 retries=0 at 2026-11-28T17:47:55Z"

var piiBody = "payment failed for jane.doe@example.com (card 4111 1111 1111 1111, phone +1 415 555 0132) " +
	"from 203.0.113.77 using Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U " +
	"order=ORD-2026-%06d route=/api/v1/orders/%d"

func makeLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "orders")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := 0; i < recordsPerBatch; i++ {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetSeverityText("INFO")
		if i%piiEvery == 0 {
			lr.Body().SetStr(fmt.Sprintf(piiBody, i, i))
		} else {
			lr.Body().SetStr(fmt.Sprintf(cleanBody, i, i))
		}
		spanAttrs(lr.Attributes(), i)
	}
	return ld
}

// rawPII lists values that must not survive either pipeline: the comparison is only fair if both do
// the same job, so the benchmark checks the output once before timing.
var rawPII = []string{"jane.doe@example.com", "4111 1111 1111 1111", "415 555 0132", "203.0.113.77", "eyJhbGciOiJIUzI1NiJ9"}

func leaked(s string) string {
	for _, v := range rawPII {
		if strings.Contains(s, v) {
			return v
		}
	}
	return ""
}
