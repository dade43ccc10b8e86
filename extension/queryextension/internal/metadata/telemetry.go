// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// query extension (mdatagen is not available in this build).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the extension.
	Type = component.MustNewType("telemetry_query")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension"
)

// Stability of the extension.
const Stability = component.StabilityLevelAlpha

// Instrument names; Prometheus exposition adds _total to counters.
const (
	MetricQueriesName = "otelcol_query_requests"
	MetricRowsName    = "otelcol_query_rows"
)

// TelemetryBuilder holds the component's own instruments.
type TelemetryBuilder struct {
	// Requests counts requests by route and result (ok, invalid, too_large, error).
	Requests metric.Int64Counter
	// Rows counts rows read from ClickHouse and answered, by route.
	Rows metric.Int64Counter
}

// NewTelemetryBuilder creates the instruments.
func NewTelemetryBuilder(set component.TelemetrySettings) (*TelemetryBuilder, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("telemetry_query: telemetry settings have no MeterProvider")
	}
	meter := set.MeterProvider.Meter(ScopeName)
	tb := &TelemetryBuilder{}
	var err, e error
	tb.Requests, e = meter.Int64Counter(MetricQueriesName,
		metric.WithDescription("Query API requests, by route and result (ok, invalid, too_large, error)."),
		metric.WithUnit("{requests}"))
	err = errors.Join(err, e)
	tb.Rows, e = meter.Int64Counter(MetricRowsName,
		metric.WithDescription("Rows answered by the query API, by route."),
		metric.WithUnit("{rows}"))
	return tb, errors.Join(err, e)
}
