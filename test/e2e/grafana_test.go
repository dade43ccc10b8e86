package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Keys of testdata/grafana.yaml.
const grafanaAcmeAdminKey = "e2e-grafana-acme-admin-0001"

// grafanaSQL are the plugin's requests (testdata/grafana, copied from ../shared/grafana).
func grafanaSQL(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "test/e2e/testdata/grafana/*.sql"))
	require.NoError(t, err)
	require.Len(t, files, 5, "the five statements of testdata/grafana/README.md")
	out := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		out[filepath.Base(f)] = strings.TrimSpace(string(raw))
	}
	return out
}

// pluginQuery fills the placeholders as the plugin does ($__fromTime / $__toTime: its macros) and
// runs the statement over the engine's HTTP interface, answering one JSON object per row.
func pluginQuery(t *testing.T, sql, database, traceID string, from, to time.Time) []map[string]any {
	t.Helper()
	sql = strings.NewReplacer("{{database}}", database, "{{trace_id}}", traceID,
		"$__fromTime", fmt.Sprintf("toDateTime(%d)", from.Unix()), "$__toTime", fmt.Sprintf("toDateTime(%d)", to.Unix())).Replace(sql)
	resp, err := http.Post(engineURL+"/?default_format=JSONEachRow", "text/plain", strings.NewReader(sql))
	require.NoError(t, err)
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s\n%s", sql, buf.String())
	var rows []map[string]any
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var row map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &row))
		rows = append(rows, row)
	}
	return rows
}

// grafanaTrace is what the test sent of one trace.
type grafanaTrace struct {
	traceID, rootID, childID, linkTrace, linkSpan string
	start                                         time.Time
}

// grafanaSpans builds acme's error trace (a server root with an event and a link, a client child)
// and globex's span that reuses the same trace id, as a careless or hostile tenant might.
func grafanaSpans(now time.Time) (acme, globex ptrace.Traces, tr grafanaTrace) {
	traceID := pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	rootID, childID := pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8}, pcommon.SpanID{9, 10, 11, 12, 13, 14, 15, 16}
	linkTrace, linkSpan := pcommon.TraceID{0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, pcommon.SpanID{0xbb, 1, 2, 3, 4, 5, 6, 7}
	start := now.Add(-10 * time.Second).Truncate(time.Millisecond)
	tr = grafanaTrace{traceID: hex.EncodeToString(traceID[:]), rootID: hex.EncodeToString(rootID[:]), childID: hex.EncodeToString(childID[:]),
		linkTrace: hex.EncodeToString(linkTrace[:]), linkSpan: hex.EncodeToString(linkSpan[:]), start: start}

	acme = ptrace.NewTraces()
	rs := acme.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	ss := rs.ScopeSpans().AppendEmpty()
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(traceID)
	root.SetSpanID(rootID)
	root.SetName("POST /checkout")
	root.SetKind(ptrace.SpanKindServer)
	root.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	root.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(120 * time.Millisecond)))
	root.Status().SetCode(ptrace.StatusCodeError)
	root.Status().SetMessage("card declined")
	root.Attributes().PutStr("http.request.method", "POST")
	ev := root.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(100 * time.Millisecond)))
	ev.Attributes().PutStr("exception.type", "CardDeclined")
	link := root.Links().AppendEmpty()
	link.SetTraceID(linkTrace)
	link.SetSpanID(linkSpan)
	link.Attributes().PutStr("link.reason", "retry-of")
	child := ss.Spans().AppendEmpty()
	child.SetTraceID(traceID)
	child.SetSpanID(childID)
	child.SetParentSpanID(rootID)
	child.SetName("charge card")
	child.SetKind(ptrace.SpanKindClient)
	child.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(10 * time.Millisecond)))
	child.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(90 * time.Millisecond)))

	globex = ptrace.NewTraces()
	grs := globex.ResourceSpans().AppendEmpty()
	grs.Resource().Attributes().PutStr("service.name", "intruder")
	gs := grs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	gs.SetTraceID(traceID)
	gs.SetSpanID(pcommon.SpanID{0xee, 1, 1, 1, 1, 1, 1, 1})
	gs.SetName("globex work")
	gs.SetKind(ptrace.SpanKindServer)
	gs.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(-time.Hour)))
	gs.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(-time.Hour + time.Millisecond)))
	return acme, globex, tr
}

