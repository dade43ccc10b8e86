package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// probe is one record of a consent scenario: the user it belongs to ("" = anonymous) and a marker
// that identifies it in storage. Markers are needed because pii_redaction hashes user.id in strict
// and balanced mode, so the user_id column cannot tell the users apart by their raw ids.
type probe struct{ user, marker string }

// probeEvent is the name of every product event the consent tests send (purpose analytics).
const probeEvent = "consent_probe"

// consentConfig is an extra configuration merged over config/local.yaml.
func consentConfig(name string) []string {
	return []string{"--config", filepath.Join(repoRoot, "test", "e2e", "testdata", name)}
}

// postEvents sends the probes as one POST /events/batch, so the pipeline sees them in one request
// and stores the passed ones in one insert: once any of them is visible, all of them are.
func postEvents(t *testing.T, c *collector, key string, probes ...probe) {
	t.Helper()
	events := make([]map[string]any, 0, len(probes))
	for _, p := range probes {
		ev := map[string]any{
			"event_name": probeEvent,
			"properties": map[string]any{"marker": p.marker},
			"context":    map[string]any{"session_id": "sess-" + p.marker, "ip": "198.51.100.7"},
		}
		if p.user != "" {
			ev["user_id"] = p.user
		}
		events = append(events, ev)
	}
	status, body := c.apiCall(t, http.MethodPost, "/events/batch", key, map[string]any{"events": events})
	require.Equal(t, http.StatusAccepted, status, "events batch: %v", body)
	require.EqualValues(t, len(probes), body["accepted"], "events batch: %v", body)
}

// sendProbeSpans exports one root span per probe (attributes marker and enduser.id, the semantic
// convention's key on spans) in one OTLP request.
func sendProbeSpans(t *testing.T, c *collector, probes ...probe) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(c.otlpHTTP), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	// The batcher exports everything at Shutdown in one request.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour)), sdktrace.WithResource(sdkResource("consent")))
	for _, p := range probes {
		attrs := []attribute.KeyValue{attribute.String("marker", p.marker)}
		if p.user != "" {
			attrs = append(attrs, attribute.String("enduser.id", p.user))
		}
		_, span := tp.Tracer("e2e").Start(ctx, "probe")
		span.SetAttributes(attrs...)
		span.End()
	}
	require.NoError(t, tp.Shutdown(ctx))
}

// sendProbeMetrics exports one data point of counter probe_requests per probe (attributes marker
// and user.id) in one OTLP request.
func sendProbeMetrics(t *testing.T, c *collector, probes ...probe) {
	t.Helper()
	ctx := context.Background()
	mp := meterProvider(t, c, "consent")
	counter, err := mp.Meter("e2e").Int64Counter("probe_requests")
	require.NoError(t, err)
	for _, p := range probes {
		attrs := []attribute.KeyValue{attribute.String("marker", p.marker)}
		if p.user != "" {
			attrs = append(attrs, attribute.String("user.id", p.user))
		}
		counter.Add(ctx, 1, metric.WithAttributes(attrs...))
	}
	require.NoError(t, mp.Shutdown(ctx)) // one collection, one export
}

// sendProbeLogs exports one OTLP log record per probe in one request: a product event (EventName
// set, purpose analytics) when event is true, else a plain log line (purpose diagnostics).
func sendProbeLogs(t *testing.T, c *collector, event bool, probes ...probe) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(c.otlpHTTP), otlploghttp.WithInsecure(), otlploghttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(exp, sdklog.WithExportInterval(time.Hour))),
		sdklog.WithResource(sdkResource("consent")))
	logger := lp.Logger("e2e")
	for _, p := range probes {
		var rec otellog.Record
		rec.SetTimestamp(time.Now())
		rec.SetBody(attribute.StringValue("probe " + p.marker))
		if event {
			rec.SetEventName(probeEvent + "_otlp")
		}
		rec.AddAttributes(attribute.String("marker", p.marker))
		if p.user != "" {
			rec.AddAttributes(attribute.String("user.id", p.user))
		}
		logger.Emit(ctx, rec)
	}
	require.NoError(t, lp.Shutdown(ctx))
}

// markers lists the marker attribute of the rows of table matching where, sorted.
func markers(t *testing.T, conn driver.Conn, table, where string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT attributes['marker'] FROM "+table+" WHERE "+where+" ORDER BY 1")
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var m string
		require.NoError(t, rows.Scan(&m))
		out = append(out, m)
	}
	require.NoError(t, rows.Err())
	return out
}

