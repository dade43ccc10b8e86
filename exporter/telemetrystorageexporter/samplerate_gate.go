package telemetrystorageexporter

import (
	"go.opentelemetry.io/collector/featuregate"

	// Imported for its feature gate registration, which must run before init below.
	_ "github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
)

// useTracestateGate makes tail_sampling write the OTel sampling threshold (`ot=th:…`) of its
// decision into every kept span's tracestate: th:0 for a trace kept by the error or latency
// policy, the probabilistic threshold for one kept only by chance. The sample_rate column is
// read from it, so counts weighted by 1/sample_rate are unbiased.
const useTracestateGate = "processor.tailsamplingprocessor.usetracestate"

// init turns the gate on as this distribution's default. It runs before the command line is
// parsed, so `--feature-gates=-processor.tailsamplingprocessor.usetracestate` still turns it off.
func init() {
	_ = featuregate.GlobalRegistry().Set(useTracestateGate, true)
}
