package e2e

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// redRequests is what TestREDNumbersMatchWhatWasSent sends: one server span per request of
// /checkout, a quarter each from a consenting user, a user who declined, a user who never answered
// (strict mode: no consent) and an anonymous caller; every fifth one fails.
const redRequests = 240

// redLatency is request i's duration: a skewed, known distribution from 12 ms to about 240 ms.
func redLatency(i int) time.Duration {
	x := float64((i*97)%redRequests) / redRequests // a fixed permutation of 0..1
	return time.Duration(12 * math.Exp(3*x*x) * float64(time.Millisecond))
}

func redUser(i int) string { return []string{"red-yes", "red-no", "red-unknown", ""}[i%4] }

func sendREDRequests(t *testing.T, c *collector, at time.Time) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(c.otlpHTTP), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour)), sdktrace.WithResource(sdkResource("shop")))
	for i := range redRequests {
		start := at.Add(time.Duration(i) * time.Millisecond)
		_, span := tp.Tracer("e2e").Start(ctx, "GET /checkout", trace.WithTimestamp(start), trace.WithSpanKind(trace.SpanKindServer))
		span.SetAttributes(attribute.String("http.route", "/checkout"), attribute.String("http.request.method", "GET"))
		if u := redUser(i); u != "" {
			span.SetAttributes(attribute.String("enduser.id", u))
		}
		if i%5 == 0 {
			span.SetStatus(codes.Error, "boom")
		}
		span.End(trace.WithTimestamp(start.Add(redLatency(i))))
	}
	require.NoError(t, tp.Shutdown(ctx))
}

