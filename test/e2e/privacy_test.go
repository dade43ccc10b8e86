package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Raw PII that a strict collector must never store, in any column, in any form given here.
var rawPII = map[string]string{
	"email":      "jane.doe@example.com",
	"phone":      "+1 415 555 0132",
	"ssn":        "123-45-6789",
	"card":       "4111 1111 1111 1111",
	"card_int":   "4111111111111111",
	"iban":       "DE89370400440532013000",
	"ip":         "203.0.113.77",
	"jwt":        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	"url_pass":   "hunter2",
	"query":      "s3cr3tT0ken123",
	"user_id":    "user-4711",
	"session_id": "sess-98765",
	"password":   "CorrectHorse!",
}

// Look-alikes of PII that carry no personal data and must survive unchanged.
var lookAlikes = []string{
	"3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38", // UUID
	"ORD-2026-000123",                      // order number
	"v1.14.3",                              // version
	"99.99",                                // price
	"2026-11-28",                           // date
	"/api/v1/orders/123",                   // URL path
	"avatar",                               // the spec's "changes" property
}

const piiText = "payment failed for jane.doe@example.com (card 4111 1111 1111 1111, phone +1 415 555 0132, " +
	"ssn 123-45-6789, iban DE89370400440532013000) from 203.0.113.77 with token " +
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U " +
	"via https://admin:hunter2@db.example.com/x?token=s3cr3tT0ken123 " +
	"order ORD-2026-000123 request 3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38 version v1.14.3 total 99.99 on 2026-11-28 path /api/v1/orders/123"

func sendPIIData(t *testing.T, endpoint string) {
	t.Helper()
	ctx := context.Background()

	lexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(endpoint), otlploghttp.WithInsecure(), otlploghttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(lexp)), sdklog.WithResource(sdkResource("privacy")))
	logger := lp.Logger("e2e")
	emit := func(body string, attrs ...attribute.KeyValue) {
		var rec otellog.Record
		rec.SetTimestamp(time.Now())
		rec.SetBody(attribute.StringValue(body))
		rec.AddAttributes(attrs...)
		logger.Emit(ctx, rec)
	}
	// A plain log and the spec's profile-update event (event.name routes it to telemetry_events).
	emit(piiText, attribute.String("user.id", rawPII["user_id"]), attribute.String("client.address", rawPII["ip"]))
	emit("profile updated",
		attribute.String("event.name", "user_profile_update"),
		attribute.String("user.id", rawPII["user_id"]),
		attribute.String("session.id", rawPII["session_id"]),
		attribute.String("email", rawPII["email"]),
		attribute.String("password", rawPII["password"]),
		attribute.StringSlice("changes", []string{"name", "avatar"}),
		attribute.String("timestamp", "2026-11-28T17:00:00Z"),
	)
	require.NoError(t, lp.Shutdown(ctx))

	texp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(texp), sdktrace.WithResource(sdkResource("privacy")))
	_, span := tp.Tracer("e2e").Start(ctx, "checkout")
	span.SetAttributes(
		attribute.String("note", piiText),
		attribute.Int64("card.number", 4111111111111111),
		attribute.String("enduser.id", rawPII["user_id"]),
		attribute.String("client.address", rawPII["ip"]),
		attribute.String("url.full", "https://shop.example.com/api/v1/orders/123?email=jane.doe@example.com"),
	)
	span.AddEvent("charge", otelTraceAttrs(attribute.String("message", piiText)))
	span.End()
	require.NoError(t, tp.Shutdown(ctx))
}

