// Package metadata holds the component identity and its own telemetry,
// written by hand because mdatagen is not available in this build.
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"

import (
	"go.opentelemetry.io/collector/component"
)

var (
	// Type is the exporter's type in collector configuration.
	Type = component.MustNewType("telemetry_storage")
	// ScopeName is the instrumentation scope of the exporter's own telemetry.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter"
)

const (
	TracesStability  = component.StabilityLevelAlpha
	MetricsStability = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
)
