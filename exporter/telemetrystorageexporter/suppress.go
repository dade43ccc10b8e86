package telemetrystorageexporter

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// Write-time suppression: records of a user whose deletion was requested are not stored, even when
// they were acknowledged (and queued) before the request, or passed the pipeline on a collector
// that had not yet refreshed its suppression list. The list belongs to the data_rights extension;
// without one nothing is checked. Dropped records are counted in records_dropped, reason suppressed.

const reasonSuppressed = "suppressed"

// useSuppression finds the data_rights extension's list once per storage.
func (s *storage) useSuppression(host component.Host) error {
	l, err := suppression.FromHost(host)
	if err != nil {
		return fmt.Errorf("suppression: %w", err)
	}
	if l != nil {
		s.suppress.Store(l)
	}
	return nil
}

func (s *storage) countSuppressed(ctx context.Context, signal string, n int64, err error) {
	if n == 0 || err != nil {
		return
	}
	s.tel.RecordsDropped.Add(ctx, n, metric.WithAttributes(
		attribute.String("signal", signal), attribute.String("reason", reasonSuppressed)))
}

// activeList is the list when it has entries, else nil (the common case costs one load).
func (s *storage) activeList() *suppression.List {
	l := s.suppress.Load()
	if l == nil || l.Empty() {
		return nil
	}
	return l
}

func suppressedAt(l *suppression.List, tenant string, attrs, res pcommon.Map, ts pcommon.Timestamp) bool {
	return l.Check(tenant, userOf(attrs, res), int64(ts)/1e6)
}

// spanSuppressed also looks at the span's events and links: pii_redaction tokenises user ids there,
// and data_rights deletes a span that names its subject only there, so such a span arriving later
// is not stored either.
func spanSuppressed(l *suppression.List, tenant string, sp ptrace.Span, res pcommon.Map) bool {
	ts := sp.StartTimestamp()
	if suppressedAt(l, tenant, sp.Attributes(), res, ts) {
		return true
	}
	for _, ev := range sp.Events().All() {
		if l.Check(tenant, userOf(ev.Attributes(), noAttrs), int64(ts)/1e6) {
			return true
		}
	}
	for _, ln := range sp.Links().All() {
		if l.Check(tenant, userOf(ln.Attributes(), noAttrs), int64(ts)/1e6) {
			return true
		}
	}
	return false
}

// noAttrs is the empty map nested attributes fall back to (only read).
var noAttrs = pcommon.NewMap()

// exemplarsSuppressed reports whether an exemplar of the point names a suppressed user.
func exemplarsSuppressed(ex pmetric.ExemplarSlice, hit func(pcommon.Map, pcommon.Timestamp) bool, ts pcommon.Timestamp) bool {
	for _, e := range ex.All() {
		if hit(e.FilteredAttributes(), ts) {
			return true
		}
	}
	return false
}

// suppressLogs returns ld without suppressed records and how many it removed: ld itself when none
// is (the exporter does not mutate its input), else a filtered copy. The caller counts them once the
// rest is stored, so a batch retried during an outage is not counted at every attempt.
func (s *storage) suppressLogs(ld plog.Logs) (plog.Logs, int64) {
	l := s.activeList()
	if l == nil {
		return ld, 0
	}
	hit := func(tenant string, res pcommon.Map, lr plog.LogRecord) bool {
		ts := lr.Timestamp()
		if ts == 0 {
			ts = lr.ObservedTimestamp()
		}
		return suppressedAt(l, tenant, lr.Attributes(), res, ts)
	}
	found := false
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		tenant := tenantOf(res)
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				found = found || hit(tenant, res, lr)
			}
		}
	}
	if !found {
		return ld, 0
	}
	out := plog.NewLogs()
	ld.CopyTo(out)
	var n int64
	out.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		res := rl.Resource().Attributes()
		tenant := tenantOf(res)
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				h := hit(tenant, res, lr)
				if h {
					n++
				}
				return h
			})
			return sl.LogRecords().Len() == 0
		})
		return rl.ScopeLogs().Len() == 0
	})
	return out, n
}

