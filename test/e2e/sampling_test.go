package e2e

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// The traffic of TestTailSamplingAndREDMetrics: every trace is a POST /checkout server span with
// a db.query and a payment child. Durations are set through explicit timestamps, so "slow" costs
// no waiting and every figure the metrics must show is known exactly.
const (
	sampledTraces = 1000
	errorTraces   = 50 // the payment child ends in an error
	slowTraces    = 30 // the root lasts 1.5 s or more (TELEMETRY_SAMPLE_SLOW_MS is 1000)
	sampleRate    = 0.1
	spansPerTrace = 3
)

type traceKind int

const (
	normalTrace traceKind = iota
	errorTrace
	slowTrace
)

type sentTrace struct {
	kind   traceKind
	rootMs int // duration of the root span
}

// sendCheckoutTraces sends the traffic; with rs, each trace's root also carries rs.next as its
// tracestate (children inherit it), set from the trace's index and kind.
func sendCheckoutTraces(t *testing.T, endpoint string, rs *randomnessSampler) map[string]sentTrace {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithBatcher(exp, sdktrace.WithMaxExportBatchSize(600), sdktrace.WithBatchTimeout(50*time.Millisecond), sdktrace.WithMaxQueueSize(4*sampledTraces*spansPerTrace)),
		sdktrace.WithResource(sdkResource("shop")),
	}
	if rs != nil {
		opts = append(opts, sdktrace.WithSampler(rs))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	tracer := tp.Tracer("e2e")
	base := time.Now().Add(-2 * time.Minute)
	sent := make(map[string]sentTrace, sampledTraces)
	slow := 0
	for i := 0; i < sampledTraces; i++ {
		st := sentTrace{kind: normalTrace, rootMs: 2 + (i*37)%400}
		switch {
		case i%20 == 0:
			st.kind = errorTrace
		case i%20 == 1 && slow < slowTraces:
			st.kind, st.rootMs = slowTrace, 1500+i%100
			slow++
		}
		start := base.Add(time.Duration(i) * time.Millisecond)
		if rs != nil {
			rs.next = rs.assign(i, st.kind)
		}
		rootCtx, root := tracer.Start(ctx, "POST /checkout", trace.WithTimestamp(start), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.route", "/checkout"), attribute.String("http.request.method", "POST")))
		_, db := tracer.Start(rootCtx, "db.query", trace.WithTimestamp(start.Add(time.Millisecond)), trace.WithSpanKind(trace.SpanKindClient))
		db.End(trace.WithTimestamp(start.Add(2 * time.Millisecond)))
		_, pay := tracer.Start(rootCtx, "payment", trace.WithTimestamp(start.Add(time.Millisecond)))
		if st.kind == errorTrace {
			pay.SetStatus(codes.Error, "card declined")
		}
		pay.End(trace.WithTimestamp(start.Add(2 * time.Millisecond)))
		root.End(trace.WithTimestamp(start.Add(time.Duration(st.rootMs) * time.Millisecond)))
		sent[root.SpanContext().TraceID().String()] = st
	}
	require.NoError(t, tp.Shutdown(ctx))
	require.Len(t, sent, sampledTraces)
	return sent
}

var tailDecisionsRE = regexp.MustCompile(`(?m)^otelcol_exporter_telemetry_storage_sampling_traces_decided(?:_total)?\{([^}]*)\} (\S+)$`)

// tailDecisions scrapes the collector's self-metrics: traces decided, and of them kept.
func tailDecisions(t *testing.T, c *collector) (decided, kept float64) {
	t.Helper()
	resp, err := http.Get("http://" + c.selfMet + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, m := range tailDecisionsRE.FindAllSubmatch(body, -1) {
		v, err := strconv.ParseFloat(string(m[2]), 64)
		require.NoError(t, err)
		decided += v
		if regexp.MustCompile(`sampled="true"`).Match(m[1]) {
			kept += v
		}
	}
	return decided, kept
}

type storedTrace struct {
	spans         uint64
	minRate, maxR float64
}

func storedTraces(t *testing.T, conn driver.Conn) map[string]storedTrace {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT trace_id, count(), min(sample_rate), max(sample_rate)
		FROM telemetry_spans WHERE service_name = 'shop' GROUP BY trace_id`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]storedTrace{}
	for rows.Next() {
		var id string
		var st storedTrace
		require.NoError(t, rows.Scan(&id, &st.spans, &st.minRate, &st.maxR))
		out[id] = st
	}
	require.NoError(t, rows.Err())
	return out
}

// TestTailSamplingAndREDMetrics: 1,000 traces at TELEMETRY_SAMPLE_RATE=0.1, 50 with an error span
// and 30 slow. Every error and slow trace is stored whole at sample_rate 1, about a tenth of the
// rest at sample_rate 0.1, so sum(1/sample_rate) estimates the 1,000; api_requests and
// response_time count every request before sampling, in ClickHouse and on the Prometheus endpoint.
func TestTailSamplingAndREDMetrics(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env: map[string]string{
			"TELEMETRY_SAMPLE_RATE":          fmt.Sprint(sampleRate),
			"TELEMETRY_SAMPLE_DECISION_WAIT": "1",
		},
		args: []string{"--set=connectors::span_metrics::metrics_flush_interval=500ms"},
	})
	conn := c.db()
	ctx := context.Background()
	sent := sendCheckoutTraces(t, c.otlpHTTP, nil)

	// Every trace decided, and every span of the kept ones in storage.
	deadline := time.Now().Add(storeWithin)
	var decided, kept float64
	for time.Now().Before(deadline) {
		if decided, kept = tailDecisions(t, c); decided >= sampledTraces {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.Equal(t, float64(sampledTraces), decided, "tail_sampling decided every trace once (none evicted early)")
	eventuallyCount(t, conn, uint64(kept)*spansPerTrace, "SELECT count() FROM telemetry_spans WHERE service_name = 'shop'")
	stored := storedTraces(t, conn)
	require.Len(t, stored, int(kept))

	var keptNormal int
	for id, st := range sent {
		got, ok := stored[id]
		switch st.kind {
		case errorTrace, slowTrace:
			if assert.True(t, ok, "trace %s (kind %d) must be kept", id, st.kind) {
				assert.Equal(t, uint64(spansPerTrace), got.spans, "trace %s stored whole", id)
				assert.Equal(t, [2]float64{1, 1}, [2]float64{got.minRate, got.maxR}, "trace %s kept for certain", id)
			}
		default:
			if ok {
				keptNormal++
				assert.Equal(t, uint64(spansPerTrace), got.spans, "trace %s stored whole", id)
				assert.InDelta(t, sampleRate, got.minRate, 1e-6, "trace %s kept by chance", id)
				assert.InDelta(t, sampleRate, got.maxR, 1e-6, "trace %s kept by chance", id)
			}
		}
	}
	for id := range stored {
		assert.Contains(t, sent, id, "stored a trace that was never sent")
	}
	// Kept by chance: Binomial(920, 0.1), mean 92, sd 9.1; 5 sd either side fails about once in
	// two million runs.
	n := float64(sampledTraces - errorTraces - slowTraces)
	mean, sd := n*sampleRate, math.Sqrt(n*sampleRate*(1-sampleRate))
	assert.InDelta(t, mean, float64(keptNormal), 5*sd, "traces kept by chance")

	// The stored rate gives the Horvitz-Thompson estimate of the traffic: every kept trace counts
	// 1/sample_rate (root spans are traces).
	var weighted float64
	require.NoError(t, conn.QueryRow(ctx, `SELECT sum(1 / sample_rate) FROM telemetry_spans
		WHERE service_name = 'shop' AND parent_span_id = ''`).Scan(&weighted))
	assert.InDelta(t, float64(errorTraces+slowTraces)+float64(keptNormal)/sampleRate, weighted, 1e-6, "each kept trace weighs 1/rate")
	// Its standard deviation is sd/rate = 91 traces (9 %): the estimate is unbiased, not exact.
	assert.InDelta(t, float64(sampledTraces), weighted, 5*sd/sampleRate, "weighted count estimates the traffic")
	t.Logf("kept %v of %d traces (%d by chance); weighted count %.0f (%.1f %% off %d)", kept, sampledTraces, keptNormal,
		weighted, 100*math.Abs(weighted-sampledTraces)/sampledTraces, sampledTraces)

	// The query API weighs the same way: source=spans, aggregation=weighted_traces / weighted_errors.
	apiValue := func(aggregation string) (float64, bool) {
		t.Helper()
		a := c.aggregate(t, testAPIKey, url.Values{"source": {"spans"}, "aggregation": {aggregation}, "service": {"shop"}, "interval": {"all"}})
		require.Len(t, a.Series, 1, aggregation)
		require.Len(t, a.Series[0].Points, 1, aggregation)
		return *a.Series[0].Points[0][1], a.Exact
	}
	v, exact := apiValue("weighted_traces")
	assert.InDelta(t, weighted, v, 1e-6, "query API weighted_traces equals sum(1/sample_rate) of root spans")
	assert.False(t, exact, "a weighted count is an estimate")
	v, exact = apiValue("traces")
	assert.Equal(t, kept, v, "query API traces: as stored")
	assert.True(t, exact)
	v, _ = apiValue("weighted_errors")
	assert.Equal(t, float64(errorTraces), v, "error spans are kept for certain: they weigh 1")
	v, _ = apiValue("weighted_count")
	assert.InDelta(t, spansPerTrace*weighted, v, 1e-6, "every span of a trace weighs as its trace")

	// RED metrics count every request before sampling.
	var sumMs float64
	var observed []float64
	for _, st := range sent {
		sumMs += float64(st.rootMs)
		observed = append(observed, float64(st.rootMs))
	}
	scale := checkREDInClickHouse(t, conn, sumMs, observed)
	checkREDOnPrometheus(t, c, sumMs, scale)
	checkAppMetricOnPrometheus(t, c)
}

// checkAppMetricOnPrometheus: an application's own counter reaches :8889 with the same values and
// the tenant and service as labels.
func checkAppMetricOnPrometheus(t *testing.T, c *collector) {
	t.Helper()
	ctx := context.Background()
	mp := meterProvider(t, c, "shop")
	orders, err := mp.Meter("e2e").Int64Counter("orders")
	require.NoError(t, err)
	orders.Add(ctx, 7, metricAttr("endpoint", "/api/users"))
	orders.Add(ctx, 5, metricAttr("endpoint", "/api/orders"))
	require.NoError(t, mp.Shutdown(ctx))

	got := map[string]float64{}
	for deadline := time.Now().Add(storeWithin); time.Now().Before(deadline) && len(got) < 2; time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get("http://" + c.promExp + "/metrics")
		require.NoError(t, err)
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		for _, m := range families["orders_total"].GetMetric() {
			key := labelOf(m.GetLabel(), "endpoint") + " tenant=" + labelOf(m.GetLabel(), "tenant_id") + " service=" + labelOf(m.GetLabel(), "service_name")
			got[key] = m.GetCounter().GetValue()
		}
	}
	assert.Equal(t, map[string]float64{
		"/api/users tenant=default service=shop":  7,
		"/api/orders tenant=default service=shop": 5,
	}, got, "orders_total on :8889")
}

// checkREDInClickHouse reads the latest cumulative points of api_requests and response_time for
// /checkout from telemetry_metrics: every observation lies in the exponential bucket
// (base^k, base^(k+1)], base = 2^(2^-scale), the stored counts say. It returns the scale.
func checkREDInClickHouse(t *testing.T, conn driver.Conn, sumMs float64, observed []float64) int32 {
	t.Helper()
	ctx := context.Background()
	eventuallyCount(t, conn, sampledTraces, `SELECT toUInt64(max(value)) FROM telemetry_metrics
		WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '/checkout'`)
	var tenant, service, kind, temporality string
	var value float64
	require.NoError(t, conn.QueryRow(ctx, `SELECT tenant_id, service_name, attributes['span.kind'], toString(temporality), value
		FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '/checkout'
		ORDER BY timestamp DESC LIMIT 1`).Scan(&tenant, &service, &kind, &temporality, &value))
	assert.Equal(t, []string{"default", "shop", "SPAN_KIND_SERVER", "cumulative"}, []string{tenant, service, kind, temporality})
	assert.Equal(t, float64(sampledTraces), value, "api_requests counts every request, not the sampled ones")

	eventuallyCount(t, conn, sampledTraces, `SELECT max(count) FROM telemetry_metrics
		WHERE metric_name = 'response_time' AND attributes['endpoint'] = '/checkout'`)
	var count uint64
	var sum float64
	var unit, typ string
	var scale, offset int32
	var buckets []uint64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count, value, metric_unit, toString(metric_type), exp_scale, exp_positive_offset,
		exp_positive_bucket_counts FROM telemetry_metrics
		WHERE metric_name = 'response_time' AND attributes['endpoint'] = '/checkout' ORDER BY timestamp DESC LIMIT 1`).
		Scan(&count, &sum, &unit, &typ, &scale, &offset, &buckets))
	assert.Equal(t, uint64(sampledTraces), count)
	assert.InDelta(t, sumMs, sum, 1e-6)
	assert.Equal(t, "ms", unit)
	assert.Equal(t, "exponential_histogram", typ)
	want := make([]uint64, len(buckets))
	for _, v := range observed {
		k := int32(math.Ceil(math.Log2(v)*math.Exp2(float64(scale)))) - 1
		if i := k - offset; i >= 0 && int(i) < len(want) {
			want[i]++
		}
	}
	assert.Equal(t, want, buckets, "exponential buckets at scale %d, offset %d", scale, offset)
	return scale
}

