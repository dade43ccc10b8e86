package dashboardextension

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
)

// A scrape of the collector's own endpoint as the Prometheus exporter writes it (trimmed).
const exposition = `# HELP otelcol_receiver_accepted_log_records_total Number of log records successfully pushed into the pipeline.
# TYPE otelcol_receiver_accepted_log_records_total counter
otelcol_receiver_accepted_log_records_total{otel_scope_name="go.opentelemetry.io/collector/receiver/receiverhelper",receiver="telemetry_events",transport="http"} 19
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="grpc"} 5
otelcol_receiver_refused_spans_total{receiver="otlp",transport="grpc"} 2
otelcol_receiver_failed_spans_total{receiver="otlp",transport="grpc"} 1
otelcol_exporter_sent_log_records_total{exporter="telemetry_storage"} 18
otelcol_exporter_send_failed_log_records_total{exporter="telemetry_storage"} 3
otelcol_exporter_enqueue_failed_spans_total{exporter="telemetry_storage"} 4
otelcol_exporter_queue_size{data_type="logs",exporter="telemetry_storage"} 7
otelcol_exporter_queue_capacity{data_type="logs",exporter="telemetry_storage"} 100000
otelcol_processor_memory_limiter_refused_spans_total{processor="memory_limiter"} 6
otelcol_processor_consent_records_total{outcome="dropped",purpose="analytics",reason="default_opt_in",signal="logs"} 1
otelcol_processor_consent_records_total{outcome="passed",purpose="analytics",reason="granted",signal="logs"} 18
otelcol_processor_pii_redaction_redactions_total{detector="email",signal="logs"} 2
otelcol_processor_pii_redaction_redactions_total{detector="identifier",signal="logs"} 18
otelcol_processor_consent_records_total{processor="consent/red",outcome="anonymized",purpose="performance",reason="default_opt_in",signal="traces"} 40
otelcol_processor_pii_redaction_redactions_total{processor="pii_redaction/red",detector="identifier",signal="traces"} 80
weird_metric{label="with \"quotes\", a comma and \\ backslash"} 1.5e3 1700000000000
`

func TestParseAndSummarize(t *testing.T) {
	ss, err := parseText(strings.NewReader(exposition))
	require.NoError(t, err)
	require.Len(t, ss, 17)
	last := ss[len(ss)-1]
	assert.Equal(t, `with "quotes", a comma and \ backslash`, last.labels["label"])
	assert.InDelta(t, 1500, last.value, 0)

	sum := ss.summary()
	assert.Equal(t, map[string]float64{
		"accepted": 24, "refused": 2, "sent": 18, "send_failed": 3, "enqueue_failed": 4, "queue_size": 7,
		"queue_capacity": 100000, "memory_limiter_refused": 6, "consent_passed": 18, "consent_dropped": 1,
		"consent_anonymized": 0, "pii_redactions": 20,
	}, sum.Totals, "the RED pipeline's consent/red and pii_redaction/red are not counted: they see spans a second time")
	assert.Equal(t, []flowRow{
		{Component: "otlp", Signal: "spans", Counts: map[string]float64{"accepted": 5, "refused": 2, "failed": 1}},
		{Component: "telemetry_events", Signal: "log_records", Counts: map[string]float64{"accepted": 19}},
	}, sum.Receivers)
	assert.Equal(t, []queueRow{{Exporter: "telemetry_storage", Size: 7, Capacity: 100000}}, sum.Queues)
	assert.Equal(t, consentRow{Signal: "logs", Purpose: "analytics", Outcome: "dropped", Reason: "default_opt_in", Records: 1}, sum.Consent[0])
	assert.Equal(t, redactionRow{Detector: "email", Signal: "logs", Count: 2}, sum.Redactions[0])
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{`metric{a="b" 1`, `metric{a=b} 1`, `metric{a="b"}`, `metric notanumber`, `{a="b"} 1`} {
		_, err := parseText(strings.NewReader(bad + "\n"))
		assert.Error(t, err, bad)
	}
}

func TestScrapeFailureCounted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	defer srv.Close()
	tel, err := metadata.NewTelemetry(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	_, err = newScraper(srv.URL, time.Second, tel).scrape(context.Background())
	require.ErrorContains(t, err, "500")

	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(exposition)) }))
	defer ok.Close()
	ss, err := newScraper(ok.URL, time.Second, tel).scrape(context.Background())
	require.NoError(t, err)
	assert.Len(t, ss, 17)
}

func BenchmarkParseText(b *testing.B) {
	text := strings.Repeat(exposition, 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseText(strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSummaryLeavesOutRedPipeline: a collector running the shipped traces pipelines exposes each
// processor's counts twice, once per instance (pii_redaction and pii_redaction/red, consent and
// consent/red); the dashboard shows the storage path's counts only.
func TestSummaryLeavesOutRedPipeline(t *testing.T) {
	ss, err := parseText(strings.NewReader(`otelcol_processor_pii_redaction_redactions_total{detector="email",processor="pii_redaction",signal="traces"} 3
otelcol_processor_pii_redaction_redactions_total{detector="email",processor="pii_redaction/red",signal="traces"} 5
otelcol_processor_pii_redaction_redactions_total{detector="ip_address",processor="pii_redaction",signal="logs"} 2
otelcol_processor_consent_records_total{outcome="passed",processor="consent",purpose="performance",reason="granted",signal="traces"} 7
otelcol_processor_consent_records_total{outcome="passed",processor="consent/red",purpose="performance",reason="granted",signal="traces"} 11
`))
	require.NoError(t, err)
	sum := ss.summary()
	assert.Equal(t, []redactionRow{
		{Detector: "email", Signal: "traces", Count: 3},
		{Detector: "ip_address", Signal: "logs", Count: 2},
	}, sum.Redactions)
	assert.InDelta(t, 5, sum.Totals["pii_redactions"], 0)
	assert.Equal(t, []consentRow{{Signal: "traces", Purpose: "performance", Outcome: "passed", Reason: "granted", Records: 7}}, sum.Consent)
	assert.InDelta(t, 7, sum.Totals["consent_passed"], 0)
}
