package telemetrystorageexporter

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// itConfig is a synchronous exporter (no queue, no retry) so ConsumeX
// returns the insert's result. Retention is off: the samples are dated
// 2026-03-14 and a TTL would let ClickHouse drop them before the assertions.
func itConfig(t *testing.T, database string) *Config {
	cfg := createDefaultConfig()
	cfg.Endpoint = requireClickHouse(t)
	cfg.Database = database
	cfg.Retention = 0
	cfg.QueueConfig = configoptional.None[exporterQueueConfig]()
	cfg.BackOffConfig.Enabled = false
	require.NoError(t, cfg.Validate())
	return cfg
}

type started struct {
	traces  exporter.Traces
	metrics exporter.Metrics
	logs    exporter.Logs
}

func startAll(t *testing.T, cfg *Config) started {
	t.Helper()
	f := NewFactory()
	set := exportertest.NewNopSettings(metadata.Type)
	ctx := context.Background()
	var s started
	var err error
	s.traces, err = f.CreateTraces(ctx, set, cfg)
	require.NoError(t, err)
	s.metrics, err = f.CreateMetrics(ctx, set, cfg)
	require.NoError(t, err)
	s.logs, err = f.CreateLogs(ctx, set, cfg)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	for _, c := range []component.Component{s.traces, s.metrics, s.logs} {
		require.NoError(t, c.Start(ctx, host))
	}
	t.Cleanup(func() {
		for _, c := range []component.Component{s.traces, s.metrics, s.logs} {
			assert.NoError(t, c.Shutdown(context.Background()))
		}
	})
	return s
}

func TestIntegrationTraces(t *testing.T) {
	db := testDatabase(t)
	s := startAll(t, itConfig(t, db))
	require.NoError(t, s.traces.ConsumeTraces(context.Background(), sampleTraces()))

	conn := queryConn(t)
	got := queryStrings(t, conn, `
		SELECT concat_ws('|', tenant_id, toString(timestamp), toString(duration_ns), trace_id, span_id, parent_span_id,
			trace_state, span_name, toString(span_kind), service_name, user_id, session_id, toString(status_code),
			status_message, toString(attributes), toString(resource_attributes), scope_name, scope_version,
			toString(events.timestamp), toString(events.name), toString(events.attributes),
			toString(links.trace_id), toString(links.span_id), toString(links.trace_state), toString(links.attributes))
		FROM `+"`"+db+"`"+`.telemetry_spans ORDER BY timestamp`)
	assert.Equal(t, []string{
		"acme|2026-03-14 15:09:26.535897932|1500000000|5b8efff798038103d269b633813fc60c|eee19b7ec3c1b174|eee19b7ec3c1b173|vendor=x|POST /cart|server|checkout|u-42|s-7|error|payment declined|" +
			"{'http.method':'POST','http.status_code':'402','enduser.id':'u-42','session.id':'s-7'}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1'}|io.opentelemetry.checkout|1.2.3|" +
			"['2026-03-14 15:09:27.535897932','2026-03-14 15:09:27.735897932']|['exception','retry']|[{'exception.type':'PaymentError'},{}]|" +
			"['0102030405060708090a0b0c0d0e0f10']|['0807060504030201']|['k=v']|[{'link.sampled':'true'}]",
		"acme|2026-03-14 15:09:26.635897932|200000000|5b8efff798038103d269b633813fc60c|eee19b7ec3c1b173|||SELECT cart|client|checkout|||unset||{}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1'}|io.opentelemetry.checkout|1.2.3|[]|[]|[]|[]|[]|[]|[]",
		"default|2026-03-14 15:09:28.535897932|0|0102030405060708090a0b0c0d0e0f10|0807060504030201|||cron|unspecified|checkout|||unset||{}|{'service.name':'checkout','host.name':'node-1'}|||[]|[]|[]|[]|[]|[]|[]",
	}, got)
}

