package telemetrystorageexporter

import (
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// attrSamplingThreshold is where the stock probabilistic_sampler (proportional and equalizing
// modes) and this project's client put the OTel sampling threshold (t-value) of a log record.
const attrSamplingThreshold = "sampling.threshold"

// rateCache remembers the rates of recent tracestates: the spans of one trace share theirs, and
// tail sampling writes the same few values (th:0, the threshold of TELEMETRY_SAMPLE_RATE), so most
// spans cost one map lookup instead of a parse. Tracestates that differ per trace (an SDK's explicit
// rv) would fill it: it is emptied at maxCachedStates.
type rateCache struct {
	rates map[string]float64
}

const maxCachedStates = 64

// spanRate is the probability the span was kept with, from the OTel threshold (`th`) in the
// `ot` entry of its W3C tracestate; 1 when there is none (not sampled, or kept for certain).
func (c *rateCache) spanRate(traceState string) float64 {
	if traceState == "" || !strings.Contains(traceState, "ot=") {
		return 1
	}
	if r, ok := c.rates[traceState]; ok {
		return r
	}
	rate := 1.0
	if ts, err := sampling.NewW3CTraceState(traceState); err == nil {
		if th, ok := ts.OTelValue().TValueThreshold(); ok {
			rate = thresholdRate(th)
		}
	}
	if c.rates == nil || len(c.rates) >= maxCachedStates {
		c.rates = make(map[string]float64, maxCachedStates)
	}
	c.rates[traceState] = rate
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