// dumpTable returns every column of every row of a table as ClickHouse prints it, so no column escapes
// the check.
func dumpTable(t *testing.T, database, table string) string {
	t.Helper()
	q := url.Values{"database": {database}, "query": {"SELECT * FROM " + table + " FORMAT TabSeparated"}}
	resp, err := http.Get(engineURL + "/?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}

func storedPrivacyData(t *testing.T, c *collector) string {
	t.Helper()
	conn := c.db()
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE event_name = 'user_profile_update'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE service_name = 'privacy'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_spans WHERE span_name = 'checkout'")
	var all strings.Builder
	for _, table := range []string{"telemetry_events", "telemetry_logs", "telemetry_spans"} {
		all.WriteString(dumpTable(t, c.database, table))
	}
	return all.String()
}

// TestStrictModeStoresNoPII: in strict mode no form of a raw PII value (whole, digit-only, significant
// fragments) reaches any column of any table or the Prometheus endpoint: not through free text, raw
// paths in http.route and span names, URL queries, cookies, metric names, attribute keys, RED labels or
// a record's own id repeated in its text. Look-alikes, route templates and non-personal properties
// survive; identifiers become stable HMAC tokens, also where the record mentions them in its text.
func TestStrictModeStoresNoPII(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"},
		args: append(dataRightsConfig(), "--set=connectors::span_metrics::metrics_flush_interval=500ms")})
	// Strict mode is opt-in: without consent the user's records would be dropped, not redacted.
	c.grantConsent(t, testAPIKey, rawPII["user_id"], map[string]bool{"analytics": true, "performance": true, "diagnostics": true})
	c.grantConsent(t, testAPIKey, selfMentionUser, map[string]bool{"performance": true})
	c.grantConsent(t, testAPIKey, anonymizedUser, map[string]bool{"performance": false})
	sendPIIData(t, c.otlpHTTP)
	sendLeakyData(t, c)
	// A deletion of another user fills the deletion-request and suppression tables.
	del := c.requestDeletion(t, testAPIKey, "user-0815")
	c.waitRequest(t, testAPIKey, del.RequestID, "completed", 60*time.Second)

	conn := c.db()
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE event_name = 'user_profile_update'")
	eventuallyCount(t, conn, 3, "SELECT count() FROM telemetry_logs WHERE service_name = 'privacy'")
	eventuallyCount(t, conn, 24, "SELECT count() FROM telemetry_spans WHERE service_name = 'privacy'")
	// Spans pass pii_redaction twice (traces/consent and traces/red): each instance counts in its own
	// series, named by the "processor" label, so the storage path's count is not doubled.
	const redactions = "otelcol_processor_pii_redaction_redactions"
	require.EventuallyWithT(t, func(ct *assert.CollectT) {
		storagePath := selfMetricSum(t, c, redactions, `processor="pii_redaction"`, `signal="traces"`)
		redPath := selfMetricSum(t, c, redactions, `processor="pii_redaction/red"`, `signal="traces"`)
		assert.Positive(ct, storagePath, "pii_redaction's traces series")
		assert.Positive(ct, redPath, "pii_redaction/red's traces series")
		assert.InDelta(ct, storagePath+redPath, selfMetricSum(t, c, redactions, `signal="traces"`), 0, "every traces series names its processor")
	}, storeWithin, 200*time.Millisecond)
	// RED metrics from the spans, labelled by the templated route, and the app's own metrics.
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '"+wantRoute+"' AND service_name = 'privacy' AND metric_type = 'sum' AND value = 1")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '"+templateRoute+"'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'api_requests' AND value = 3")
	// 20 requests with 20 user ids in the path: one series, labelled by the template, 20 calls.
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '/api/users/{id}/cart' AND value = 20")
	var series uint64
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT uniqExact(attributes) FROM telemetry_metrics
		WHERE metric_name = 'api_requests' AND attributes['endpoint'] LIKE '/api/users/%'`).Scan(&series))
	assert.Equal(t, uint64(1), series, "one RED series for the templated route")
	// Both self-mentioning spans are counted in one RED series whose name holds {id}, not the id
	// (names become labels: the id's placeholder, not its token); only the consented one is stored.
	eventuallyCount(t, conn, 2, "SELECT toUInt64(max(value)) FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['span.name'] = 'checkout for {id}' AND attributes['endpoint'] = '/checkout'")
	assert.Equal(t, uint64(1), eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_spans WHERE span_name = 'checkout for {id}'"))
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = '[REDACTED:email]'") // signups.jane.doe@example.com: the e-mail detector takes the dotted prefix as its local part

	columns := dumpAllColumns(t, c)
	for _, table := range []string{"telemetry_events", "telemetry_logs", "telemetry_spans", "telemetry_metrics", "telemetry_consents",
		"telemetry_consent_history", "telemetry_audit", "telemetry_deletion_requests", "telemetry_suppressions"} {
		require.Contains(t, columns, table+".", "table %s dumped", table)
	}
	var all strings.Builder
	for where, dump := range columns {
		leakCheck(t, where, dump)
		all.WriteString(dump)
	}
	stored := all.String()
	for _, v := range lookAlikes {
		assert.Contains(t, stored, v, "look-alike %q lost", v)
	}
	assert.Contains(t, stored, "203.0.113.0", "IPs are truncated to their /24, not dropped")
	assert.Contains(t, columns["telemetry_spans.attributes"], templateRoute, "route templates pass unchanged")
	assert.Contains(t, columns["telemetry_spans.span_name"], "GET "+wantRoute)
	assert.Contains(t, columns["telemetry_spans.attributes"], "theme=[REDACTED:cookie]")

	// Prometheus serves the RED metrics with the templated endpoint label, and nothing raw.
	var prom string
	deadline := time.Now().Add(storeWithin)
	for {
		prom = scrapePrometheus(t, c)
		if strings.Contains(prom, `endpoint="`+wantRoute+`"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.Contains(t, prom, `endpoint="`+wantRoute+`"`)
	assert.Contains(t, prom, `endpoint="`+templateRoute+`"`)
	leakCheck(t, "prometheus", prom)

	// The hashed user id is the same token everywhere, also where the record mentioned it in its text.
	var eventUser, logUser string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT user_id FROM telemetry_events LIMIT 1").Scan(&eventUser))
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT user_id FROM telemetry_logs LIMIT 1").Scan(&logUser))
	assert.True(t, strings.HasPrefix(eventUser, "hmac:"), "user_id column holds a token: %q", eventUser)
	assert.Equal(t, eventUser, logUser)
	assert.Equal(t, userToken(rawPII["user_id"]), eventUser)
	assert.Contains(t, columns["telemetry_logs.body"], "checkout failed for "+eventUser)
	assert.Contains(t, columns["telemetry_spans.events.attributes"], "checkout failed for "+eventUser)
	assert.Contains(t, stored, "user_id="+userToken("u-555"), "identifier query parameters carry the identifier token")
}

// TestMinimalModeKeepsIdentifiers: minimal mode keeps identifiers (and contact data) but still removes
// credentials, secrets, card numbers and pii_fields such as password.
func TestMinimalModeKeepsIdentifiers(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"}})
	sendPIIData(t, c.otlpHTTP)
	stored := storedPrivacyData(t, c)
	for _, kept := range []string{"user_id", "session_id", "ip"} {
		assert.Contains(t, stored, rawPII[kept], "%s kept in minimal mode", kept)
	}
	for _, removed := range []string{"password", "card", "card_int", "jwt", "url_pass", "query"} {
		assert.NotContains(t, stored, rawPII[removed], "%s removed even in minimal mode", removed)
	}
	var user string
	require.NoError(t, c.db().QueryRow(context.Background(), "SELECT user_id FROM telemetry_events LIMIT 1").Scan(&user))
	assert.Equal(t, rawPII["user_id"], user)
}