// grafanaLogs are one tenant's log records: ERROR ones (a plain log and a product event each) and a
// WARN the ERROR search must skip.
func grafanaLogs(service string, at time.Time, traceID string, errors ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	sl := rl.ScopeLogs().AppendEmpty()
	var tid pcommon.TraceID
	_, _ = hex.Decode(tid[:], []byte(traceID))
	for i, body := range errors {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(i) * time.Second)))
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
		lr.Body().SetStr(body)
		lr.SetTraceID(tid)
		if strings.HasPrefix(body, "event:") {
			lr.SetEventName("checkout_failed")
		}
	}
	warn := sl.LogRecords().AppendEmpty()
	warn.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(500 * time.Millisecond)))
	warn.SetSeverityNumber(plog.SeverityNumberWarn)
	warn.SetSeverityText("WARN")
	warn.Body().SetStr(service + " slow")
	return ld
}

// TestGrafanaPluginQueries sends spans (with an event and a link), logs, a product event and an
// error trace through the built collector, creates acme's reader database through
// POST /admin/grafana, then runs every statement the Grafana ClickHouse datasource sends against the
// telemetry database and acme's database and checks the answers as the plugin reads them. acme's
// database never answers globex's rows, though globex reused acme's trace id.
func TestGrafanaPluginQueries(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"},
		args: []string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/grafana.yaml")},
	})
	conn := c.db()
	now := time.Now().UTC()
	acmeSpans, globexSpans, tr := grafanaSpans(now)
	tracesProto := func(td ptrace.Traces) []byte {
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		return b
	}
	logsProto := func(ld plog.Logs) []byte {
		b, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
		require.NoError(t, err)
		return b
	}
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", acmeIngestKey, tracesProto(acmeSpans))
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", globexIngestKey, tracesProto(globexSpans))
	logAt := now.Add(-8 * time.Second).Truncate(time.Millisecond)
	acmeErrors := []string{"card declined", "event: checkout failed", "retry failed"}
	postOTLPAs(t, c.otlpHTTP, "/v1/logs", acmeIngestKey, logsProto(grafanaLogs("shop", logAt, tr.traceID, acmeErrors...)))
	postOTLPAs(t, c.otlpHTTP, "/v1/logs", globexIngestKey, logsProto(grafanaLogs("intruder", logAt.Add(1500*time.Millisecond), "", "globex failure")))
	eventuallyCount(t, conn, 3, "SELECT count() FROM telemetry_spans")
	eventuallyCount(t, conn, 5, "SELECT count() FROM telemetry_logs")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events")

	// The reader database: admin of acme only; idempotent.
	code, body := c.apiCall(t, http.MethodPost, "/admin/grafana", acmeViewerKey, nil)
	require.Equal(t, http.StatusForbidden, code, "%v", body)
	code, body = c.apiCall(t, http.MethodPost, "/admin/grafana?tenant=globex", grafanaAcmeAdminKey, nil)
	require.Equal(t, http.StatusNotFound, code, "an admin of acme cannot open globex's data: %v", body)
	code, first := c.apiCall(t, http.MethodPost, "/admin/grafana", grafanaAcmeAdminKey, nil)
	require.Equal(t, http.StatusOK, code, "%v", first)
	code, again := c.apiCall(t, http.MethodPost, "/admin/grafana", grafanaAcmeAdminKey, nil)
	require.Equal(t, http.StatusOK, code, "%v", again)
	assert.Equal(t, first, again, "a repeated call answers the same")
	acmeDB := c.database + "_tenant_acme"
	assert.Equal(t, acmeDB, first["database"])
	assert.Equal(t, "acme", first["tenant"])
	gj := first["grafana"].(map[string]any)["jsonData"].(map[string]any)
	assert.Equal(t, acmeDB, gj["defaultDatabase"])
	assert.Equal(t, map[string]any{"defaultDatabase": acmeDB, "defaultTable": "otel_traces", "otelEnabled": true,
		"otelVersion": "latest", "durationUnit": "nanoseconds"}, gj["traces"])
	assert.Equal(t, "otel_logs", gj["logs"].(map[string]any)["defaultTable"])
	assert.Equal(t, []string{"otel_logs", "otel_traces", "otel_traces_trace_id_ts"},
		joinedRows(t, conn, "SELECT name FROM system.tables WHERE database = '"+acmeDB+"' ORDER BY name"))
	assert.Empty(t, joinedRows(t, conn, "SELECT name FROM system.databases WHERE name = '"+c.database+"_tenant_globex'"))

	from, to := now.Add(-time.Hour), now.Add(time.Minute)
	for name, sql := range grafanaSQL(t) {
		for _, db := range []string{c.database, acmeDB} {
			t.Run(name+"/"+map[bool]string{true: "tenant_acme", false: "telemetry"}[db == acmeDB], func(t *testing.T) {
				rows := pluginQuery(t, sql, db, tr.traceID, from, to)
				if strings.HasPrefix(name, "trace-by-id") {
					checkPluginTrace(t, rows, tr, db == acmeDB)
				} else {
					checkPluginLogs(t, rows, tr.traceID, acmeErrors, logAt, db == acmeDB)
				}
			})
		}
	}

	// The views keep the spans table's indexes: the plugin's trace lookup in acme's database reads
	// telemetry_spans through its partition/min-max times, primary key (tenant) and trace_id bloom filter.
	var plan []string
	for _, r := range pluginQuery(t, "EXPLAIN indexes = 1 "+grafanaSQL(t)["trace-by-id.main.sql"], acmeDB, tr.traceID, from, to) {
		plan = append(plan, r["explain"].(string))
	}
	joined := strings.Join(plan, "\n")
	for _, want := range []string{"ReadFromMergeTree (" + c.database + ".telemetry_spans)", "Min-Max", "tenant_id in ['acme', 'acme']", "Name: idx_trace_id"} {
		assert.Contains(t, joined, want, "EXPLAIN of the trace lookup")
	}

	// Isolation beyond the plugin's own queries: every row of every view of acme's database is acme's.
	for _, view := range []string{"otel_traces", "otel_logs"} {
		assert.Equal(t, []string{"acme"}, joinedRows(t, conn, "SELECT DISTINCT TenantId FROM `"+acmeDB+"`.`"+view+"`"), view)
	}
	assert.Equal(t, []string{"1"}, joinedRows(t, conn, "SELECT toString(count()) FROM `"+acmeDB+"`.otel_traces_trace_id_ts"),
		"one trace of acme's: globex's span with the same trace id is not in it")
	var start, end time.Time
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT min(Start), max(End) FROM `"+acmeDB+"`.otel_traces_trace_id_ts WHERE TraceId = ?",
		tr.traceID).Scan(&start, &end))
	assert.Equal(t, tr.start.Truncate(time.Second), start.UTC(), "acme's trace starts at its own first span, not at globex's an hour earlier")
	// End is the latest span *start* (contrib's table keeps max(Timestamp) too): the child's, 10 ms in.
	// (Its end, 90 ms in, falls in the next second now and then: that is not what the table holds.)
	assert.Equal(t, tr.start.Add(10*time.Millisecond).Truncate(time.Second), end.UTC())
}