// checkREDOnPrometheus scrapes the Prometheus exporter as Prometheus does for native histograms
// (protobuf exposition) and compares.
func checkREDOnPrometheus(t *testing.T, c *collector, sumMs float64, scale int32) {
	t.Helper()
	var requests, count, sum float64
	var schema int32
	var labels map[string]string
	deadline := time.Now().Add(storeWithin)
	for time.Now().Before(deadline) {
		requests, count, sum, labels = 0, 0, 0, map[string]string{}
		req, err := http.NewRequest(http.MethodGet, "http://"+c.promExp+"/metrics", nil)
		require.NoError(t, err)
		req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeProtoDelim)))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		dec := expfmt.NewDecoder(resp.Body, expfmt.NewFormat(expfmt.TypeProtoDelim))
		for {
			var f dto.MetricFamily
			if err := dec.Decode(&f); err != nil {
				break
			}
			for _, m := range f.GetMetric() {
				if labelOf(m.GetLabel(), "endpoint") != "/checkout" {
					continue
				}
				switch f.GetName() {
				case "api_requests_total":
					requests += m.GetCounter().GetValue()
					for _, l := range m.GetLabel() {
						labels[l.GetName()] = l.GetValue()
					}
				case "response_time_milliseconds":
					h := m.GetHistogram()
					count, sum, schema = float64(h.GetSampleCount()), h.GetSampleSum(), h.GetSchema()
				}
			}
		}
		resp.Body.Close()
		if requests == sampledTraces && count == sampledTraces {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, float64(sampledTraces), requests, "api_requests_total{endpoint=\"/checkout\"}")
	assert.Equal(t, "default", labels["tenant_id"], "tenant as a label")
	assert.Equal(t, "shop", labels["service_name"], "service as a label")
	assert.Equal(t, "shop", labels["job"])
	assert.Equal(t, float64(sampledTraces), count, "response_time_milliseconds count (native histogram)")
	assert.InDelta(t, sumMs, sum, 1e-6, "response_time_milliseconds sum")
	assert.Equal(t, min(scale, 8), schema, "native histogram schema = the exponential scale (at most 8)")
}

