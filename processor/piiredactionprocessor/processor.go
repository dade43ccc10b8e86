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

// newPIIProcessor: id is the component id (pii_redaction, pii_redaction/red), the "processor"
// attribute of its counts: two instances in one collector (the RED pipeline's pii_redaction/red sees
// every span a second time) must not add up in one series.
func newPIIProcessor(cfg *Config, id string, tb *metadata.TelemetryBuilder) *piiProcessor {
	p := &piiProcessor{e: newEngine(cfg), cfg: cfg, tb: tb}
	for s := range numSignals {
		p.allowOpts[s] = metric.WithAttributeSet(attribute.NewSet(attribute.String("processor", id),
			attribute.String("detector", "attribute_allowlist"), attribute.String("signal", signalNames[s])))
		p.addOpts[s] = make([]metric.AddOption, len(counterNames))
		for i, n := range counterNames {
			p.addOpts[s][i] = metric.WithAttributeSet(attribute.NewSet(attribute.String("processor", id),
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
	defer p.releaseState(st)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		st = p.switchState(ctx, signalTraces, st, rs.Resource().Attributes())
		resMark := st.container(rs.Resource().Attributes(), 0)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			scopeMark := st.container(ss.Scope().Attributes(), resMark)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				st.ids = st.ids[:scopeMark]
				st.span(spans.At(k))
			}
		}
	}
	p.record(ctx, signalTraces, st)
	return td, nil
}

// container processes resource or scope attributes, whose identifiers count
// as self-mentions of every record below them; it returns the mark to reset
// the self-mention list to before each record.
func (st *state) container(m pcommon.Map, mark int) int {
	st.ids = st.ids[:mark]
	st.attrs(m)
	st.selfMap(m)
	st.resetRecord()
	return len(st.ids)
}

// switchState points st at the engine of res's tenant. The scratch space is shared: every
// tenant's engine has the YAML's hash_key (a policy cannot set one), so st's hasher fits all, and
// counts are per detector whatever the engine. Callers put st back into p.e's pool with
// releaseState.
func (p *piiProcessor) switchState(_ context.Context, _ signal, st *state, res pcommon.Map) *state {
	st.useEngine(p.engineFor(res))
	return st
}

// releaseState returns a state that may point at a tenant's engine to p.e's pool.
func (p *piiProcessor) releaseState(st *state) {
	st.useEngine(p.e)
	p.e.putState(st)
}

func (st *state) span(sp ptrace.Span) {
	if n := sp.Name(); n != "" {
		if out := st.name(n, "name"); out != n {
			sp.SetName(out)
		}
	}
	if m := sp.Status().Message(); m != "" {
		if out := st.str(m, "status.message"); out != m {
			sp.Status().SetMessage(out)
		}
	}
	st.recordAttrs(sp.Attributes())
	evs := sp.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if n := ev.Name(); n != "" {
			if out := st.str(n, "event.name"); out != n {
				ev.SetName(out)
			}
		}
		st.recordAttrs(ev.Attributes())
		st.allow(ev.Attributes())
	}
	links := sp.Links()
	for i := 0; i < links.Len(); i++ {
		st.attrs(links.At(i).Attributes())
	}
	st.selfSpan(sp)
	st.flushSummary(sp.Attributes())
}

func (p *piiProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	st := p.e.getState()
	defer p.releaseState(st)
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		st = p.switchState(ctx, signalLogs, st, rl.Resource().Attributes())
		resMark := st.container(rl.Resource().Attributes(), 0)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			scopeMark := st.container(sl.Scope().Attributes(), resMark)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				st.ids = st.ids[:scopeMark]
				lr := lrs.At(k)
				if n := lr.EventName(); n != "" {
					if out := st.str(n, "event_name"); out != n {
						lr.SetEventName(out)
					}
				}
				st.recordAttrs(lr.Attributes())
				st.path = st.path[:0]
				st.value(lr.Body(), "body")
				st.selfLog(lr)
				st.flushSummary(lr.Attributes())
			}
		}
	}
	p.record(ctx, signalLogs, st)
	return ld, nil
}

func (p *piiProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	st := p.e.getState()
	defer p.releaseState(st)
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		st = p.switchState(ctx, signalMetrics, st, rm.Resource().Attributes())
		resMark := st.container(rm.Resource().Attributes(), 0)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			scopeMark := st.container(sm.Scope().Attributes(), resMark)
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				st.metric(ms.At(k), scopeMark)
			}
		}
	}
	p.record(ctx, signalMetrics, st)
	return md, nil
}

func (st *state) metric(m pmetric.Metric, mark int) {
	// A metric name is a label like a route: an app that puts a user's
	// e-mail or a raw path in it gets the same structural check.
	if n := m.Name(); n != "" {
		st.ids = st.ids[:mark]
		if out := st.name(n, "metric.name"); out != n {
			m.SetName(out)
		}
		st.resetRecord()
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		st.numberPoints(m.Gauge().DataPoints(), mark)
	case pmetric.MetricTypeSum:
		st.numberPoints(m.Sum().DataPoints(), mark)
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			st.point(dp.Attributes(), dp.Exemplars(), mark)
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			st.point(dp.Attributes(), dp.Exemplars(), mark)
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			st.point(dps.At(i).Attributes(), noExemplars, mark)
		}
	}
}

// noExemplars stands in for the exemplars summary points do not have.
var noExemplars = pmetric.NewExemplarSlice()

func (st *state) numberPoints(dps pmetric.NumberDataPointSlice, mark int) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		st.point(dp.Attributes(), dp.Exemplars(), mark)
	}
}

// point processes one data point: its attributes, its exemplars, then the
// self-mentions of the identifiers among them.
func (st *state) point(attrs pcommon.Map, exs pmetric.ExemplarSlice, mark int) {
	st.ids = st.ids[:mark]
	st.recordAttrs(attrs)
	st.exemplars(exs)
	st.selfMap(attrs)
	st.selfExemplars(exs)
	st.flushSummary(attrs)
}

func (st *state) exemplars(exs pmetric.ExemplarSlice) {
	for i := 0; i < exs.Len(); i++ {
		st.attrs(exs.At(i).FilteredAttributes())
	}
}