// checkPluginTrace checks one trace lookup as Grafana's trace view reads it: acme's two spans
// (all three tenants' spans in the telemetry database, where globex's shares the id).
func checkPluginTrace(t *testing.T, rows []map[string]any, tr grafanaTrace, tenantOnly bool) {
	t.Helper()
	byID := map[string]map[string]any{}
	for _, r := range rows {
		byID[r["spanID"].(string)] = r
	}
	if tenantOnly {
		require.Len(t, rows, 2, "acme's spans only: %v", rows)
	} else {
		// The telemetry database holds every tenant: globex's span with the same trace id too (the
		// helper table's range spans from it, an hour earlier, to acme's last span).
		require.Len(t, rows, 3, "%v", rows)
		require.NotNil(t, byID["ee01010101010101"], "%v", rows)
		assert.Equal(t, "intruder", byID["ee01010101010101"]["serviceName"])
	}
	root, child := byID[tr.rootID], byID[tr.childID]
	require.NotNil(t, root, "root span in %v", rows)
	require.NotNil(t, child, "child span in %v", rows)
	for _, r := range []map[string]any{root, child} {
		assert.Equal(t, tr.traceID, r["traceID"])
		assert.Equal(t, "shop", r["serviceName"])
	}
	assert.Equal(t, "", root["parentSpanID"])
	assert.Equal(t, tr.rootID, child["parentSpanID"])
	assert.Equal(t, "POST /checkout", root["operationName"])
	assert.Equal(t, "charge card", child["operationName"])
	assert.InDelta(t, 120.0, root["duration"], 1e-9, "duration in ms")
	assert.InDelta(t, 80.0, child["duration"], 1e-9)
	assert.InDelta(t, float64(tr.start.UnixMilli()), root["startTime"], 1e-3, "startTime in ms")
	assert.InDelta(t, float64(tr.start.UnixMilli()+10), child["startTime"], 1e-3)
	assert.Equal(t, 2.0, root["statusCode"], "error")
	assert.Equal(t, 0.0, child["statusCode"])
	assert.Equal(t, "card declined", root["statusMessage"])
	assert.Equal(t, "Server", root["kind"])
	assert.Equal(t, "Client", child["kind"])
	assert.Contains(t, root["tags"], map[string]any{"key": "http.request.method", "value": "POST"})
	assert.Contains(t, root["serviceTags"], map[string]any{"key": "service.name", "value": "shop"})
	assert.Equal(t, []any{map[string]any{"name": "exception", "timestamp": strconv.FormatInt(tr.start.UnixMilli()+100, 10),
		"fields": []any{map[string]any{"key": "exception.type", "value": "CardDeclined"}}}}, root["logs"])
	assert.Equal(t, []any{map[string]any{"traceID": tr.linkTrace, "spanID": tr.linkSpan,
		"tags": []any{map[string]any{"key": "link.reason", "value": "retry-of"}}}}, root["references"])
	assert.Equal(t, []any{}, child["logs"])
	assert.Equal(t, []any{}, child["references"])
}

