// Package metadata holds the component type of the backpressure processor (mdatagen is not available
// in this build, so this file plays the role of its generated_status.go).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/backpressureprocessor/internal/metadata"

import "go.opentelemetry.io/collector/component"

// Type is the component type of the processor.
var Type = component.MustNewType("backpressure")

// Stability of each signal.
const (
	TracesStability  = component.StabilityLevelAlpha
	MetricsStability = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
)