func TestIntegrationMetrics(t *testing.T) {
	db := testDatabase(t)
	s := startAll(t, itConfig(t, db))
	require.NoError(t, s.metrics.ConsumeMetrics(context.Background(), sampleMetrics()))

	conn := queryConn(t)
	got := queryStrings(t, conn, `
		SELECT concat_ws('|', tenant_id, metric_name, toString(metric_type), toString(temporality), toString(is_monotonic),
			toString(timestamp), toString(start_timestamp), metric_unit, metric_description, user_id, toString(attributes),
			toString(value), toString(count), ifNull(toString(min), 'NULL'), ifNull(toString(max), 'NULL'), toString(bucket_counts), toString(explicit_bounds),
			toString(exp_scale), toString(exp_zero_count), toString(exp_zero_threshold), toString(exp_positive_offset),
			toString(exp_positive_bucket_counts), toString(exp_negative_offset), toString(exp_negative_bucket_counts),
			toString(quantiles.quantile), toString(quantiles.value),
			toString(exemplars.timestamp), toString(exemplars.value), toString(exemplars.trace_id), toString(exemplars.span_id),
			toString(exemplars.filtered_attributes))
		FROM `+"`"+db+"`"+`.telemetry_metrics ORDER BY metric_type`)
	assert.Equal(t, []string{
		"acme|queue.depth|gauge|unspecified|false|2026-03-14 15:09:26.535897932|1970-01-01 00:00:00.000000000|{item}|items waiting||{'queue':'orders'}|17|0|NULL|NULL|[]|[]|0|0|0|0|[]|0|[]|[]|[]|" +
			"['2026-03-14 15:09:25.535897932']|[16.5]|['5b8efff798038103d269b633813fc60c']|['eee19b7ec3c1b174']|[{'user.id':'u-42'}]",
		"acme|requests|sum|cumulative|true|2026-03-14 15:09:26.535897932|2026-03-14 15:08:26.535897932|||u-42|{'user.id':'u-42'}|1234.5|0|NULL|NULL|[]|[]|0|0|0|0|[]|0|[]|[]|[]|[]|[]|[]|[]|[]",
		"acme|latency|histogram|delta|false|2026-03-14 15:09:26.535897932|2026-03-14 15:08:26.535897932|ms|||{}|523.5|10|1.5|250|[3,5,2,0]|[10,100,1000]|0|0|0|0|[]|0|[]|[]|[]|[]|[]|[]|[]|[]",
		"acme|payload.size|exponential_histogram|cumulative|false|2026-03-14 15:09:26.535897932|1970-01-01 00:00:00.000000000||||{}|96|7|NULL|NULL|[]|[]|2|1|0.001|3|[1,2,3]|-2|[0]|[]|[]|[]|[]|[]|[]|[]",
		"acme|gc.pause|summary|unspecified|false|2026-03-14 15:09:26.535897932|1970-01-01 00:00:00.000000000||||{}|12|4|NULL|NULL|[]|[]|0|0|0|0|[]|0|[]|[0.5,0.99]|[2.5,6]|[]|[]|[]|[]|[]",
	}, got)
	// The one question every consumer asks: value of a metric over time.
	assert.Equal(t, []string{"1234.5"}, queryStrings(t, conn,
		"SELECT toString(value) FROM `"+db+"`.telemetry_metrics WHERE metric_name = 'requests' AND timestamp >= '2026-03-14 00:00:00'"))
}

func TestIntegrationLogsAndEvents(t *testing.T) {
	db := testDatabase(t)
	s := startAll(t, itConfig(t, db))
	require.NoError(t, s.logs.ConsumeLogs(context.Background(), sampleLogs()))

	conn := queryConn(t)
	cols := `tenant_id, toString(timestamp), toString(observed_timestamp), user_id, session_id, service_name, trace_id, span_id,
		severity_text, toString(severity_number), body, toString(attributes), toString(resource_attributes), scope_name`
	events := queryStrings(t, conn, "SELECT concat_ws('|', event_name, "+cols+") FROM `"+db+"`.telemetry_events ORDER BY timestamp")
	assert.Equal(t, []string{
		"add_to_cart|acme|2026-03-14 15:09:26.535897932|2026-03-14 15:09:26.536897932|u-42|s-7|checkout|5b8efff798038103d269b633813fc60c|eee19b7ec3c1b174||0|clicked add|" +
			"{'user.id':'u-42','session.id':'s-7','price':'19.99','tags':'[\"promo\"]'}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1','user.id':'resource-user'}|app",
		"page_view|acme|2026-03-14 15:09:27.535897932|2026-03-14 15:09:27.535897932|resource-user||checkout||||0||{'event.name':'page_view'}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1','user.id':'resource-user'}|app",
	}, events)
	logs := queryStrings(t, conn, "SELECT concat_ws('|', "+cols+") FROM `"+db+"`.telemetry_logs ORDER BY timestamp")
	assert.Equal(t, []string{
		"acme|2026-03-14 15:09:28.535897932|2026-03-14 15:09:28.535897932|resource-user||checkout|||WARN|13|{\"msg\":\"slow query\"}|{'duration_ms':'1234'}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1','user.id':'resource-user'}|app",
		"acme|2026-03-14 15:09:29.535897932|2026-03-14 15:09:29.535897932|resource-user||checkout||||0|observed only|{}|{'service.name':'checkout','tenant.id':'acme','host.name':'node-1','user.id':'resource-user'}|app",
	}, logs)
}

