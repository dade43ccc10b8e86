// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// request_limits extension (mdatagen is not available in this build).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension/internal/metadata"

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the extension.
	Type = component.MustNewType("request_limits")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension"
)

// Stability of the extension.
const Stability = component.StabilityLevelAlpha

// MetricRefusedName counts refused requests; Prometheus exposition adds _total.
const MetricRefusedName = "otelcol_request_limits_refused_requests"

// Telemetry holds the extension's instruments.
type Telemetry struct {
	// Refused counts requests refused before decoding, by protocol (http, grpc), signal and
	// reason (the limit's configuration key, invalid_field or malformed).
	Refused metric.Int64Counter
}

// NewTelemetry creates the instruments from the component's MeterProvider.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	refused, err := m.Int64Counter(MetricRefusedName,
		metric.WithDescription("OTLP requests refused before decoding because they broke a limit or had an invalid field, by protocol, signal and reason."),
		metric.WithUnit("{request}"))
	return &Telemetry{Refused: refused}, err
}
