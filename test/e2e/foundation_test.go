package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// sdkResource is what an instrumented service would send.
func sdkResource(service string) *resource.Resource {
	return resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(service),
		attribute.String("deployment.environment.name", "e2e"),
	)
}

// sendTraces exports spans through the OTLP/HTTP trace exporter of the Go SDK and returns their trace id.
func sendTraces(t *testing.T, endpoint, service string, spans int) trace.TraceID {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure(), otlptracehttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(sdkResource(service)))
	tracer := tp.Tracer("e2e")
	rootCtx, root := tracer.Start(ctx, "checkout", trace.WithAttributes(
		attribute.String("http.request.method", "POST"),
		attribute.Int("order.items", 3),
	))
	for i := 1; i < spans; i++ {
		_, child := tracer.Start(rootCtx, "db.query", trace.WithAttributes(attribute.Int("db.rows", i)))
		child.AddEvent("rows.fetched", trace.WithAttributes(attribute.Int("count", i)))
		child.End()
	}
	root.End()
	require.NoError(t, tp.Shutdown(ctx))
	return root.SpanContext().TraceID()
}

func sendMetrics(t *testing.T, endpoint, service string) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(endpoint), otlpmetrichttp.WithInsecure(), otlpmetrichttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Hour))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(sdkResource(service)))
	meter := mp.Meter("e2e")
	requests, err := meter.Int64Counter("api_requests")
	require.NoError(t, err)
	requests.Add(ctx, 7, metricAttr("endpoint", "/api/users"))
	requests.Add(ctx, 5, metricAttr("endpoint", "/api/orders"))
	latency, err := meter.Float64Histogram("response_time", sdkMetricUnit("ms"))
	require.NoError(t, err)
	for _, v := range []float64{12, 125, 480} {
		latency.Record(ctx, v, metricAttr("endpoint", "/api/users"))
	}
	require.NoError(t, mp.Shutdown(ctx)) // flushes the reader once
}

func sendLogs(t *testing.T, endpoint, service string, bodies ...string) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(endpoint), otlploghttp.WithInsecure(), otlploghttp.WithHeaders(authHeaders()))
	require.NoError(t, err)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)), sdklog.WithResource(sdkResource(service)))
	logger := lp.Logger("e2e")
	for _, body := range bodies {
		var rec otellog.Record
		rec.SetTimestamp(time.Now())
		rec.SetSeverity(otellog.SeverityWarn)
		rec.SetSeverityText("WARN")
		rec.SetBody(attribute.StringValue(body))
		rec.AddAttributes(attribute.String("component", "payments"))
		logger.Emit(ctx, rec)
	}
	require.NoError(t, lp.Shutdown(ctx))
}

// TestContribClickHouseExporter: contrib's exporter (standard OTel schema) stays usable in this
// distribution; all three signals from the official SDK exporters are read back from the engine.
func TestContribClickHouseExporter(t *testing.T) {
	c := startCollector(t, collectorOptions{config: "test/e2e/testdata/contrib-clickhouse.yaml"})
	conn := c.db()
	ctx := context.Background()

	traceID := sendTraces(t, c.otlpHTTP, "shop", 4)
	sendMetrics(t, c.otlpHTTP, "shop")
	sendLogs(t, c.otlpHTTP, "shop", "payment declined", "retrying payment")

	eventuallyCount(t, conn, 4, "SELECT count() FROM otel_traces WHERE TraceId = ?", traceID.String())
	var name, method, service, env string
	require.NoError(t, conn.QueryRow(ctx, `SELECT SpanName, SpanAttributes['http.request.method'], ServiceName,
		ResourceAttributes['deployment.environment.name'] FROM otel_traces WHERE TraceId = ? AND ParentSpanId = ''`,
		traceID.String()).Scan(&name, &method, &service, &env))
	assert.Equal(t, []string{"checkout", "POST", "shop", "e2e"}, []string{name, method, service, env})
	var events uint64
	require.NoError(t, conn.QueryRow(ctx, `SELECT countIf(has(Events.Name, 'rows.fetched')) FROM otel_traces WHERE TraceId = ?`,
		traceID.String()).Scan(&events))
	assert.Equal(t, uint64(3), events, "every child span keeps its event")

	eventuallyCount(t, conn, 2, "SELECT count() FROM otel_logs WHERE ServiceName = 'shop'")
	assert.Equal(t, []string{"payment declined|WARN|payments", "retrying payment|WARN|payments"},
		joinedRows(t, conn, `SELECT Body, SeverityText, LogAttributes['component'] FROM otel_logs WHERE ServiceName = 'shop' ORDER BY Body`))

	eventuallyCount(t, conn, 2, "SELECT count() FROM otel_metrics_sum WHERE MetricName = 'api_requests'")
	var users float64
	require.NoError(t, conn.QueryRow(ctx, `SELECT Value FROM otel_metrics_sum WHERE MetricName = 'api_requests'
		AND Attributes['endpoint'] = '/api/users'`).Scan(&users))
	assert.Equal(t, 7.0, users)
	eventuallyCount(t, conn, 1, "SELECT count() FROM otel_metrics_histogram WHERE MetricName = 'response_time'")
	var count uint64
	var sum float64
	require.NoError(t, conn.QueryRow(ctx, `SELECT Count, Sum FROM otel_metrics_histogram WHERE MetricName = 'response_time'`).Scan(&count, &sum))
	assert.Equal(t, uint64(3), count)
	assert.Equal(t, 617.0, sum)
}