// checkPluginLogs checks a log search (level ERROR, newest first): acme's error records, the
// product event among them, in time order; in the telemetry database globex's error too.
func checkPluginLogs(t *testing.T, rows []map[string]any, traceID string, acmeErrors []string, at time.Time, tenantOnly bool) {
	t.Helper()
	var bodies []string
	var times []string
	for _, r := range rows {
		assert.Equal(t, "ERROR", r["level"])
		bodies = append(bodies, r["body"].(string))
		times = append(times, r["timestamp"].(string))
		if r["body"] != "globex failure" {
			assert.Equal(t, traceID, r["traceID"], "%v", r)
			assert.Equal(t, "shop", r["ResourceAttributes"].(map[string]any)["service.name"], "%v", r)
		}
	}
	want := []string{acmeErrors[2], acmeErrors[1], acmeErrors[0]}
	if !tenantOnly {
		want = []string{acmeErrors[2], "globex failure", acmeErrors[1], acmeErrors[0]}
	}
	assert.Equal(t, want, bodies)
	assert.True(t, sort.SliceIsSorted(times, func(i, j int) bool { return times[i] > times[j] }), "newest first: %v", times)
	require.NotEmpty(t, times)
	assert.Equal(t, at.Add(2*time.Second).Format("2006-01-02 15:04:05.000000000"), times[0])
}

// TestTraceIDTableFollowsTenantRetention: a tenant's trace retention (privacy policy
// retention_days.traces) shortens Grafana's trace-id table as it shortens telemetry_spans: the
// tenant's trace older than it leaves both at once and the table's TTL gets the tenant's rule;
// another tenant's old trace and the tenant's new one stay.
func TestTraceIDTableFollowsTenantRetention(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_RETENTION_DAYS": "90", "TELEMETRY_PRIVACY_MODE": "minimal"}})
	eu := c.createKey(t, "eu", "eu-ingest", "ingest")
	us := c.createKey(t, "us", "us-ingest", "ingest")
	euAdmin := c.createKey(t, "eu", "eu-admin", "admin")
	old := time.Now().Add(-40 * 24 * time.Hour)
	span := func(id byte, at time.Time) []byte {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "retention")
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{id, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
		sp.SetSpanID(pcommon.SpanID{id, 1, 1, 1, 1, 1, 1, 1})
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Millisecond)))
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
		require.NoError(t, err)
		return b
	}
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", eu, span(0xa1, old))
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", eu, span(0xa2, time.Now()))
	postOTLPAs(t, c.otlpHTTP, "/v1/traces", us, span(0xb1, old))
	conn := c.db()
	lookup := "SELECT TenantId || ' ' || substring(TraceId, 1, 2) FROM otel_traces_trace_id_ts GROUP BY TenantId, TraceId ORDER BY 1"
	eventuallyCount(t, conn, 3, "SELECT count() FROM telemetry_spans WHERE service_name = 'retention'")
	require.Equal(t, []string{"eu a1", "eu a2", "us b1"}, joinedRows(t, conn, lookup))

	status, _, body := c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"retention_days": map[string]any{"traces": 30}}, nil)
	require.Equal(t, http.StatusOK, status, body)
	require.Eventually(t, func() bool { return len(joinedRows(t, conn, lookup)) == 2 }, storeWithin, 200*time.Millisecond,
		"eu's 40-day-old trace outlived its 30-day retention in the trace-id table: %v", joinedRows(t, conn, lookup))
	assert.Equal(t, []string{"eu a2", "us b1"}, joinedRows(t, conn, lookup))
	assert.Equal(t, []string{"a2"}, joinedRows(t, conn, "SELECT substring(trace_id, 1, 2) FROM telemetry_spans WHERE tenant_id = 'eu' AND service_name = 'retention'"),
		"the spans went with it")
	var engine string
	require.Eventually(t, func() bool {
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT engine_full FROM system.tables WHERE database = ? AND name = 'otel_traces_trace_id_ts'", c.database).Scan(&engine))
		return strings.Contains(engine, "toDateTime(End) + toIntervalDay(30) WHERE TenantId = 'eu'")
	}, storeWithin, 200*time.Millisecond, "the tenant's rule in the table's TTL: %s", engine)
	assert.Contains(t, engine, "TTL toDateTime(End) + toIntervalDay(90)", "the storage retention rule stays first")
}
