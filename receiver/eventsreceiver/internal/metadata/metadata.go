// Package metadata holds the component type and the receiver's own metric instruments, written by
// hand in the shape mdatagen would generate (see ../../metadata.yaml).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

var Type = component.MustNewType("telemetry_events")

const (
	ScopeName     = "github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"
	LogsStability = component.StabilityLevelAlpha
)

// Telemetry is the receiver's own counters; the generic accepted/refused counts come from
// receiverhelper.ObsReport.
type Telemetry struct {
	requests metric.Int64Counter
	rejected metric.Int64Counter
}

func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	requests, err1 := m.Int64Counter("otelcol_telemetry_events_requests",
		metric.WithDescription("Requests answered, by HTTP status code and route."), metric.WithUnit("{request}"))
	rejected, err2 := m.Int64Counter("otelcol_telemetry_events_rejected",
		metric.WithDescription("Events rejected as invalid, by the top-level field at fault."), metric.WithUnit("{event}"))
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &Telemetry{requests: requests, rejected: rejected}, nil
}

// Request counts one answered request.
func (t *Telemetry) Request(ctx context.Context, route string, status int) {
	t.requests.Add(ctx, 1, metric.WithAttributes(
		attribute.String("route", route), attribute.Int("http.response.status_code", status)))
}

// Rejected counts n invalid events whose first fault is in field (a top-level field name, bounded set).
func (t *Telemetry) Rejected(ctx context.Context, field string, n int) {
	t.rejected.Add(ctx, int64(n), metric.WithAttributes(attribute.String("field", field)))
}
