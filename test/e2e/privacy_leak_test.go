package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// leakForms are the forms of each raw value that must not be stored in strict mode: the value, its
// digit-only form and the fragments that identify on their own (an e-mail's local part, a card with
// one group masked, a password after its redacted user name). A check of whole literals only would
// pass "[REDACTED]:s3cretpw" or "**** 1111 1111 1111".
var leakForms = map[string][]string{
	"email":        {"jane.doe@example.com", "jane.doe", "jane.doe%40example.com"},
	"phone":        {"+1 415 555 0132", "415 555 0132", "4155550132", "555 0132"},
	"ssn":          {"123-45-6789", "123456789", "45-6789"},
	"card":         {"4111 1111 1111 1111", "4111111111111111", "1111 1111 1111", "111111111111"},
	"iban":         {"DE89370400440532013000", "370400440532013000", "0532013000"},
	"ip":           {"203.0.113.77"},
	"jwt":          {"eyJzdWIiOiIxMjM0NTY3ODkwIn0", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
	"url_pass":     {"hunter2"},
	"query":        {"s3cr3tT0ken123"},
	"user_id":      {"user-4711"},
	"session_id":   {"sess-98765"},
	"password":     {"CorrectHorse"},
	"query_user":   {"u-555"},
	"cookie":       {"c00kieS3ss10n"},
	"deleted_user": {"user-0815"},
	// Ids no detector knows, repeated in a span's name: only the record's own id field tells
	// (selfMentionUser consented, anonymizedUser refused, so only the RED pipeline sees its span).
	"self_mention":    {selfMentionUser},
	"anonymized_user": {anonymizedUser},
	// Formats the detectors used to miss: separators, full width, no-break spaces, en dashes,
	// percent-encoded and bracketed e-mails, a password in JSON inside a JSON string.
	"phone_variants": {"089/12345678", "12345678", "０９０－１２３４－５６７８", "１２３４－５６７８", "415\u00a0555\u00a02671", "415–555–2671", "(212)5550199", "5550199"},
	"email_variants": {"jane%40example.org", "bob [at] example [dot] org", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ", "ｊａｎｅ"},
	"nested_secret":  {"Hunter2xyz"},
	"nested_field":   {"4155550199"},
}

// rawAllowed lists the columns where a raw identifier is stored on purpose; everything else in
// every table must be free of every form above.
var rawAllowed = map[string]map[string]bool{
	// Proof of consent: the consent state and its history are kept per raw user id (the consent
	// processor looks them up before pii_redaction hashes the id).
	"telemetry_consents.user_id":        {"user_id": true, "self_mention": true, "anonymized_user": true},
	"telemetry_consent_history.user_id": {"user_id": true, "self_mention": true, "anonymized_user": true},
	// The audit trail names the user whose consent was changed or data deleted (who did what to whom).
	"telemetry_audit.target_id": {"user_id": true, "deleted_user": true, "self_mention": true, "anonymized_user": true},
}

// leakCheck reports every stored form of raw PII in s; where names the table.column or endpoint.
func leakCheck(t *testing.T, where, s string) {
	t.Helper()
	kinds := make([]string, 0, len(leakForms))
	for k := range leakForms {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if rawAllowed[where][kind] {
			continue
		}
		for _, f := range leakForms[kind] {
			if strings.Contains(s, f) {
				t.Errorf("raw %s (%q) stored in %s: %.300s", kind, f, where, s[max(0, strings.Index(s, f)-120):])
			}
		}
	}
}

// dumpAllColumns returns every column of every row of every table of the collector's database,
// keyed by table.column (map columns include their keys: a key can be data too).
func dumpAllColumns(t *testing.T, c *collector) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range allTables(t, c) {
		q := url.Values{"database": {c.database}, "query": {"SELECT * FROM " + table + " FORMAT JSONEachRow"}}
		resp, err := http.Get(engineURL + "/?" + q.Encode())
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", table, body)
		sc := bufio.NewScanner(strings.NewReader(string(body)))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var row map[string]any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &row), "%s row", table)
			for col, v := range row {
				out[table+"."+col] += fmt.Sprintf("%v\n", v)
			}
		}
		out[table+"."] += "" // tables without rows are listed too
	}
	return out
}

