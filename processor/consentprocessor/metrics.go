package consentprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// processMetrics judges every data point (a user id on a data point is unusual but possible; on the
// resource it is common for client-side metrics).
func (p *consentProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	b := p.newBatch(ctx)
	md.ResourceMetrics().RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		res := p.resourceOf(b, rm.Resource())
		stripResource := false
		remove := func(attrs pcommon.Map) bool {
			v, fromResource := p.judge(b, res, attrs, res.pm.metrics)
			if v == anonymize {
				p.strip(attrs)
				stripResource = stripResource || fromResource
			}
			return v == drop
		}
		rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool {
			sm.Metrics().RemoveIf(func(m pmetric.Metric) bool { return filterPoints(m, remove) == 0 })
			return sm.Metrics().Len() == 0
		})
		if stripResource {
			p.strip(rm.Resource().Attributes())
		}
		return rm.ScopeMetrics().Len() == 0
	})
	p.flush(ctx, b)
	if md.ResourceMetrics().Len() == 0 {
		return md, processorhelper.ErrSkipProcessingData
	}
	return md, nil
}

// filterPoints removes the data points remove asks for and returns how many are left. A metric of
// no known type (empty) is left alone.
func filterPoints(m pmetric.Metric, remove func(pcommon.Map) bool) int {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return removePoints[pmetric.NumberDataPoint](m.Gauge().DataPoints(), remove)
	case pmetric.MetricTypeSum:
		return removePoints[pmetric.NumberDataPoint](m.Sum().DataPoints(), remove)
	case pmetric.MetricTypeHistogram:
		return removePoints[pmetric.HistogramDataPoint](m.Histogram().DataPoints(), remove)
	case pmetric.MetricTypeExponentialHistogram:
		return removePoints[pmetric.ExponentialHistogramDataPoint](m.ExponentialHistogram().DataPoints(), remove)
	case pmetric.MetricTypeSummary:
		return removePoints[pmetric.SummaryDataPoint](m.Summary().DataPoints(), remove)
	}
	return 1
}

type attributed interface{ Attributes() pcommon.Map }

func removePoints[P attributed, S interface {
	RemoveIf(func(P) bool)
	Len() int
}](points S, remove func(pcommon.Map) bool) int {
	points.RemoveIf(func(dp P) bool { return remove(dp.Attributes()) })
	return points.Len()
}
