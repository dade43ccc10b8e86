// Package metadata holds the component type and the hand-written
// self-telemetry instruments of the pii_redaction processor (mdatagen is not
// available in this build, so this file plays the role of its generated
// generated_telemetry.go).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the processor.
	Type = component.MustNewType("pii_redaction")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"
)

const (
	// TracesStability is the stability level of the traces pipeline.
	TracesStability = component.StabilityLevelAlpha
	// MetricsStability is the stability level of the metrics pipeline.
	MetricsStability = component.StabilityLevelAlpha
	// LogsStability is the stability level of the logs pipeline.
	LogsStability = component.StabilityLevelAlpha
)

// MetricRedactionsName is the instrument name; Prometheus exposition adds the
// counter suffix: otelcol_processor_pii_redaction_redactions_total.
const MetricRedactionsName = "otelcol_processor_pii_redaction_redactions"

// TelemetryBuilder holds the component's own instruments.
type TelemetryBuilder struct {
	// ProcessorPiiRedactionRedactions counts values redacted, hashed,
	// masked, anonymized or removed, by processor (component id), detector
	// and signal.
	ProcessorPiiRedactionRedactions metric.Int64Counter
}

// NewTelemetryBuilder creates the instruments from the component's
// MeterProvider.
func NewTelemetryBuilder(set component.TelemetrySettings) (*TelemetryBuilder, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("pii_redaction: telemetry settings have no MeterProvider")
	}
	meter := set.MeterProvider.Meter(ScopeName)
	tb := &TelemetryBuilder{}
	var err error
	tb.ProcessorPiiRedactionRedactions, err = meter.Int64Counter(
		MetricRedactionsName,
		metric.WithDescription("Number of values redacted, hashed, masked, anonymized or removed by the pii_redaction processor, by processor (component id), detector (a free-text detector, pii_field, identifier or ip_address) and signal."),
		metric.WithUnit("{values}"),
	)
	return tb, err
}