// scrapePrometheus returns the exporter's text exposition (the unauthenticated :8889 endpoint).
func scrapePrometheus(t *testing.T, c *collector) string {
	t.Helper()
	resp, err := http.Get("http://" + c.promExp + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// The classes a careless application sends that pass straight through when fields are trusted by
// name: raw paths in http.route and span names, identifiers in URL queries, cookies, a record's own
// id in its free text, PII in metric names, attribute keys and RED labels.
const (
	selfMentionUser = "qzvx.kornel"
	anonymizedUser  = "wbly.trask"
	rawRoute        = "/users/jane.doe@example.com/orders/4111111111111111"
	templateRoute = "/users/{id}/orders/{orderId}"
	wantRoute     = "/users/{email}/orders/{card}"
)

func sendLeakyData(t *testing.T, c *collector) {
	t.Helper()
	ctx := context.Background()
	texp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(c.otlpHTTP), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(texp), sdktrace.WithResource(sdkResource("privacy")))
	tr := tp.Tracer("e2e")
	_, sp := tr.Start(ctx, "GET "+rawRoute, trace.WithSpanKind(trace.SpanKindServer))
	sp.SetAttributes(
		attribute.String("http.request.method", "GET"),
		attribute.String("http.route", rawRoute),
		attribute.String("url.full", "https://shop.example.com/api/orders?user_id=u-555&page=2"),
		attribute.String("url.query", "uid=u-555&session=c00kieS3ss10n"),
		attribute.StringSlice("http.request.header.cookie", []string{"session=c00kieS3ss10n; theme=dark"}),
		attribute.String("user.id", rawPII["user_id"]),
		attribute.Int("jane.doe@example.com", 1),
	)
	sp.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.message", "checkout failed for user-4711"),
		attribute.String("exception.stacktrace", "at Cart.load(user-4711)\n  at Checkout.run")))
	sp.End()
	// One user id per request in the raw path: the RED series stay one per route template.
	for n := range 20 {
		path := fmt.Sprintf("/api/users/%d/cart", 1000+n)
		_, s := tr.Start(ctx, "GET "+path, trace.WithSpanKind(trace.SpanKindServer))
		s.SetAttributes(attribute.String("http.request.method", "GET"), attribute.String("http.route", path))
		s.End()
	}
	// Span names that repeat the span's own user id, which no detector would find: pii_redaction
	// replaces it by the id's token (traces/consent and traces/red, whose attribute_allowlist drops
	// user.id only after that), consent/red by {id} for the user without consent.
	for _, user := range []string{selfMentionUser, anonymizedUser} {
		_, s := tr.Start(ctx, "checkout for "+user, trace.WithSpanKind(trace.SpanKindServer))
		s.SetAttributes(attribute.String("http.request.method", "POST"), attribute.String("user.id", user), attribute.String("http.route", "/checkout"))
		s.End()
	}
	_, sp = tr.Start(ctx, "GET "+templateRoute, trace.WithSpanKind(trace.SpanKindServer))
	sp.SetAttributes(attribute.String("http.request.method", "GET"), attribute.String("http.route", templateRoute))
	sp.End()
	require.NoError(t, tp.Shutdown(ctx))

	lexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(c.otlpHTTP), otlploghttp.WithInsecure(), otlploghttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(lexp)), sdklog.WithResource(sdkResource("privacy")))
	var rec otellog.Record
	rec.SetTimestamp(time.Now())
	rec.SetBody(attribute.StringValue("checkout failed for user-4711 after GET /api/orders?user_id=u-555"))
	rec.AddAttributes(attribute.String("user.id", rawPII["user_id"]), attribute.String("http.url", "/api/orders?user_id=u-555"),
		attribute.Int("jane.doe@example.com", 2))
	lp.Logger("e2e").Emit(ctx, rec)
	var variants otellog.Record
	variants.SetTimestamp(time.Now())
	variants.SetBody(attribute.StringValue("callback 089/12345678 or ０９０－１２３４－５６７８ or 415\u00a0555\u00a02671 or " +
		"415–555–2671 or (212)5550199; mail jane%40example.org, bob [at] example [dot] org, ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ"))
	variants.AddAttributes(attribute.String("payload", `{"req":"{\"user\":\"bob\",\"password\":\"Hunter2xyz\"}"}`),
		attribute.String("request.body", `{"profile":"{\"phone\":\"4155550199\",\"plan\":\"pro\"}"}`))
	lp.Logger("e2e").Emit(ctx, variants)
	require.NoError(t, lp.Shutdown(ctx))

	// OTLP/JSON as a client without the SDK's instrument-name rules sends it: a metric named after a
	// user, and an app-side RED counter labelled with the raw path.
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "privacy")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	for _, name := range []string{"signups.jane.doe@example.com", "api_requests"} {
		m := ms.AppendEmpty()
		m.SetName(name)
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := sum.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		dp.SetIntValue(3)
		if name == "api_requests" {
			dp.Attributes().PutStr("endpoint", rawRoute)
		}
	}
	body, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, "http://"+c.otlpHTTP+"/v1/metrics", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range authHeaders() {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
}
