package e2e

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// bigTrace is one request of n spans in a 4-ary tree under a root "GET /checkout" (route
// /checkout) of service: span i's parent is span (i-1)/4, it starts 50 µs after its parent
// and lasts less. Span 7 fails; span 3 carries an event and a link. seed makes the ids.
func bigTrace(service string, n int, at time.Time, seed uint64) (ptrace.Traces, string) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	var tid pcommon.TraceID
	binary.BigEndian.PutUint64(tid[:8], 0x7e57000000000000|seed)
	binary.BigEndian.PutUint64(tid[8:], uint64(n))
	sid := func(i int) pcommon.SpanID {
		var s pcommon.SpanID
		binary.BigEndian.PutUint64(s[:], seed<<32|uint64(i+1))
		return s
	}
	depth := func(i int) int {
		d := 0
		for i > 0 {
			i, d = (i-1)/4, d+1
		}
		return d
	}
	for i := range n {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(tid)
		s.SetSpanID(sid(i))
		start := at.Add(time.Duration(depth(i)*50+i%4*10) * time.Microsecond)
		dur := time.Duration(200-depth(i)*30) * time.Millisecond
		if i == 0 {
			s.SetName("GET /checkout")
			s.SetKind(ptrace.SpanKindServer)
			s.Attributes().PutStr("http.route", "/checkout")
			s.Attributes().PutStr("http.request.method", "GET")
		} else {
			s.SetParentSpanID(sid((i - 1) / 4))
			s.SetName(fmt.Sprintf("step-%d", depth(i)))
			s.SetKind(ptrace.SpanKindInternal)
		}
		s.Attributes().PutStr("span.index", fmt.Sprint(i))
		if i == 7 {
			s.Status().SetCode(ptrace.StatusCodeError)
			s.Status().SetMessage("card declined")
		}
		if i == 3 {
			e := s.Events().AppendEmpty()
			e.SetName("retry")
			e.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
			e.Attributes().PutStr("attempt", "2")
			l := s.Links().AppendEmpty()
			l.SetTraceID(tid)
			l.SetSpanID(sid(0))
		}
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(dur)))
	}
	return td, hex.EncodeToString(tid[:])
}

// traceLogs are n log records of service in trace id, 1 ms apart from at: every third is an
// error "payment declined for order <i>", the rest info "checkout step <i>".
func traceLogs(service, traceID string, n int, at time.Time) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	sl := rl.ScopeLogs().AppendEmpty()
	var tid pcommon.TraceID
	_, _ = hex.Decode(tid[:], []byte(traceID))
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i) * time.Millisecond)))
		lr.SetTraceID(tid)
		lr.Attributes().PutStr("step", fmt.Sprint(i))
		if i%3 == 0 {
			lr.SetSeverityNumber(plog.SeverityNumberError)
			lr.SetSeverityText("ERROR")
			lr.Body().SetStr(fmt.Sprintf("payment declined for order %d", i))
		} else {
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.SetSeverityText("INFO")
			lr.Body().SetStr(fmt.Sprintf("checkout step %d", i))
		}
	}
	return ld
}

func postTrace(t *testing.T, c *collector, key string, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", key, body)
}

func postLogRecords(t *testing.T, c *collector, key string, ld plog.Logs) {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	postOTLPAs(t, c.otlpHTTP, "/v1/logs", key, body)
}