// waitMarkers waits until every marker of want is stored in table (rows matching where) and then
// requires that exactly want is stored: the records that must be missing were in the same request
// as the ones that must be there, so by then they would have been stored too.
func waitMarkers(t *testing.T, conn driver.Conn, table, where string, want ...string) {
	t.Helper()
	sort.Strings(want)
	deadline := time.Now().Add(storeWithin)
	for {
		got := markers(t, conn, table, where)
		if containsAll(got, want) || time.Now().After(deadline) {
			require.Equal(t, want, got, "markers stored in %s where %s", table, where)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func containsAll(got, want []string) bool {
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// convergeWithin bounds the wait for a change made through one collector (a consent, an erasure)
// to be enforced by another collector on the same database. The documented bound is the
// refresh_interval plus one query; but every e2e test shares one engine that runs one statement
// at a time, so on a loaded 2-core CI machine a refresh query can wait behind other tests'
// statements for seconds (CI once saw gateways still behind after 1.5 s). The tests prove that
// the periodic refresh carries the change — the only other path, the full reload, comes after
// 10 minutes — and log how long it took; the figure itself is not a timed test's to assert.
const convergeWithin = 30 * time.Second

// purposeState is one purpose of GET /consent/status.
type purposeState struct {
	Consented, DefaultApplies bool
	Status                    string
}

// consentStatus returns default_policy and the state per purpose of user in the key's tenant.
func consentStatus(t *testing.T, c *collector, key, user string) (string, map[string]purposeState) {
	t.Helper()
	status, body := c.apiCall(t, http.MethodGet, "/consent/status?user_id="+url.QueryEscape(user), key, nil)
	require.Equal(t, http.StatusOK, status, "consent status: %v", body)
	require.Equal(t, user, body["user_id"])
	out := map[string]purposeState{}
	purposes, ok := body["purposes"].(map[string]any)
	require.True(t, ok, "purposes in %v", body)
	for name, v := range purposes {
		m, ok := v.(map[string]any)
		require.True(t, ok, "purposes.%s in %v", name, body)
		s, _ := m["status"].(string)
		consented, _ := m["consented"].(bool)
		def, _ := m["default_applies"].(bool)
		out[name] = purposeState{Consented: consented, DefaultApplies: def, Status: s}
	}
	policy, _ := body["default_policy"].(string)
	return policy, out
}

// consentRecordsRE matches one series of the consent processor's counter in the Prometheus text format.
var (
	consentRecordsRE = regexp.MustCompile(`(?m)^otelcol_processor_consent_records(?:_total)?\{([^}]*)\} (\S+)$`)
	labelRE          = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// consentCounts scrapes the collector's self-metrics and sums the consent processor's counter by
// "signal/purpose/outcome/reason".
func consentCounts(t *testing.T, c *collector) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + c.selfMet + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for _, m := range consentRecordsRE.FindAllSubmatch(body, -1) {
		labels := map[string]string{}
		for _, l := range labelRE.FindAllSubmatch(m[1], -1) {
			labels[string(l[1])] = string(l[2])
		}
		v, err := strconv.ParseFloat(string(m[2]), 64)
		require.NoError(t, err)
		if strings.HasSuffix(labels["processor"], "/red") {
			continue // consent/red: the RED pipeline's own pass over every span, not what reaches storage
		}
		out[fmt.Sprintf("%s/%s/%s/%s", labels["signal"], labels["purpose"], labels["outcome"], labels["reason"])] += v
	}
	return out
}

var filterDroppedRE = regexp.MustCompile(`(?m)^otelcol_processor_filter_(?:logs|spans|datapoints)_filtered(?:_total)?\{[^}]*\} (\S+)$`)

// filterDropped sums what filter/disabled (TELEMETRY_ENABLED=false) dropped, over all signals.
func filterDropped(t *testing.T, c *collector) float64 {
	t.Helper()
	resp, err := http.Get("http://" + c.selfMet + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var sum float64
	for _, m := range filterDroppedRE.FindAllSubmatch(body, -1) {
		v, err := strconv.ParseFloat(string(m[1]), 64)
		require.NoError(t, err)
		sum += v
	}
	return sum
}

// meterProvider is the OTel Go SDK as an instrumented service runs it, exporting to c over OTLP/HTTP
// with the bootstrap key; its reader's interval is an hour, so Shutdown makes the one export.
func meterProvider(t *testing.T, c *collector, service string) *sdkmetric.MeterProvider {
	t.Helper()
	exp, err := otlpmetrichttp.New(context.Background(), otlpmetrichttp.WithEndpoint(c.otlpHTTP), otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))),
		sdkmetric.WithResource(sdkResource(service)))
}