func showCreate(t *testing.T, db, table string) string {
	t.Helper()
	return queryStrings(t, queryConn(t), "SHOW CREATE TABLE `"+db+"`."+table)[0]
}

// Retention is applied to existing tables at start, only when it changed.
func TestIntegrationRetentionChange(t *testing.T) {
	db := testDatabase(t)
	run := func(retention Retention) *storage {
		cfg := itConfig(t, db)
		cfg.Retention = retention
		st, err := newStorage(cfg, zapNop(), nopTelemetry(t))
		require.NoError(t, err)
		require.NoError(t, st.start(context.Background()))
		require.NoError(t, st.shutdown(context.Background()))
		return st
	}

	first := run(Retention(30 * day))
	assert.Equal(t, schemaVersions(t), first.migrated.Applied)
	assert.Empty(t, first.migrated.TTLModified)
	assert.Contains(t, showCreate(t, db, "telemetry_events"), "TTL toDateTime(timestamp) + toIntervalDay(30)")

	second := run(Retention(7 * day))
	assert.Empty(t, second.migrated.Applied)
	assert.Equal(t, []string{"otel_traces_trace_id_ts", "telemetry_events", "telemetry_logs", "telemetry_metrics", "telemetry_spans"}, second.migrated.TTLModified)
	assert.Contains(t, showCreate(t, db, "otel_traces_trace_id_ts"), "TTL toDateTime(End) + toIntervalDay(7)", "the trace-id table follows the data")
	for _, tbl := range []string{"telemetry_events", "telemetry_logs", "telemetry_metrics", "telemetry_spans"} {
		assert.Contains(t, showCreate(t, db, tbl), "TTL toDateTime(timestamp) + toIntervalDay(7)", tbl)
	}
	assert.Contains(t, showCreate(t, db, "telemetry_audit"), "toIntervalDay(365)", "audit keeps its own retention")

	same := run(Retention(7 * day))
	assert.Empty(t, same.migrated.TTLModified, "unchanged retention must not ALTER")

	forever := run(0)
	assert.Equal(t, []string{"otel_traces_trace_id_ts", "telemetry_events", "telemetry_logs", "telemetry_metrics", "telemetry_spans"}, forever.migrated.TTLRemoved)
	assert.NotContains(t, showCreate(t, db, "telemetry_spans"), "TTL")
}

// Migration 10 fills otel_traces_trace_id_ts from spans already stored (a database migrated before
// it existed), and its materialized view from every later insert; running it twice (a crash before
// the version row) changes no answer.
func TestIntegrationTraceIDTableBackfill(t *testing.T) {
	db := testDatabase(t)
	start := func() *storage { return startStorage(t, db) }
	start()
	conn := queryConn(t)
	ctx := context.Background()
	insert := "INSERT INTO `" + db + "`.telemetry_spans (tenant_id, timestamp, trace_id, span_id) VALUES "
	require.NoError(t, conn.Exec(ctx, insert+"('a', '2026-03-01 10:00:00.5', 't1', 's1'), ('a', '2026-03-01 10:00:07.9', 't1', 's2'), ('b', '2026-03-01 09:00:00', 't1', 's3'), ('a', '2026-03-01 11:00:00', '', 's4')"))
	lookup := "SELECT TenantId || ' ' || TraceId || ' ' || toString(min(Start)) || ' ' || toString(max(End)) FROM `" + db + "`.otel_traces_trace_id_ts GROUP BY TenantId, TraceId ORDER BY TenantId"
	want := []string{"a t1 2026-03-01 10:00:00 2026-03-01 10:00:07", "b t1 2026-03-01 09:00:00 2026-03-01 09:00:00"}
	assert.Equal(t, want, queryStrings(t, conn, lookup), "the materialized view; spans without a trace id are left out")

	// A database whose spans predate the table: empty it and forget the migration.
	require.NoError(t, conn.Exec(ctx, "TRUNCATE TABLE `"+db+"`.otel_traces_trace_id_ts"))
	require.NoError(t, conn.Exec(ctx, "DELETE FROM `"+db+"`.schema_migrations WHERE version = 10"))
	assert.Equal(t, []uint32{10}, start().migrated.Applied)
	assert.Equal(t, want, queryStrings(t, conn, lookup), "backfilled")
	require.NoError(t, conn.Exec(ctx, "DELETE FROM `"+db+"`.schema_migrations WHERE version = 10"))
	assert.Equal(t, []uint32{10}, start().migrated.Applied)
	assert.Equal(t, want, queryStrings(t, conn, lookup), "a second backfill changes no answer")
}

