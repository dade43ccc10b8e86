package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

type signal int

const (
	signalTraces signal = iota
	signalMetrics
	signalLogs
	numSignals
)

var signalNames = [numSignals]string{"traces", "metrics", "logs"}

// piiProcessor redacts PII in place; it is stateless between batches apart
// from the pooled scratch space and is safe for concurrent use.
type piiProcessor struct {
	e       *engine
	cfg     *Config
	tb      *metadata.TelemetryBuilder
	addOpts [numSignals][]metric.AddOption
	// allowOpts label attributes a tenant's attribute_allowlist removed.
	allowOpts [numSignals]metric.AddOption
	// tenants, when the telemetry API extension keeps tenants' policies, picks each resource's
	// engine (tenantpolicy.go); nil: every record under e.
	tenants *tenantPolicies
}

func newPIIProcessor(cfg *Config, tb *metadata.TelemetryBuilder) *piiProcessor {
	p := &piiProcessor{e: newEngine(cfg), cfg: cfg, tb: tb}
	for s := range numSignals {
		p.allowOpts[s] = metric.WithAttributeSet(attribute.NewSet(
			attribute.String("detector", "attribute_allowlist"), attribute.String("signal", signalNames[s])))
		p.addOpts[s] = make([]metric.AddOption, len(counterNames))
		for i, n := range counterNames {
			p.addOpts[s][i] = metric.WithAttributeSet(attribute.NewSet(
				attribute.String("detector", n), attribute.String("signal", signalNames[s])))
		}
	}
	return p
}

func (p *piiProcessor) record(ctx context.Context, sig signal, st *state) {
	if p.tb == nil { // a dry run counts nothing
		return
	}
	for i := range counterNames {
		if n := st.counts[i]; n > 0 {
			p.tb.ProcessorPiiRedactionRedactions.Add(ctx, n, p.addOpts[sig][i])
		}
	}
	if st.allowDropped > 0 {
		p.tb.ProcessorPiiRedactionRedactions.Add(ctx, st.allowDropped, p.allowOpts[sig])
	}
}

func (p *piiProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	st := p.e.getState()
	defer func() { st.e.putState(st) }()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		st = p.switchState(ctx, signalTraces, st, rs.Resource().Attributes())
		st.attrs(rs.Resource().Attributes())
		st.resetRecord()
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			st.attrs(ss.Scope().Attributes())
			st.resetRecord()
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				st.span(spans.At(k))
			}
		}
	}
	p.record(ctx, signalTraces, st)
	return td, nil
}

// switchState returns the state of the engine of res's tenant: st itself unless the tenant has a
// policy of its own; otherwise st's counts are recorded and st returned to its pool.
func (p *piiProcessor) switchState(ctx context.Context, sig signal, st *state, res pcommon.Map) *state {
	e := p.engineFor(res)
	if e == st.e {
		return st
	}
	p.record(ctx, sig, st)
	st.e.putState(st)
	return e.getState()
}

func (st *state) span(sp ptrace.Span) {
	if n := sp.Name(); n != "" {
		if out := st.str(n, "name"); out != n {
			sp.SetName(out)
		}
	}
	if m := sp.Status().Message(); m != "" {
		if out := st.str(m, "status.message"); out != m {
			sp.Status().SetMessage(out)
		}
	}
	st.attrs(sp.Attributes())
	evs := sp.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if n := ev.Name(); n != "" {
			if out := st.str(n, "event.name"); out != n {
				ev.SetName(out)
			}
		}
		st.attrs(ev.Attributes())
		st.allow(ev.Attributes())
	}
	links := sp.Links()
	for i := 0; i < links.Len(); i++ {
		st.attrs(links.At(i).Attributes())
	}
	st.flushSummary(sp.Attributes())
}

func (p *piiProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	st := p.e.getState()
	defer func() { st.e.putState(st) }()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		st = p.switchState(ctx, signalLogs, st, rl.Resource().Attributes())
		st.attrs(rl.Resource().Attributes())
		st.resetRecord()
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			st.attrs(sl.Scope().Attributes())
			st.resetRecord()
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				if n := lr.EventName(); n != "" {
					if out := st.str(n, "event_name"); out != n {
						lr.SetEventName(out)
					}
				}
				st.attrs(lr.Attributes())
				st.path = st.path[:0]
				st.value(lr.Body(), "body")
				st.flushSummary(lr.Attributes())
			}
		}
	}
	p.record(ctx, signalLogs, st)
	return ld, nil
}

func (p *piiProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	st := p.e.getState()
	defer func() { st.e.putState(st) }()
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		st = p.switchState(ctx, signalMetrics, st, rm.Resource().Attributes())
		st.attrs(rm.Resource().Attributes())
		st.resetRecord()
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			st.attrs(sm.Scope().Attributes())
			st.resetRecord()
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				st.metric(ms.At(k))
			}
		}
	}
	p.record(ctx, signalMetrics, st)
	return md, nil
}

func (st *state) metric(m pmetric.Metric) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		st.numberPoints(m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		st.numberPoints(m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			st.attrs(dp.Attributes())
			st.exemplars(dp.Exemplars())
			st.flushSummary(dp.Attributes())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			st.attrs(dp.Attributes())
			st.exemplars(dp.Exemplars())
			st.flushSummary(dp.Attributes())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			st.attrs(dp.Attributes())
			st.flushSummary(dp.Attributes())
		}
	}
}

func (st *state) numberPoints(dps pmetric.NumberDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		st.attrs(dp.Attributes())
		st.exemplars(dp.Exemplars())
		st.flushSummary(dp.Attributes())
	}
}

func (st *state) exemplars(exs pmetric.ExemplarSlice) {
	for i := 0; i < exs.Len(); i++ {
		st.attrs(exs.At(i).FilteredAttributes())
	}
}
