package telemetrystorageexporter

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Deterministic inputs shared by the golden conversion tests and the
// integration tests, so both check the same values.

var (
	t0      = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)
	traceID = pcommon.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c}
	spanID  = pcommon.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}
	parent  = pcommon.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x73}
	linkTID = pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	linkSID = pcommon.SpanID{8, 7, 6, 5, 4, 3, 2, 1}
)

func ts(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t0.Add(d)) }

func fillResource(r pcommon.Resource, tenant string) {
	r.Attributes().PutStr("service.name", "checkout")
	if tenant != "" {
		r.Attributes().PutStr("tenant.id", tenant)
	}
	r.Attributes().PutStr("host.name", "node-1")
}

func sampleTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	fillResource(rs.Resource(), "acme")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("io.opentelemetry.checkout")
	ss.Scope().SetVersion("1.2.3")

	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(traceID)
	sp.SetSpanID(spanID)
	sp.SetParentSpanID(parent)
	sp.TraceState().FromRaw("vendor=x")
	sp.SetName("POST /cart")
	sp.SetKind(ptrace.SpanKindServer)
	sp.SetStartTimestamp(ts(0))
	sp.SetEndTimestamp(ts(1500 * time.Millisecond))
	sp.Status().SetCode(ptrace.StatusCodeError)
	sp.Status().SetMessage("payment declined")
	sp.Attributes().PutStr("http.method", "POST")
	sp.Attributes().PutInt("http.status_code", 402)
	sp.Attributes().PutStr("enduser.id", "u-42")
	sp.Attributes().PutStr("session.id", "s-7")
	ev := sp.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(ts(time.Second))
	ev.Attributes().PutStr("exception.type", "PaymentError")
	ev2 := sp.Events().AppendEmpty()
	ev2.SetName("retry")
	ev2.SetTimestamp(ts(1200 * time.Millisecond))
	ln := sp.Links().AppendEmpty()
	ln.SetTraceID(linkTID)
	ln.SetSpanID(linkSID)
	ln.TraceState().FromRaw("k=v")
	ln.Attributes().PutBool("link.sampled", true)

	child := ss.Spans().AppendEmpty()
	child.SetTraceID(traceID)
	child.SetSpanID(parent)
	child.SetName("SELECT cart")
	child.SetKind(ptrace.SpanKindClient)
	child.SetStartTimestamp(ts(100 * time.Millisecond))
	child.SetEndTimestamp(ts(300 * time.Millisecond))

	// A second resource without tenant.id lands in the default tenant.
	rs2 := td.ResourceSpans().AppendEmpty()
	fillResource(rs2.Resource(), "")
	s3 := rs2.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s3.SetTraceID(linkTID)
	s3.SetSpanID(linkSID)
	s3.SetName("cron")
	s3.SetStartTimestamp(ts(2 * time.Second))
	s3.SetEndTimestamp(ts(2 * time.Second))
	return td
}

func sampleLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	fillResource(rl.Resource(), "acme")
	rl.Resource().Attributes().PutStr("user.id", "resource-user")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("app")

	ev := sl.LogRecords().AppendEmpty()
	ev.SetEventName("add_to_cart")
	ev.SetTimestamp(ts(0))
	ev.SetObservedTimestamp(ts(time.Millisecond))
	ev.Attributes().PutStr("user.id", "u-42")
	ev.Attributes().PutStr("session.id", "s-7")
	ev.Attributes().PutDouble("price", 19.99)
	ev.Attributes().PutEmptySlice("tags").AppendEmpty().SetStr("promo")
	ev.Body().SetStr("clicked add")
	ev.SetTraceID(traceID)
	ev.SetSpanID(spanID)

	legacy := sl.LogRecords().AppendEmpty()
	legacy.Attributes().PutStr("event.name", "page_view")
	legacy.SetTimestamp(ts(time.Second))

	lg := sl.LogRecords().AppendEmpty()
	lg.SetTimestamp(ts(2 * time.Second))
	lg.SetSeverityNumber(plog.SeverityNumberWarn)
	lg.SetSeverityText("WARN")
	lg.Body().SetEmptyMap().PutStr("msg", "slow query")
	lg.Attributes().PutInt("duration_ms", 1234)

	// No timestamp: the observed timestamp is used.
	obs := sl.LogRecords().AppendEmpty()
	obs.SetObservedTimestamp(ts(3 * time.Second))
	obs.Body().SetStr("observed only")

	// Year 2554: beyond DateTime64(9); dropped and counted.
	bad := sl.LogRecords().AppendEmpty()
	bad.SetTimestamp(pcommon.Timestamp(^uint64(0)))
	bad.Body().SetStr("from the future")
	return ld
}

func sampleMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	fillResource(rm.Resource(), "acme")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("meter")
	sm.Scope().SetVersion("0.1")

	g := sm.Metrics().AppendEmpty()
	g.SetName("queue.depth")
	g.SetUnit("{item}")
	g.SetDescription("items waiting")
	gdp := g.SetEmptyGauge().DataPoints().AppendEmpty()
	gdp.SetTimestamp(ts(0))
	gdp.SetIntValue(17)
	gdp.Attributes().PutStr("queue", "orders")
	ex := gdp.Exemplars().AppendEmpty()
	ex.SetTimestamp(ts(-time.Second))
	ex.SetDoubleValue(16.5)
	ex.SetTraceID(traceID)
	ex.SetSpanID(spanID)
	ex.FilteredAttributes().PutStr("user.id", "u-42")

	s := sm.Metrics().AppendEmpty()
	s.SetName("requests")
	sum := s.SetEmptySum()
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	sum.SetIsMonotonic(true)
	sdp := sum.DataPoints().AppendEmpty()
	sdp.SetStartTimestamp(ts(-time.Minute))
	sdp.SetTimestamp(ts(0))
	sdp.SetDoubleValue(1234.5)
	sdp.Attributes().PutStr("user.id", "u-42")

	h := sm.Metrics().AppendEmpty()
	h.SetName("latency")
	h.SetUnit("ms")
	hist := h.SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	hdp := hist.DataPoints().AppendEmpty()
	hdp.SetStartTimestamp(ts(-time.Minute))
	hdp.SetTimestamp(ts(0))
	hdp.SetCount(10)
	hdp.SetSum(523.5)
	hdp.SetMin(1.5)
	hdp.SetMax(250)
	hdp.ExplicitBounds().FromRaw([]float64{10, 100, 1000})
	hdp.BucketCounts().FromRaw([]uint64{3, 5, 2, 0})

	e := sm.Metrics().AppendEmpty()
	e.SetName("payload.size")
	eh := e.SetEmptyExponentialHistogram()
	eh.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	edp := eh.DataPoints().AppendEmpty()
	edp.SetTimestamp(ts(0))
	edp.SetCount(7)
	edp.SetSum(96)
	edp.SetScale(2)
	edp.SetZeroCount(1)
	edp.SetZeroThreshold(0.001)
	edp.Positive().SetOffset(3)
	edp.Positive().BucketCounts().FromRaw([]uint64{1, 2, 3})
	edp.Negative().SetOffset(-2)
	edp.Negative().BucketCounts().FromRaw([]uint64{0})

	su := sm.Metrics().AppendEmpty()
	su.SetName("gc.pause")
	sdpq := su.SetEmptySummary().DataPoints().AppendEmpty()
	sdpq.SetTimestamp(ts(0))
	sdpq.SetCount(4)
	sdpq.SetSum(12)
	q := sdpq.QuantileValues().AppendEmpty()
	q.SetQuantile(0.5)
	q.SetValue(2.5)
	q = sdpq.QuantileValues().AppendEmpty()
	q.SetQuantile(0.99)
	q.SetValue(6)

	// A metric without data type cannot be stored; dropped and counted.
	sm.Metrics().AppendEmpty().SetName("typeless")
	return md
}