func (s *storage) suppressTraces(td ptrace.Traces) (ptrace.Traces, int64) {
	l := s.activeList()
	if l == nil {
		return td, 0
	}
	found := false
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		tenant := tenantOf(res)
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				found = found || spanSuppressed(l, tenant, sp, res)
			}
		}
	}
	if !found {
		return td, 0
	}
	out := ptrace.NewTraces()
	td.CopyTo(out)
	var n int64
	out.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		res := rs.Resource().Attributes()
		tenant := tenantOf(res)
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			ss.Spans().RemoveIf(func(sp ptrace.Span) bool {
				h := spanSuppressed(l, tenant, sp, res)
				if h {
					n++
				}
				return h
			})
			return ss.Spans().Len() == 0
		})
		return rs.ScopeSpans().Len() == 0
	})
	return out, n
}

type pointLike interface {
	Attributes() pcommon.Map
	Timestamp() pcommon.Timestamp
}

// exemplarsOf is a point's exemplars; summaries have none.
func exemplarsOf(dp any) (pmetric.ExemplarSlice, bool) {
	switch p := dp.(type) {
	case pmetric.NumberDataPoint:
		return p.Exemplars(), true
	case pmetric.HistogramDataPoint:
		return p.Exemplars(), true
	case pmetric.ExponentialHistogramDataPoint:
		return p.Exemplars(), true
	}
	return pmetric.ExemplarSlice{}, false
}

func removeSuppressedPoints[P pointLike, S interface {
	RemoveIf(func(P) bool)
	Len() int
}](points S, hit func(pcommon.Map, pcommon.Timestamp) bool) (left int, removed int64) {
	points.RemoveIf(func(dp P) bool {
		h := hit(dp.Attributes(), dp.Timestamp())
		if !h {
			if ex, ok := exemplarsOf(dp); ok {
				h = exemplarsSuppressed(ex, hit, dp.Timestamp())
			}
		}
		if h {
			removed++
		}
		return h
	})
	return points.Len(), removed
}

// filterMetricPoints removes suppressed data points of m; it returns the points left and removed.
func filterMetricPoints(m pmetric.Metric, hit func(pcommon.Map, pcommon.Timestamp) bool) (int, int64) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return removeSuppressedPoints[pmetric.NumberDataPoint](m.Gauge().DataPoints(), hit)
	case pmetric.MetricTypeSum:
		return removeSuppressedPoints[pmetric.NumberDataPoint](m.Sum().DataPoints(), hit)
	case pmetric.MetricTypeHistogram:
		return removeSuppressedPoints[pmetric.HistogramDataPoint](m.Histogram().DataPoints(), hit)
	case pmetric.MetricTypeExponentialHistogram:
		return removeSuppressedPoints[pmetric.ExponentialHistogramDataPoint](m.ExponentialHistogram().DataPoints(), hit)
	case pmetric.MetricTypeSummary:
		return removeSuppressedPoints[pmetric.SummaryDataPoint](m.Summary().DataPoints(), hit)
	}
	return 1, 0
}

func (s *storage) suppressMetrics(md pmetric.Metrics) (pmetric.Metrics, int64) {
	l := s.activeList()
	if l == nil {
		return md, 0
	}
	// Filtering a copy is the check: metrics batches are small next to the HMACs it saves to skip.
	out := pmetric.NewMetrics()
	md.CopyTo(out)
	var n int64
	out.ResourceMetrics().RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		res := rm.Resource().Attributes()
		tenant := tenantOf(res)
		hit := func(attrs pcommon.Map, ts pcommon.Timestamp) bool { return suppressedAt(l, tenant, attrs, res, ts) }
		rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool {
			sm.Metrics().RemoveIf(func(m pmetric.Metric) bool {
				left, removed := filterMetricPoints(m, hit)
				n += removed
				return left == 0
			})
			return sm.Metrics().Len() == 0
		})
		return rm.ScopeMetrics().Len() == 0
	})
	if n == 0 {
		return md, 0
	}
	return out, n
}
