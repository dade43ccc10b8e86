package telemetrystorageexporter

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Generated batches resembling real traffic: 10 resources x 100 records,
// 8 attributes each, a span event every other span.

func genTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	for r := range 10 {
		rs := td.ResourceSpans().AppendEmpty()
		fillResource(rs.Resource(), fmt.Sprintf("tenant-%d", r%3))
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("bench")
		for i := range n / 10 {
			sp := ss.Spans().AppendEmpty()
			sp.SetTraceID(pcommon.TraceID{byte(r), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
			sp.SetSpanID(pcommon.SpanID{byte(r), byte(i), 1, 2, 3, 4, 5, 6})
			sp.SetName("GET /api/items")
			sp.SetKind(ptrace.SpanKindServer)
			sp.SetStartTimestamp(ts(time.Duration(i) * time.Millisecond))
			sp.SetEndTimestamp(ts(time.Duration(i+5) * time.Millisecond))
			fillAttrs(sp.Attributes(), i)
			if i%2 == 0 {
				ev := sp.Events().AppendEmpty()
				ev.SetName("cache.miss")
				ev.SetTimestamp(ts(time.Duration(i+1) * time.Millisecond))
				ev.Attributes().PutStr("key", "item:42")
			}
		}
	}
	return td
}

// genSmallTraces resembles the spans of bench/sampling's load (contrib telemetrygen): one resource
// (service.name, the SDK's three telemetry.sdk.* attributes, tenant.id), traces of a client root
// span and three server children, two attributes each, no events or links.
func genSmallTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	res := rs.Resource().Attributes()
	res.PutStr("service.name", "bench")
	res.PutStr("telemetry.sdk.language", "go")
	res.PutStr("telemetry.sdk.name", "opentelemetry")
	res.PutStr("telemetry.sdk.version", "1.38.0")
	res.PutStr("tenant.id", "default")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("telemetrygen")
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(i / 4 >> 8), byte(i / 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})
		sp.SetSpanID(pcommon.SpanID{byte(i >> 8), byte(i), 1, 2, 3, 4, 5, 6})
		if i%4 == 0 {
			sp.SetName("lets-go")
			sp.SetKind(ptrace.SpanKindClient)
			sp.Attributes().PutStr("service.peer.name", "telemetrygen-server")
		} else {
			sp.SetParentSpanID(pcommon.SpanID{byte(i / 4 * 4 >> 8), byte(i / 4 * 4), 1, 2, 3, 4, 5, 6})
			sp.SetName(fmt.Sprintf("okey-dokey-%d", i%4-1))
			sp.SetKind(ptrace.SpanKindServer)
			sp.Attributes().PutStr("service.peer.name", "telemetrygen-client")
		}
		sp.Attributes().PutStr("network.peer.address", "192.0.2.0")
		sp.SetStartTimestamp(ts(time.Duration(i) * time.Millisecond))
		sp.SetEndTimestamp(ts(time.Duration(i+1) * time.Millisecond))
	}
	return td
}

func fillAttrs(m pcommon.Map, i int) {
	m.PutStr("http.method", "GET")
	m.PutStr("http.route", "/api/items")
	m.PutInt("http.status_code", 200)
	m.PutStr("user.id", fmt.Sprintf("user-%d", i%50))
	m.PutStr("session.id", fmt.Sprintf("sess-%d", i%20))
	m.PutStr("net.peer.name", "10.0.0.1")
	m.PutBool("cache.hit", i%3 == 0)
	m.PutDouble("load", 0.5)
}

func genLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	for r := range 10 {
		rl := ld.ResourceLogs().AppendEmpty()
		fillResource(rl.Resource(), fmt.Sprintf("tenant-%d", r%3))
		sl := rl.ScopeLogs().AppendEmpty()
		for i := range n / 10 {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetTimestamp(ts(time.Duration(i) * time.Millisecond))
			if i%2 == 0 {
				lr.SetEventName("item_viewed")
			} else {
				lr.SetSeverityNumber(plog.SeverityNumberInfo)
				lr.SetSeverityText("INFO")
			}
			lr.Body().SetStr("request served in 5ms")
			fillAttrs(lr.Attributes(), i)
		}
	}
	return ld
}

func genMetrics(n int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for r := range 10 {
		rm := md.ResourceMetrics().AppendEmpty()
		fillResource(rm.Resource(), fmt.Sprintf("tenant-%d", r%3))
		sm := rm.ScopeMetrics().AppendEmpty()
		g := sm.Metrics().AppendEmpty()
		g.SetName("queue.depth")
		h := sm.Metrics().AppendEmpty()
		h.SetName("latency")
		hist := h.SetEmptyHistogram()
		for i := range n / 20 {
			dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
			if i > 0 {
				dp = g.Gauge().DataPoints().AppendEmpty()
			}
			dp.SetTimestamp(ts(time.Duration(i) * time.Second))
			dp.SetIntValue(int64(i))
			fillAttrs(dp.Attributes(), i)
			hp := hist.DataPoints().AppendEmpty()
			hp.SetTimestamp(ts(time.Duration(i) * time.Second))
			hp.SetCount(10)
			hp.SetSum(55)
			hp.ExplicitBounds().FromRaw([]float64{1, 5, 10, 50, 100})
			hp.BucketCounts().FromRaw([]uint64{1, 2, 3, 2, 1, 1})
			fillAttrs(hp.Attributes(), i)
		}
	}
	return md
}