func labelOf[L interface {
	GetName() string
	GetValue() string
}](labels []L, name string) string {
	for _, l := range labels {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// TestClientSampledEventsCarryTheirRate: events are sampled once, by the client, at
// TELEMETRY_SAMPLE_RATE; each kept event carries that rate (sampling.threshold) and is stored with
// it, so sum(1/sample_rate) over telemetry_events estimates the events the application tracked.
func TestClientSampledEventsCarryTheirRate(t *testing.T) {
	const tracked, rate = 400, 0.25
	c := startCollector(t, storageOnly)
	cfg := client.DefaultConfig()
	cfg.Endpoint = "http://" + c.api
	cfg.APIKey = testAPIKey
	cfg.SampleRate = rate
	cfg.BatchSize = 200
	cfg.ServiceName = "sampled-shop"
	tc, err := client.New(cfg)
	require.NoError(t, err)
	for i := 0; i < tracked; i++ {
		require.NoError(t, tc.TrackEvent(context.Background(), client.Event{Name: "page_view", Properties: map[string]any{"n": i}}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeWithin)
	defer cancel()
	require.NoError(t, tc.Close(ctx))
	st := tc.Stats()
	require.Equal(t, int64(tracked), st.Sent+st.SampledOut, "stats %+v, last error %v", st, tc.LastError())

	conn := c.db()
	eventuallyCount(t, conn, uint64(st.Sent), "SELECT count() FROM telemetry_events WHERE service_name = 'sampled-shop'")
	var stored uint64
	var minRate, maxRate, weighted float64
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(), min(sample_rate), max(sample_rate), sum(1 / sample_rate)
		FROM telemetry_events WHERE service_name = 'sampled-shop'`).Scan(&stored, &minRate, &maxRate, &weighted))
	assert.Equal(t, uint64(st.Sent), stored)
	assert.InDelta(t, rate, minRate, 1e-9)
	assert.InDelta(t, rate, maxRate, 1e-9)
	// Binomial(400, 0.25): mean 100, sd 8.7; the weighted count is 4x the kept ones.
	sd := math.Sqrt(tracked * rate * (1 - rate))
	assert.InDelta(t, tracked*rate, float64(stored), 5*sd, "events kept by the client")
	assert.InDelta(t, float64(stored)/rate, weighted, 1e-6)
	a := c.aggregate(t, testAPIKey, url.Values{"source": {"events"}, "aggregation": {"weighted_count"}, "service": {"sampled-shop"}, "interval": {"all"}})
	require.Len(t, a.Series, 1)
	assert.InDelta(t, weighted, *a.Series[0].Points[0][1], 1e-6, "query API events weighted_count")
	assert.False(t, a.Exact)
	a = c.aggregate(t, testAPIKey, url.Values{"source": {"events"}, "aggregation": {"count"}, "service": {"sampled-shop"}, "interval": {"all"}})
	require.Len(t, a.Series, 1)
	assert.Equal(t, float64(stored), *a.Series[0].Points[0][1], "query API events count: as stored")
	t.Logf("kept %d of %d events; weighted count %.0f", stored, tracked, weighted)
}

// TestTailSamplingSwitches: TELEMETRY_SAMPLE_KEEP_ERRORS=false and TELEMETRY_SAMPLE_SLOW_MS=0 turn
// their rule off. At rate 0 only the rule left on keeps anything: exactly its traces are stored.
func TestTailSamplingSwitches(t *testing.T) {
	f := func(env map[string]string, want traceKind) {
		t.Helper()
		env["TELEMETRY_SAMPLE_RATE"], env["TELEMETRY_SAMPLE_DECISION_WAIT"] = "0", "1"
		c := startCollector(t, collectorOptions{env: env})
		sent := sendCheckoutTraces(t, c.otlpHTTP, nil)
		var wantIDs []string
		for id, st := range sent {
			if st.kind == want {
				wantIDs = append(wantIDs, id)
			}
		}
		// The decisions themselves first: every trace decided, and exactly the rule's traces kept.
		// A wrongly kept trace shows here whenever it would be stored, not only if it is quick.
		var decided, kept float64
		for deadline := time.Now().Add(storeWithin); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if decided, kept = tailDecisions(t, c); decided >= sampledTraces {
				break
			}
		}
		require.Equal(t, float64(sampledTraces), decided, "every trace decided once, env %v", env)
		require.Equal(t, float64(len(wantIDs)), kept, "traces kept, env %v", env)
		conn := c.db()
		eventuallyCount(t, conn, uint64(len(wantIDs)*spansPerTrace), "SELECT count() FROM telemetry_spans WHERE service_name = 'shop'")
		var gotIDs []string
		for id := range storedTraces(t, conn) {
			gotIDs = append(gotIDs, id)
		}
		assert.ElementsMatch(t, wantIDs, gotIDs, "env %v", env)
	}
	f(map[string]string{"TELEMETRY_SAMPLE_KEEP_ERRORS": "false"}, slowTrace)
	f(map[string]string{"TELEMETRY_SAMPLE_SLOW_MS": "0"}, errorTrace)
}

// TestPartiallyConsentedTrace: consent drops the root span of a user who has not consented (strict
// mode: opt-in) before tail sampling; the rest of the trace is decided on what is left. An error in
// a remaining span still keeps it (whole: every remaining span); a trace that was slow only
// because of its root is no longer slow and, at rate 0, is not kept.
func TestPartiallyConsentedTrace(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{
		"TELEMETRY_SAMPLE_RATE": "0", "TELEMETRY_SAMPLE_DECISION_WAIT": "1", "TELEMETRY_PRIVACY_MODE": "strict",
	}})
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(c.otlpHTTP), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(sdkResource("consent-shop")))
	tracer := tp.Tracer("e2e")
	send := func(rootMs int, childErr bool) string {
		start := time.Now().Add(-time.Minute)
		rootCtx, root := tracer.Start(ctx, "POST /checkout", trace.WithTimestamp(start),
			trace.WithAttributes(attribute.String("user.id", "no-consent-user"), attribute.String("http.route", "/checkout")))
		for _, name := range []string{"db.query", "payment"} {
			_, child := tracer.Start(rootCtx, name, trace.WithTimestamp(start.Add(time.Millisecond)))
			if childErr && name == "payment" {
				child.SetStatus(codes.Error, "card declined")
			}
			child.End(trace.WithTimestamp(start.Add(2 * time.Millisecond)))
		}
		root.End(trace.WithTimestamp(start.Add(time.Duration(rootMs) * time.Millisecond)))
		return root.SpanContext().TraceID().String()
	}
	failing := send(20, true)
	slowRootOnly := send(1500, false)
	require.NoError(t, tp.Shutdown(ctx))

	// Both traces decided, and only one kept: the slow-only-by-its-root trace is dropped by the
	// decision itself, however long one waits for it.
	var decided, kept float64
	for deadline := time.Now().Add(storeWithin); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if decided, kept = tailDecisions(t, c); decided >= 2 {
			break
		}
	}
	require.Equal(t, 2.0, decided, "both traces decided")
	require.Equal(t, 1.0, kept, "only the trace with the error kept")
	conn := c.db()
	eventuallyCount(t, conn, 2, "SELECT count() FROM telemetry_spans WHERE trace_id = ?", failing)
	assert.Equal(t, []string{"db.query|1", "payment|1"}, joinedRows(t, conn, `SELECT span_name, toString(sample_rate)
		FROM telemetry_spans WHERE trace_id = '`+failing+`' ORDER BY span_name`), "the consented part, kept for its error")
	assert.Empty(t, joinedRows(t, conn, `SELECT span_name FROM telemetry_spans WHERE user_id != '' OR trace_id = '`+slowRootOnly+`'`),
		"nothing of the non-consenting user; the trace is not slow without its root")
}

// randomnessSampler keeps every span and gives each trace the OTel randomness (`ot=rv:…`) that
// assign picks, as an SDK doing consistent probability sampling sends it; children inherit their
// root's tracestate.
type randomnessSampler struct {
	assign func(i int, kind traceKind) trace.TraceState
	next   trace.TraceState
}

func (s *randomnessSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	ts := s.next
	if parent := trace.SpanContextFromContext(p.ParentContext); parent.IsValid() {
		ts = parent.TraceState()
	}
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample, Tracestate: ts}
}

func (*randomnessSampler) Description() string { return "e2e randomness" }

// TestWeightedCountWithOTelRandomness: with random trace ids the weighted count of
// TestTailSamplingAndREDMetrics has a standard deviation of 9 % at 1,000 traces. With OTel
// randomness in the tracestate, tail sampling decides by the spec's threshold comparison
// (rv >= th); spread evenly over the 920 unremarkable traces, exactly a tenth of them pass, and the
// stored rates give the 1,000 within 5 % — here exactly, up to rounding of the threshold.
func TestWeightedCountWithOTelRandomness(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{
		"TELEMETRY_SAMPLE_RATE": fmt.Sprint(sampleRate), "TELEMETRY_SAMPLE_DECISION_WAIT": "1",
	}})
	normal := 0
	rs := &randomnessSampler{assign: func(_ int, kind traceKind) trace.TraceState {
		rv := uint64(1) << 55 // errors and slow traces: any randomness, they are kept for certain
		if kind == normalTrace {
			rv = uint64((float64(normal) + 0.5) / float64(sampledTraces-errorTraces-slowTraces) * (1 << 56))
			normal++
		}
		ts, err := trace.ParseTraceState(fmt.Sprintf("ot=rv:%014x", rv))
		require.NoError(t, err)
		return ts
	}}
	sent := sendCheckoutTraces(t, c.otlpHTTP, rs)
	for deadline := time.Now().Add(storeWithin); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if decided, _ := tailDecisions(t, c); decided >= sampledTraces {
			break
		}
	}
	_, kept := tailDecisions(t, c)
	conn := c.db()
	eventuallyCount(t, conn, uint64(kept)*spansPerTrace, "SELECT count() FROM telemetry_spans WHERE service_name = 'shop'")
	var byChance int
	for id, st := range storedTraces(t, conn) {
		if sent[id].kind == normalTrace {
			byChance++
			assert.InDelta(t, sampleRate, st.minRate, 1e-6)
		}
	}
	assert.Equal(t, 92, byChance, "a tenth of 920 evenly spread randomness values passes the threshold")
	var withBoth uint64
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT countIf(match(trace_state, '^ot=rv:[0-9a-f]{14};th:[0-9a-f]+$'))
		FROM telemetry_spans WHERE service_name = 'shop' AND sample_rate < 1`).Scan(&withBoth))
	assert.Equal(t, uint64(byChance*spansPerTrace), withBoth, "the SDK's rv kept, tail sampling's th added")
	var weighted float64
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT sum(1 / sample_rate) FROM telemetry_spans
		WHERE service_name = 'shop' AND parent_span_id = ''`).Scan(&weighted))
	assert.InDelta(t, float64(sampledTraces), weighted, 0.05*sampledTraces, "weighted count within 5 %% of the traffic")
	t.Logf("kept %.0f traces (%d by chance); weighted count %.1f", kept, byChance, weighted)
}
