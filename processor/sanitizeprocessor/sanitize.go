package sanitizeprocessor

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/sanitizeprocessor/internal/metadata"
)

type sanitizer struct {
	cfg *Config
	tel *metadata.Telemetry
}

var (
	signalLogs    = metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", "logs")))
	signalTraces  = metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", "traces")))
	signalMetrics = metric.WithAttributeSet(attribute.NewSet(attribute.String("signal", "metrics")))
)

// repairer counts the strings it repaired in one request.
type repairer struct{ n int64 }

func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// str returns s with invalid UTF-8 replaced; ok is false when s needed it.
func (r *repairer) str(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, true
	}
	r.n++
	return valid(s), false
}

// set repairs a string field in place through its getter and setter.
func (r *repairer) set(get func() string, put func(string)) {
	if s, ok := r.str(get()); !ok {
		put(s)
	}
}

func (r *repairer) value(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if s, ok := r.str(v.Str()); !ok {
			v.SetStr(s)
		}
	case pcommon.ValueTypeMap:
		r.attrs(v.Map())
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := range sl.Len() {
			r.value(sl.At(i))
		}
	}
}

// attrs repairs every key and string value of m. A key cannot be changed in place: a repaired key
// is written anew (after a key that is valid and equal to it, if the request has one) and the
// invalid one removed.
func (r *repairer) attrs(m pcommon.Map) {
	var badKeys []string
	for k, v := range m.All() {
		if !utf8.ValidString(k) {
			badKeys = append(badKeys, k)
		}
		r.value(v)
	}
	for _, k := range badKeys {
		r.n++
		fixed := valid(k)
		if _, exists := m.Get(fixed); !exists {
			// Copied out first: PutEmpty may move the map's entries.
			v, _ := m.Get(k)
			held := pcommon.NewValueEmpty()
			v.CopyTo(held)
			held.CopyTo(m.PutEmpty(fixed))
		}
		m.Remove(k)
	}
}

func (r *repairer) scope(s pcommon.InstrumentationScope) {
	r.set(s.Name, s.SetName)
	r.set(s.Version, s.SetVersion)
	r.attrs(s.Attributes())
}

func (s *sanitizer) logs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var r repairer
	var stamped int64
	now := pcommon.NewTimestampFromTime(time.Now())
	for _, rl := range ld.ResourceLogs().All() {
		if s.cfg.ReplaceInvalidUTF8 {
			r.attrs(rl.Resource().Attributes())
		}
		for _, sl := range rl.ScopeLogs().All() {
			if s.cfg.ReplaceInvalidUTF8 {
				r.scope(sl.Scope())
			}
			for _, lr := range sl.LogRecords().All() {
				if s.cfg.StampObservedTime && lr.Timestamp() == 0 && lr.ObservedTimestamp() == 0 {
					lr.SetObservedTimestamp(now)
					stamped++
				}
				if s.cfg.ReplaceInvalidUTF8 {
					r.value(lr.Body())
					r.attrs(lr.Attributes())
					r.set(lr.SeverityText, lr.SetSeverityText)
					r.set(lr.EventName, lr.SetEventName)
				}
			}
		}
	}
	s.count(ctx, r.n, signalLogs)
	if stamped > 0 {
		s.tel.RecordsStamped.Add(ctx, stamped, signalLogs)
	}
	return ld, nil
}

func (s *sanitizer) traces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	if !s.cfg.ReplaceInvalidUTF8 {
		return td, nil
	}
	var r repairer
	for _, rs := range td.ResourceSpans().All() {
		r.attrs(rs.Resource().Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			r.scope(ss.Scope())
			for _, sp := range ss.Spans().All() {
				r.set(sp.Name, sp.SetName)
				r.attrs(sp.Attributes())
				st := sp.Status()
				r.set(st.Message, st.SetMessage)
				for _, ev := range sp.Events().All() {
					r.set(ev.Name, ev.SetName)
					r.attrs(ev.Attributes())
				}
				for _, ln := range sp.Links().All() {
					r.attrs(ln.Attributes())
				}
			}
		}
	}
	s.count(ctx, r.n, signalTraces)
	return td, nil
}

func (s *sanitizer) metrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	if !s.cfg.ReplaceInvalidUTF8 {
		return md, nil
	}
	var r repairer
	for _, rm := range md.ResourceMetrics().All() {
		r.attrs(rm.Resource().Attributes())
		for _, sm := range rm.ScopeMetrics().All() {
			r.scope(sm.Scope())
			for _, m := range sm.Metrics().All() {
				r.set(m.Name, m.SetName)
				r.set(m.Description, m.SetDescription)
				r.set(m.Unit, m.SetUnit)
				r.attrs(m.Metadata())
				r.dataPoints(m)
			}
		}
	}
	s.count(ctx, r.n, signalMetrics)
	return md, nil
}

func (r *repairer) dataPoints(m pmetric.Metric) {
	exemplars := func(es pmetric.ExemplarSlice) {
		for _, e := range es.All() {
			r.attrs(e.FilteredAttributes())
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		for _, dp := range m.Gauge().DataPoints().All() {
			r.attrs(dp.Attributes())
			exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeSum:
		for _, dp := range m.Sum().DataPoints().All() {
			r.attrs(dp.Attributes())
			exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeHistogram:
		for _, dp := range m.Histogram().DataPoints().All() {
			r.attrs(dp.Attributes())
			exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		for _, dp := range m.ExponentialHistogram().DataPoints().All() {
			r.attrs(dp.Attributes())
			exemplars(dp.Exemplars())
		}
	case pmetric.MetricTypeSummary:
		for _, dp := range m.Summary().DataPoints().All() {
			r.attrs(dp.Attributes())
		}
	}
}

func (s *sanitizer) count(ctx context.Context, n int64, signal metric.AddOption) {
	if n > 0 {
		s.tel.StringsRepaired.Add(ctx, n, signal)
	}
}