const benchRecords = 1000

func BenchmarkConvertSpans(b *testing.B) {
	td := genTraces(benchRecords)
	blk := &spanBlock{}
	b.ReportAllocs()
	for b.Loop() {
		appendSpans(td, blk, t0, noTTL)
		blk.reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
}

func BenchmarkConvertLogs(b *testing.B) {
	ld := genLogs(benchRecords)
	ev, lg := &logBlock{events: true}, &logBlock{}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		appendLogs(ld, ev, lg, now, noTTL)
		ev.reset()
		lg.reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
}

func BenchmarkConvertMetrics(b *testing.B) {
	md := genMetrics(benchRecords)
	blk := &metricBlock{}
	b.ReportAllocs()
	for b.Loop() {
		appendMetrics(md, blk, t0, noTTL)
		blk.reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
}

// startBenchStorage starts cfg's storage on the engine for one benchmark, stopped when it ends.
func startBenchStorage(b *testing.B, cfg *Config) *storage {
	b.Helper()
	tel, err := newBenchTelemetry()
	require.NoError(b, err)
	st, err := newStorage(cfg, zapNop(), tel)
	require.NoError(b, err)
	require.NoError(b, st.start(context.Background()))
	b.Cleanup(func() { _ = st.shutdown(context.Background()) })
	return st
}

// BenchmarkInsertSpans measures conversion plus the INSERT into ClickHouse
// (the embedded engine unless TELEMETRY_TEST_CLICKHOUSE_ENDPOINT is set).
func BenchmarkInsertSpans(b *testing.B) {
	cfg := createDefaultConfig()
	cfg.Endpoint = requireClickHouse(b)
	cfg.Database = fmt.Sprintf("bench_%d", time.Now().UnixNano()%1_000_000)
	cfg.Retention = 0
	st := startBenchStorage(b, cfg)
	e := &signalExporter{st: st}
	td := genTraces(benchRecords)
	b.ReportAllocs()
	for b.Loop() {
		require.NoError(b, e.pushTraces(context.Background(), td))
	}
	b.ReportMetric(float64(b.N*benchRecords)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPushSpansStagedVsStored is the exporter's share of what tail sampling in ClickHouse costs
// the collector per span: the same batches pushed into telemetry_spans (sampling off: the bare
// pipeline) and into telemetry_spans_staging (sampling on, as shipped; the sampler does not run
// within the benchmark), each reporting the CPU time of this process (the engine runs in its own)
// per span. A staged batch skips the insert deduplication token (exporter.go); conversion and
// encoding are the same, so staging is the cheaper write by that much.
//
// Two shapes of span: "rich" (genTraces: 8 attributes, an event every other span) and "small" (as
// telemetrygen sends them in bench/sampling: 2 attributes, no events).
func BenchmarkPushSpansStagedVsStored(b *testing.B) {
	endpoint := requireClickHouse(b)
	for _, c := range []struct {
		name   string
		staged bool
		td     ptrace.Traces
	}{
		{"rich/stored", false, genTraces(benchRecords)},
		{"rich/staged", true, genTraces(benchRecords)},
		{"small/stored", false, genSmallTraces(benchRecords)},
		{"small/staged", true, genSmallTraces(benchRecords)},
	} {
		staged, td := c.staged, c.td
		name := strings.ReplaceAll(c.name, "/", "_")
		b.Run(c.name, func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.Endpoint = endpoint
			cfg.Database = fmt.Sprintf("bench_%s_%d", name, time.Now().UnixNano()%1_000_000)
			cfg.Retention = 0
			cfg.Sampling.Enabled = staged
			cfg.Sampling.Interval = time.Minute
			cfg.Sampling.Instance = "bench"
			st := startBenchStorage(b, cfg)
			e := &signalExporter{st: st}
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				require.NoError(b, e.pushTraces(context.Background(), td))
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/float64(b.N*benchRecords), "cpu-ns/span")
		})
	}
}

// processCPU is the user + system CPU time of this process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatchToken is what the insert deduplication token adds per batch (token.go): hashing
// the batch's OTLP encoding, next to converting the same batch (BenchmarkConvert*).
func BenchmarkBatchToken(b *testing.B) {
	td, ld, md := genTraces(benchRecords), genLogs(benchRecords), genMetrics(benchRecords)
	b.Run("spans", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = tracesToken(td)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
	})
	b.Run("logs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = logsToken(ld)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
	})
	b.Run("metrics", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = metricsToken(md)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRecords), "ns/record")
	})
}
