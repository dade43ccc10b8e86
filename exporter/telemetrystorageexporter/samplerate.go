package telemetrystorageexporter

import (
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrSamplingThreshold is where the stock probabilistic_sampler (proportional and equalizing
// modes) and this project's client put the OTel sampling threshold (t-value) of a log record.
const attrSamplingThreshold = "sampling.threshold"

// rateCache remembers the last tracestate parsed: the spans of one trace arrive together and
// share their tracestate, so most spans cost one string comparison.
type rateCache struct {
	raw  string
	rate float64
}

// spanRate is the probability the span was kept with, from the OTel threshold (`th`) in the
// `ot` entry of its W3C tracestate; 1 when there is none (not sampled, or kept for certain).
func (c *rateCache) spanRate(traceState string) float64 {
	if traceState == "" || !strings.Contains(traceState, "ot=") {
		return 1
	}
	if traceState == c.raw && c.rate != 0 {
		return c.rate
	}
	rate := 1.0
	if ts, err := sampling.NewW3CTraceState(traceState); err == nil {
		if th, ok := ts.OTelValue().TValueThreshold(); ok {
			rate = thresholdRate(th)
		}
	}
	c.raw, c.rate = traceState, rate
	return rate
}

// recordRate is spanRate for a log record or event: its sampling.threshold attribute.
func recordRate(attrs pcommon.Map) float64 {
	v, ok := attrs.Get(attrSamplingThreshold)
	if !ok {
		return 1
	}
	th, err := sampling.TValueToThreshold(v.AsString())
	if err != nil {
		return 1 // a malformed threshold says nothing; the record counts as itself
	}
	return thresholdRate(th)
}

// thresholdRate is the threshold's sampling probability, kept above zero so that 1/rate (the
// adjusted count) is always finite.
func thresholdRate(th sampling.Threshold) float64 {
	p := th.Probability()
	if p <= 0 || p > 1 {
		return 1
	}
	return p
}