// startStorage starts (migrates) and stops the storage of database db once.
func startStorage(t *testing.T, db string) *storage {
	t.Helper()
	st, err := newStorage(itConfig(t, db), zapNop(), nopTelemetry(t))
	require.NoError(t, err)
	require.NoError(t, st.start(context.Background()))
	require.NoError(t, st.shutdown(context.Background()))
	return st
}

// Two collectors starting at the same moment against one fresh database
// both succeed and leave one row per version.
func TestIntegrationConcurrentStart(t *testing.T) {
	db := testDatabase(t)
	const n = 3
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := itConfig(t, db)
			st, err := newStorage(cfg, zapNop(), nopTelemetry(t))
			if err == nil {
				err = st.start(context.Background())
			}
			if err == nil {
				err = st.shutdown(context.Background())
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "collector %d", i)
	}
	var want []string
	for _, v := range schemaVersions(t) {
		want = append(want, fmt.Sprint(v))
	}
	assert.Equal(t, want, queryStrings(t, queryConn(t),
		"SELECT toString(version) FROM `"+db+"`.schema_migrations FINAL ORDER BY version"))
}

// An unreachable server is a retryable failure, never a permanent one.
func TestIntegrationServerDown(t *testing.T) {
	requireClickHouse(t)
	db := testDatabase(t)
	cfg := itConfig(t, db)
	st, err := newStorage(cfg, zapNop(), nopTelemetry(t))
	require.NoError(t, err)
	require.NoError(t, st.start(context.Background()))
	defer func() { _ = st.shutdown(context.Background()) }()

	port, err := freePort()
	require.NoError(t, err)
	down := itConfig(t, db)
	down.Endpoint = "http://127.0.0.1:" + itoa(port)
	opt, err := down.clickhouseOptions(context.Background())
	require.NoError(t, err)
	st.mu.Lock()
	_ = st.conn.Close()
	st.conn = openOrFail(t, opt)
	st.mu.Unlock()

	b := &spanBlock{}
	appendSpans(sampleTraces(), b, t0, noTTL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = st.insert(ctx, "telemetry_spans", b, "")
	require.Error(t, err)
	assert.False(t, isPermanent(err), "connection failure must be retryable: %v", err)
}

// With the default sending_queue (batching on), accepted data is stored by
// the time the exporter has shut down.
func TestIntegrationQueuedDefaults(t *testing.T) {
	db := testDatabase(t)
	cfg := createDefaultConfig()
	cfg.Endpoint = requireClickHouse(t)
	cfg.Database = db
	cfg.Retention = 0
	f := NewFactory()
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	for range 5 {
		require.NoError(t, exp.ConsumeLogs(context.Background(), sampleLogs()))
	}
	require.NoError(t, exp.Shutdown(context.Background()))
	assert.Equal(t, []string{"10", "10"}, queryStrings(t, queryConn(t),
		"SELECT toString(count()) FROM `"+db+"`.telemetry_events UNION ALL SELECT toString(count()) FROM `"+db+"`.telemetry_logs"))
}

// schemaVersions are every migration version of this build, oldest first: what a fresh database gets.
func schemaVersions(t *testing.T) []uint32 {
	t.Helper()
	s, err := chschema.New(chschema.Options{})
	require.NoError(t, err)
	var out []uint32
	for _, m := range s.Migrations() {
		out = append(out, m.Version)
	}
	return out
}