// TestOTLPIntoClickHouse sends all three signals with the official SDK exporters to the collector
// started from config/local.yaml and reads them back from the Telemetry Module tables.
func TestOTLPIntoClickHouse(t *testing.T) {
	c := startCollector(t, collectorOptions{})
	conn := c.db()
	ctx := context.Background()

	traceID := sendTraces(t, c.otlpHTTP, "shop", 4)
	sendMetrics(t, c.otlpHTTP, "shop")
	sendLogs(t, c.otlpHTTP, "shop", "payment declined", "retrying payment")

	eventuallyCount(t, conn, 4, "SELECT count() FROM telemetry_spans WHERE trace_id = ?", traceID.String())
	var name, method, service, env, tenant string
	require.NoError(t, conn.QueryRow(ctx, `SELECT span_name, attributes['http.request.method'], service_name,
		resource_attributes['deployment.environment.name'], tenant_id FROM telemetry_spans WHERE trace_id = ? AND parent_span_id = ''`,
		traceID.String()).Scan(&name, &method, &service, &env, &tenant))
	assert.Equal(t, []string{"checkout", "POST", "shop", "e2e", "default"}, []string{name, method, service, env, tenant})
	var events uint64
	require.NoError(t, conn.QueryRow(ctx, `SELECT countIf(has(events.name, 'rows.fetched')) FROM telemetry_spans WHERE trace_id = ?`,
		traceID.String()).Scan(&events))
	assert.Equal(t, uint64(3), events, "every child span keeps its event")

	eventuallyCount(t, conn, 2, "SELECT count() FROM telemetry_logs WHERE service_name = 'shop'")
	assert.Equal(t, []string{"payment declined|WARN|payments", "retrying payment|WARN|payments"},
		joinedRows(t, conn, `SELECT body, severity_text, attributes['component'] FROM telemetry_logs WHERE service_name = 'shop' ORDER BY body`))

	// The application's own series (span_metrics' RED series of the spans above share the names, on
	// their own schedule, without an endpoint: the spans carry no http.route).
	eventuallyCount(t, conn, 2, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'api_requests' AND attributes['endpoint'] != ''")
	var users float64
	var temporality string
	var monotonic bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT value, toString(temporality), is_monotonic FROM telemetry_metrics
		WHERE metric_name = 'api_requests' AND attributes['endpoint'] = '/api/users'`).Scan(&users, &temporality, &monotonic))
	assert.Equal(t, 7.0, users)
	assert.Equal(t, "cumulative", temporality)
	assert.True(t, monotonic)
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_metrics WHERE metric_name = 'response_time' AND metric_type = 'histogram'")
	var count uint64
	var sum float64
	var buckets []uint64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count, value, bucket_counts FROM telemetry_metrics
		WHERE metric_name = 'response_time' AND metric_type = 'histogram' AND attributes['endpoint'] = '/api/users'`).Scan(&count, &sum, &buckets))
	assert.Equal(t, uint64(3), count)
	assert.Equal(t, 617.0, sum)
	var inBuckets uint64
	for _, b := range buckets {
		inBuckets += b
	}
	assert.Equal(t, uint64(3), inBuckets, "bucket counts add up to the count")
}

// joinedRows runs a query of string columns and returns each row joined with "|".
func joinedRows(t *testing.T, conn driver.Conn, query string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		cols := make([]string, len(rows.Columns()))
		ptrs := make([]any, len(cols))
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		got = append(got, strings.Join(cols, "|"))
	}
	require.NoError(t, rows.Err())
	return got
}