// TestTraceAndLogSearchThroughCollector: GET /traces, /traces/{trace_id} and /logs through the
// built collector: search criteria, a whole 2,000-span trace with nesting, events and links, log
// text search on the token index with paging, roles, tenants, malicious parameters, audit; and the
// Go client's calls.
func TestTraceAndLogSearchThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	at := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Millisecond)
	big, bigID := bigTrace("shop", 2000, at, 1)
	small, smallID := bigTrace("shop", 5, at.Add(time.Minute), 2)
	globex, globexID := bigTrace("globex-shop", 3, at, 3)
	postTrace(t, c, qAcmeIngest, big)
	postTrace(t, c, qAcmeIngest, small)
	postTrace(t, c, qGlobexIngest, globex)
	postLogRecords(t, c, qAcmeIngest, traceLogs("shop", bigID, 9, at))
	postLogRecords(t, c, qGlobexIngest, traceLogs("globex-shop", globexID, 3, at))
	conn := c.db()
	eventuallyCount(t, conn, 2008, "SELECT count() FROM telemetry_spans")
	eventuallyCount(t, conn, 12, "SELECT count() FROM telemetry_logs")
	rangeQ := url.Values{"start_time": {ms(at.Add(-time.Hour))}, "end_time": {ms(time.Now().Add(time.Minute))}}
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range rangeQ {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	ids := func(r httpReply) []string {
		t.Helper()
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var out []string
		for _, tr := range r.json()["traces"].([]any) {
			out = append(out, tr.(map[string]any)["trace_id"].(string))
		}
		return out
	}

	t.Run("search", func(t *testing.T) {
		r := c.query(t, qAcmeViewer, "/traces", q())
		assert.Equal(t, []string{smallID, bigID}, ids(r), "newest first, acme's only")
		first := r.json()["traces"].([]any)[1].(map[string]any)
		assert.Equal(t, "GET /checkout", first["root_name"])
		assert.Equal(t, "shop", first["root_service"])
		assert.EqualValues(t, 2000, first["span_count"])
		assert.EqualValues(t, 1, first["error_count"])
		assert.EqualValues(t, 1, first["sample_rate"])
		assert.InDelta(t, 200.0, first["duration_ms"], 0.01, "root span: 200 ms")
		for _, tc := range []struct {
			name string
			kv   []string
			want []string
		}{
			{"service", []string{"service", "shop"}, []string{smallID, bigID}},
			{"span name", []string{"span_name", "step-5"}, []string{bigID}},
			{"route", []string{"route", "/checkout"}, []string{smallID, bigID}},
			{"status", []string{"status", "error"}, []string{bigID}},
			{"min duration", []string{"min_duration_ms", "199"}, []string{smallID, bigID}},
			{"max duration", []string{"max_duration_ms", "60"}, []string{bigID}},
			{"attribute", []string{"attr.span.index", "1999"}, []string{bigID}},
			{"trace id", []string{"trace_id", strings.ToUpper(smallID)}, []string{smallID}},
			{"nothing", []string{"service", "none"}, nil},
			{"limit", []string{"limit", "1"}, []string{smallID}},
		} {
			assert.Equal(t, tc.want, ids(c.query(t, qAcmeViewer, "/traces", q(tc.kv...))), tc.name)
		}
	})

	t.Run("one trace whole", func(t *testing.T) {
		r := c.query(t, qAcmeViewer, "/traces/"+bigID, url.Values{})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		body := r.json()
		assert.Equal(t, false, body["truncated"])
		spans := body["spans"].([]any)
		require.Len(t, spans, 2000)
		byID := map[string]map[string]any{}
		for _, s := range spans {
			m := s.(map[string]any)
			byID[m["span_id"].(string)] = m
		}
		roots := 0
		for _, m := range byID {
			if m["parent_span_id"] == "" {
				roots++
				continue
			}
			p, ok := byID[m["parent_span_id"].(string)]
			require.True(t, ok, "parent of %v is in the trace", m["span_id"])
			assert.GreaterOrEqual(t, m["start_us"].(float64), p["start_us"].(float64), "a child starts after its parent")
		}
		assert.Equal(t, 1, roots)
		var s3 map[string]any
		for _, m := range byID {
			if m["attributes"].(map[string]any)["span.index"] == "3" {
				s3 = m
			}
		}
		require.NotNil(t, s3)
		ev := s3["events"].([]any)
		require.Len(t, ev, 1)
		assert.Equal(t, "retry", ev[0].(map[string]any)["name"])
		assert.Equal(t, "2", ev[0].(map[string]any)["attributes"].(map[string]any)["attempt"])
		links := s3["links"].([]any)
		require.Len(t, links, 1)
		assert.Equal(t, bigID, links[0].(map[string]any)["trace_id"])

		requireAPIError(t, c.query(t, qAcmeViewer, "/traces/"+globexID, url.Values{}), http.StatusNotFound, "not_found")
		requireAPIError(t, c.query(t, qGlobexViewer, "/traces/"+bigID, url.Values{}), http.StatusNotFound, "not_found")
		r = c.query(t, testAPIKey, "/traces/"+globexID, url.Values{"tenant": {"globex"}})
		require.Equal(t, http.StatusOK, r.status, "admin reads another tenant's trace: %s", r.body)
		assert.Len(t, r.json()["spans"], 3)
	})

	t.Run("logs", func(t *testing.T) {
		logs := func(key string, v url.Values) []map[string]any {
			t.Helper()
			r := c.query(t, key, "/logs", v)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var out []map[string]any
			for _, l := range r.json()["logs"].([]any) {
				out = append(out, l.(map[string]any))
			}
			return out
		}
		all := logs(qAcmeViewer, q())
		require.Len(t, all, 9)
		assert.Equal(t, "8", all[0]["attributes"].(map[string]any)["step"], "newest first")
		assert.Equal(t, "0", all[8]["attributes"].(map[string]any)["step"])
		assert.Len(t, logs(qAcmeViewer, q("severity", "error")), 3)
		assert.Len(t, logs(qAcmeViewer, q("q", "Payment DECLINED")), 3, "words, case-insensitive")
		got := logs(qAcmeViewer, q("q", "order 6"))
		require.Len(t, got, 1)
		assert.Equal(t, "payment declined for order 6", got[0]["body"])
		assert.Empty(t, logs(qAcmeViewer, q("q", "declin")), "whole words (token index)")
		assert.Len(t, logs(qAcmeViewer, q("trace_id", bigID)), 9)
		assert.Empty(t, logs(qAcmeViewer, q("trace_id", globexID)), "another tenant's trace")
		assert.Len(t, logs(qAcmeViewer, q("attr.step", "4")), 1)
		assert.Len(t, logs(qGlobexViewer, q()), 3)
		// Paging: 4 + 4 + 1, nothing twice, nothing lost.
		seen := map[string]bool{}
		v := q("limit", "4")
		for page := 0; page < 5; page++ {
			r := c.query(t, qAcmeViewer, "/logs", v)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			body := r.json()
			for _, l := range body["logs"].([]any) {
				step := l.(map[string]any)["attributes"].(map[string]any)["step"].(string)
				assert.False(t, seen[step], "step %s twice", step)
				seen[step] = true
			}
			next, _ := body["next_before"].(string)
			if next == "" {
				break
			}
			v.Set("before", next)
		}
		assert.Len(t, seen, 9)
	})

	t.Run("names and the logs and spans aggregates", func(t *testing.T) {
		r := c.query(t, qAcmeViewer, "/names", q("service", "shop"))
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, []any{"GET /checkout", "step-1", "step-2", "step-3", "step-4", "step-5", "step-6"}, r.json()["spans"])
		assert.Empty(t, r.json()["events"])
		a := c.aggregate(t, qAcmeViewer, q("source", "logs", "aggregation", "errors", "group_by", "severity", "interval", "all"))
		require.Len(t, a.Series, 2)
		assert.Equal(t, "ERROR", a.Series[0].Group["severity"])
		assert.Equal(t, 3.0, *a.Series[0].Points[0][1])
		a = c.aggregate(t, qAcmeViewer, q("source", "spans", "aggregation", "count", "span_name", "step-1,step-2", "group_by", "span_name", "interval", "all"))
		got := map[string]float64{}
		for _, s := range a.Series {
			got[s.Group["span_name"]] = *s.Points[0][1]
		}
		assert.Equal(t, map[string]float64{"step-1": 4 + 4, "step-2": 16}, got, "2,000-span and 5-span traces")
	})

	t.Run("roles", func(t *testing.T) {
		for _, path := range []string{"/traces", "/traces/" + bigID, "/logs", "/names"} {
			requireAPIError(t, c.query(t, "", path, q()), http.StatusUnauthorized, "unauthenticated")
			requireAPIError(t, c.query(t, qAcmeIngest, path, q()), http.StatusForbidden, "forbidden")
			requireAPIError(t, c.query(t, qAcmePrivacy, path, q()), http.StatusForbidden, "forbidden")
			requireAPIError(t, c.query(t, qAcmeViewer, path, q("tenant", "globex")), http.StatusNotFound, "not_found")
			for _, key := range []string{qAcmeViewer, qAcmeAnalyst} {
				r := c.query(t, key, path, q())
				assert.Equal(t, http.StatusOK, r.status, "%s: %s", path, r.body)
			}
		}
		assert.Equal(t, []string{globexID}, ids(c.query(t, testAPIKey, "/traces", q("tenant", "globex"))))
		eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_audit WHERE details['route'] = '/api/v1/telemetry/traces'
			AND actor = 'q-acme-viewer' AND toInt64OrZero(details['rows']) > 0`)
		eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_audit WHERE details['route'] = '/api/v1/telemetry/logs'
			AND actor = 'q-acme-viewer' AND details['query'] LIKE '%severity=error%'`)
	})

	t.Run("malicious parameters", func(t *testing.T) {
		bad := []struct{ path, field string }{
			{"/traces?trace_id=" + urlq("' OR 1=1 --"), "trace_id"},
			{"/traces?status=" + urlq("error' OR '1'='1"), "status"},
			{"/traces?min_duration_ms=-1", "min_duration_ms"},
			{"/traces?max_duration_ms=NaN", "max_duration_ms"},
			{"/traces?min_duration_ms=10&max_duration_ms=5", "min_duration_ms"},
			{"/traces?limit=100000", "limit"},
			{"/traces?span_name=" + strings.Repeat("x", 300), "span_name"},
			{"/traces?" + urlq("attr.x']) OR 1=1 --") + "=1", "attr.x']) OR 1=1 --"},
			{"/traces?start_time=0&end_time=" + ms(time.Now()), "start_time"},
			{"/traces?sort=" + urlq("1; DROP TABLE telemetry_spans"), "sort"},
			{"/traces/" + urlq("abc' OR 1=1 --"), "trace_id"},
			{"/traces/" + strings.Repeat("0", 32), "trace_id"},
			{"/traces/" + bigID + "?service=shop", "service"},
			{"/logs?severity=" + urlq("error' OR 1=1"), "severity"},
			{"/logs?q=" + strings.Repeat("word+", 60), "q"},
			{"/logs?q=a+b+c+d+e+f+g+h+i", "q"},
			{"/logs?before=" + urlq("1) OR 1=1"), "before"},
			{"/logs?limit=0", "limit"},
			{"/logs?trace_id=zz", "trace_id"},
			{"/logs?q=%00drop", "q"},
		}
		for _, b := range bad {
			got := send(t, http.MethodGet, c.apiURL(b.path), qAcmeViewer, nil, nil)
			require.Equal(t, http.StatusBadRequest, got.status, "%s: %s", b.path, got.body)
			require.Contains(t, got.header.Get("Content-Type"), "application/json", "%s: %s", b.path, got.body)
			requireAPIError(t, got, http.StatusBadRequest, "invalid_parameter")
			assert.Equal(t, b.field, got.json()["error"].(map[string]any)["field"], "%s: %s", b.path, got.body)
		}
		// Values are bound, never spliced: SQL in a value matches nothing and breaks nothing.
		for _, path := range []string{
			"/traces?service=" + urlq("shop' OR 1=1 --"),
			"/traces?span_name=" + urlq("x') OR ('1'='1"),
			"/traces?route=" + urlq("/checkout' OR 1=1 --"),
			"/traces?attr.span.index=" + urlq("1' OR '1'='1"),
			"/logs?q=" + urlq("declined') OR 1=1 --"),
			"/logs?service=" + urlq("shop' --"),
		} {
			got := send(t, http.MethodGet, c.apiURL(path+"&"+rangeQ.Encode()), qAcmeViewer, nil, nil)
			require.Equal(t, http.StatusOK, got.status, "%s: %s", path, got.body)
			body := got.json()
			assert.Empty(t, body["traces"], path)
			assert.Empty(t, body["logs"], path)
		}
	})

	t.Run("Go client", func(t *testing.T) {
		cfg := client.DefaultConfig()
		cfg.Endpoint, cfg.APIKey = "http://"+c.api, qAcmeViewer
		cl, err := client.New(cfg)
		require.NoError(t, err)
		defer cl.Close(t.Context())
		sel := client.Selection{StartTime: at.Add(-time.Hour), EndTime: time.Now().Add(time.Minute)}
		found, err := cl.SearchTraces(t.Context(), client.TraceSearch{Selection: sel, Status: "error", MinDuration: 50 * time.Millisecond})
		require.NoError(t, err)
		require.Len(t, found, 1)
		assert.Equal(t, bigID, found[0].TraceID)
		assert.Equal(t, 2000, found[0].SpanCount)
		tr, err := cl.GetTrace(t.Context(), bigID, client.Selection{})
		require.NoError(t, err)
		assert.Len(t, tr.Spans, 2000)
		page, err := cl.SearchLogs(t.Context(), client.LogSearch{Selection: sel, Text: "payment declined", TraceID: bigID, Limit: 2})
		require.NoError(t, err)
		assert.Len(t, page.Logs, 2)
		assert.NotEmpty(t, page.NextBefore)
		page, err = cl.SearchLogs(t.Context(), client.LogSearch{Selection: sel, Text: "payment declined", TraceID: bigID, Before: page.NextBefore})
		require.NoError(t, err)
		assert.Len(t, page.Logs, 1)
		_, err = cl.GetTrace(t.Context(), "nope", client.Selection{})
		assert.ErrorIs(t, err, client.ErrInvalidQuery)
	})
}
