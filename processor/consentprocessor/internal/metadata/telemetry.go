// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// consent processor (mdatagen is not available in this build, so this file plays the role of its
// generated_telemetry.go).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the processor.
	Type = component.MustNewType("consent")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor"
)

// Stability of each signal.
const (
	TracesStability  = component.StabilityLevelAlpha
	MetricsStability = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
)

// MetricRecordsName is the instrument name; Prometheus exposition adds the counter suffix:
// otelcol_processor_consent_records_total.
const MetricRecordsName = "otelcol_processor_consent_records"

// TelemetryBuilder holds the component's own instruments.
type TelemetryBuilder struct {
	// Records counts spans, data points and log records by signal, purpose, outcome (passed,
	// dropped, anonymized) and reason.
	Records metric.Int64Counter
}

// NewTelemetryBuilder creates the instruments from the component's MeterProvider.
func NewTelemetryBuilder(set component.TelemetrySettings) (*TelemetryBuilder, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("consent: telemetry settings have no MeterProvider")
	}
	meter := set.MeterProvider.Meter(ScopeName)
	tb := &TelemetryBuilder{}
	var err error
	tb.Records, err = meter.Int64Counter(MetricRecordsName,
		metric.WithDescription("Spans, data points and log records seen by the consent processor, by signal, purpose, outcome (passed, dropped, anonymized) and reason (granted, denied, withdrawn, default_opt_in, default_opt_out, store_incomplete, anonymous, disabled)."),
		metric.WithUnit("{records}"))
	return tb, err
}
