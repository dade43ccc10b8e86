package main

import (
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The generated data resembles product telemetry: 10 services (3 tenants) per batch, 8 attributes
// per record (user and session ids among them), half of the log records are events (EventName
// set), a span event on every other span. Every record is distinct (ids and seq differ).

const resourcesPerBatch = 10

func fillResource(r pcommon.Resource, n int) {
	a := r.Attributes()
	a.PutStr("service.name", "service-"+strconv.Itoa(n))
	a.PutStr("service.version", "1.4.2")
	a.PutStr("tenant.id", "tenant-"+strconv.Itoa(n%3))
	a.PutStr("host.name", "host-"+strconv.Itoa(n))
	a.PutStr("deployment.environment.name", "production")
}

func fillAttrs(m pcommon.Map, seq int) {
	m.PutStr("http.request.method", "GET")
	m.PutStr("http.route", "/api/items/{id}")
	m.PutInt("http.response.status_code", 200)
	m.PutStr("user.id", "user-"+strconv.Itoa(seq%5000))
	m.PutStr("session.id", "sess-"+strconv.Itoa(seq%800))
	m.PutStr("server.address", "10.0.0.1")
	m.PutBool("cache.hit", seq%3 == 0)
	m.PutInt("seq", int64(seq))
}

// genLogs returns total records as batches of batchSize, timestamps spread over the last minute.
func genLogs(total, batchSize int, now time.Time) []plog.Logs {
	var out []plog.Logs
	for seq := 0; seq < total; {
		n := min(batchSize, total-seq)
		ld := plog.NewLogs()
		for r := range resourcesPerBatch {
			rl := ld.ResourceLogs().AppendEmpty()
			fillResource(rl.Resource(), r)
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("bench")
			sl.Scope().SetVersion("1.0.0")
			for i := r; i < n; i += resourcesPerBatch {
				s := seq + i
				lr := sl.LogRecords().AppendEmpty()
				t := now.Add(-time.Duration(s%60000) * time.Millisecond)
				lr.SetTimestamp(pcommon.NewTimestampFromTime(t))
				lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(t.Add(3 * time.Millisecond)))
				lr.SetTraceID(traceID(s))
				lr.SetSpanID(spanID(s))
				if s%2 == 0 {
					lr.SetEventName("item_viewed")
					lr.Body().SetStr("item 42 viewed")
				} else {
					lr.SetSeverityNumber(plog.SeverityNumberInfo)
					lr.SetSeverityText("INFO")
					lr.Body().SetStr("GET /api/items/42 served in 5 ms from cache replica " + strconv.Itoa(s%7))
				}
				fillAttrs(lr.Attributes(), s)
			}
		}
		out = append(out, ld)
		seq += n
	}
	return out
}

// genTraces returns total spans as batches of batchSize.
func genTraces(total, batchSize int, now time.Time) []ptrace.Traces {
	var out []ptrace.Traces
	for seq := 0; seq < total; {
		n := min(batchSize, total-seq)
		td := ptrace.NewTraces()
		for r := range resourcesPerBatch {
			rs := td.ResourceSpans().AppendEmpty()
			fillResource(rs.Resource(), r)
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("bench")
			ss.Scope().SetVersion("1.0.0")
			for i := r; i < n; i += resourcesPerBatch {
				s := seq + i
				sp := ss.Spans().AppendEmpty()
				sp.SetTraceID(traceID(s / 4)) // four spans per trace
				sp.SetSpanID(spanID(s))
				if s%4 != 0 {
					sp.SetParentSpanID(spanID(s - s%4))
				}
				sp.SetName("GET /api/items/{id}")
				sp.SetKind(ptrace.SpanKindServer)
				start := now.Add(-time.Duration(s%60000) * time.Millisecond)
				sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
				sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(1+s%50) * time.Millisecond)))
				if s%10 == 0 {
					sp.Status().SetCode(ptrace.StatusCodeError)
					sp.Status().SetMessage("upstream timeout")
				}
				fillAttrs(sp.Attributes(), s)
				if s%2 == 0 {
					ev := sp.Events().AppendEmpty()
					ev.SetName("cache.miss")
					ev.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
					ev.Attributes().PutStr("cache.key", "item:42")
				}
			}
		}
		out = append(out, td)
		seq += n
	}
	return out
}

func traceID(n int) pcommon.TraceID {
	var id pcommon.TraceID
	id[0] = 0xbe
	for i := range 8 {
		id[15-i] = byte(n >> (8 * i))
	}
	return id
}

func spanID(n int) pcommon.SpanID {
	var id pcommon.SpanID
	id[0] = 0x5b
	for i := range 7 {
		id[7-i] = byte(n >> (8 * i))
	}
	return id
}
