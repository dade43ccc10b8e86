package client

import (
	"fmt"
	"math"
	"strings"
)

// SamplingThresholdProperty is the property a sampled event carries: the OpenTelemetry sampling
// threshold (t-value) of the rate it was kept at, the attribute the collector's stock
// probabilistic_sampler writes on log records too. The collector stores it as the event's
// sample_rate, so counts of events weighted by 1/sample_rate estimate the events tracked.
const SamplingThresholdProperty = "sampling.threshold"

// samplingThreshold renders rate as an OTel t-value: the rejection threshold (1-rate)·2^56 in
// hexadecimal without trailing zeros. "" for rate 1 (nothing is sampled out, nothing to say).
func samplingThreshold(rate float64) string {
	if rate >= 1 || rate <= 0 {
		return ""
	}
	const maxAdjusted = 1 << 56
	th := uint64(math.Round((1 - rate) * maxAdjusted))
	if th >= maxAdjusted {
		th = maxAdjusted - 1
	}
	s := strings.TrimRight(fmt.Sprintf("%014x", th), "0")
	if s == "" {
		return "0"
	}
	return s
}
