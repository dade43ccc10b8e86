// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// sanitize processor (mdatagen is not available in this build).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/sanitizeprocessor/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the processor.
	Type = component.MustNewType("sanitize")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/processor/sanitizeprocessor"
)

// Stability of each signal.
const (
	TracesStability  = component.StabilityLevelAlpha
	MetricsStability = component.StabilityLevelAlpha
	LogsStability    = component.StabilityLevelAlpha
)

// Instrument names; Prometheus exposition adds _total to counters.
const (
	MetricStringsRepairedName = "otelcol_processor_sanitize_strings_repaired"
	MetricRecordsStampedName  = "otelcol_processor_sanitize_records_stamped"
)

// Telemetry holds the processor's instruments.
type Telemetry struct {
	// StringsRepaired counts strings (attribute keys and values, bodies, names) whose invalid UTF-8
	// was replaced with U+FFFD, by signal.
	StringsRepaired metric.Int64Counter
	// RecordsStamped counts log records that arrived without any timestamp and got the time of
	// arrival as their observed timestamp.
	RecordsStamped metric.Int64Counter
}

// NewTelemetry creates the instruments from the component's MeterProvider.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	var t Telemetry
	var err, e error
	t.StringsRepaired, e = m.Int64Counter(MetricStringsRepairedName,
		metric.WithDescription("Strings whose invalid UTF-8 was replaced with U+FFFD, by signal."),
		metric.WithUnit("{string}"))
	err = errors.Join(err, e)
	t.RecordsStamped, e = m.Int64Counter(MetricRecordsStampedName,
		metric.WithDescription("Log records without a timestamp that got their time of arrival as observed timestamp."),
		metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	return &t, err
}