// TestREDNumbersMatchWhatWasSent: RED metrics are operational aggregates computed from every span
// before consent, so they count what the service handled (users without consent included), while
// only consented and anonymous spans are stored; the p95 from the exponential histogram is within
// 5 % of the true p95; source=spans with group_by answers.
func TestREDNumbersMatchWhatWasSent(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"},
		args: []string{"--set=connectors::span_metrics::metrics_flush_interval=500ms"},
	})
	c.grantConsent(t, testAPIKey, "red-yes", map[string]bool{"performance": true})
	c.grantConsent(t, testAPIKey, "red-no", map[string]bool{"performance": false})
	at := time.Now().UTC().Add(-2 * time.Minute)
	sendREDRequests(t, c, at)

	var latencies []float64
	errs := 0
	for i := range redRequests {
		latencies = append(latencies, float64(redLatency(i))/float64(time.Millisecond))
		if i%5 == 0 {
			errs++
		}
	}
	slices.Sort(latencies)
	trueP95 := latencies[int(math.Ceil(0.95*redRequests))-1]

	q := func(kv ...string) url.Values {
		v := url.Values{"start_time": {ms(at.Add(-time.Hour))}, "end_time": {ms(time.Now().Add(time.Hour))}, "interval": {"all"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	total := func(a aggAnswer) float64 {
		var s float64
		for _, se := range a.Series {
			for _, p := range se.Points {
				if p[1] != nil {
					s += *p[1]
				}
			}
		}
		return s
	}
	var requests float64
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		requests = total(c.aggregate(t, testAPIKey, q("metric_name", "api_requests", "aggregation", "sum", "attr.endpoint", "/checkout")))
		if requests >= redRequests {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	assert.Equal(t, float64(redRequests), requests, "api_requests counts every request, users without consent included")
	errors := total(c.aggregate(t, testAPIKey, q("metric_name", "api_requests", "aggregation", "sum",
		"attr.endpoint", "/checkout", "attr.status.code", "STATUS_CODE_ERROR")))
	assert.Equal(t, float64(errs), errors, "errors")

	p95 := c.aggregate(t, testAPIKey, q("metric_name", "response_time", "aggregation", "p95", "attr.endpoint", "/checkout"))
	assert.Equal(t, "exponential_histogram", p95.MetricType)
	assert.False(t, p95.Exact, "a percentile from buckets is approximate")
	require.Len(t, p95.Series, 1)
	require.Len(t, p95.Series[0].Points, 1)
	require.NotNil(t, p95.Series[0].Points[0][1])
	got := *p95.Series[0].Points[0][1]
	assert.InEpsilon(t, trueP95, got, 0.05, "p95 %.2f ms, true %.2f ms", got, trueP95)

	// Only consented and anonymous spans are stored; the README's own example groups them.
	stored := uint64(redRequests / 2)
	eventuallyCount(t, c.db(), stored, `SELECT count() FROM telemetry_spans WHERE span_name = 'GET /checkout'`)
	r := c.query(t, testAPIKey, "/metrics/aggregate", url.Values{"source": {"spans"}, "aggregation": {"weighted_traces"},
		"group_by": {"span_name"}, "interval": {"1h"}, "start_time": {ms(at.Add(-time.Hour))}, "end_time": {ms(time.Now().Add(time.Minute))}})
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	var a aggAnswer
	require.NoError(t, json.Unmarshal(r.body, &a))
	assert.Equal(t, float64(stored), total(a))
	require.NotEmpty(t, a.Series)
	assert.Equal(t, "GET /checkout", a.Series[0].Group["span_name"])
	for _, agg := range []string{"count", "errors", "traces"} {
		r := c.query(t, testAPIKey, "/metrics/aggregate", url.Values{"source": {"spans"}, "aggregation": {agg},
			"group_by": {"span_name,service"}, "start_time": {ms(at.Add(-time.Hour))}, "end_time": {ms(time.Now().Add(time.Minute))}})
		assert.Equal(t, http.StatusOK, r.status, "%s: %s", agg, r.body)
	}
}

// TestRecordWithoutTimestampStoredAtReceipt: a log record and a metric point without any time are
// stored at the time the collector received them, not when the queue flushed them (4 s later here).
func TestRecordWithoutTimestampStoredAtReceipt(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_FLUSH_INTERVAL": "4", "TELEMETRY_BATCH_SIZE": "100000"}})
	res := `{"attributes":[{"key":"service.name","value":{"stringValue":"receipt"}}]}`
	sent := time.Now()
	r := send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", testAPIKey, map[string]string{"Content-Type": "application/json"},
		[]byte(`{"resourceLogs":[{"resource":`+res+`,"scopeLogs":[{"logRecords":[{"body":{"stringValue":"no time at all"}}]}]}]}`))
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r = send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/metrics", testAPIKey, map[string]string{"Content-Type": "application/json"},
		[]byte(`{"resourceMetrics":[{"resource":`+res+`,"scopeMetrics":[{"metrics":[{"name":"receipt_gauge","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}`))
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	received := time.Now()
	conn := c.db()
	eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_logs WHERE body = 'no time at all'`)
	eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_metrics WHERE metric_name = 'receipt_gauge'`)
	for _, q := range []string{
		`SELECT timestamp FROM telemetry_logs WHERE body = 'no time at all'`,
		`SELECT observed_timestamp FROM telemetry_logs WHERE body = 'no time at all'`,
		`SELECT timestamp FROM telemetry_metrics WHERE metric_name = 'receipt_gauge'`,
	} {
		var ts time.Time
		require.NoError(t, c.db().QueryRow(context.Background(), q).Scan(&ts))
		assert.False(t, ts.Before(sent.Add(-time.Second)) || ts.After(received.Add(time.Second)),
			"%s: %s, received between %s and %s (the flush came about 4 s later)", q, ts, sent, received)
	}
}

// TestConsentStatusAfterErasure: once a user's erasure is accepted (and after it completed),
// /consent/status no longer answers from the consent store's cache, which would say "granted" until
// its next full reload (10 minutes by default).
func TestConsentStatusAfterErasure(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}, args: dataRightsConfig()})
	const user = "erased-user"
	c.grantConsent(t, testAPIKey, user, map[string]bool{"analytics": true, "performance": true})
	_, before := consentStatus(t, c, testAPIKey, user)
	require.Equal(t, "granted", before["analytics"].Status)
	st := c.requestDeletion(t, testAPIKey, user)
	_, after := consentStatus(t, c, testAPIKey, user)
	for purpose, s := range after {
		assert.NotEqual(t, "granted", s.Status, "%s right after the erasure was accepted", purpose)
		assert.False(t, s.Consented, "%s: strict mode, no consent recorded", purpose)
	}
	done := c.waitRequest(t, testAPIKey, st.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status)
	_, after = consentStatus(t, c, testAPIKey, user)
	assert.Equal(t, "none", after["analytics"].Status, "after the erasure completed")
}
