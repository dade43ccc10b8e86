// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// data-rights extension (mdatagen is not available in this build).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the extension.
	Type = component.MustNewType("data_rights")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension"
)

// Stability of the extension.
const Stability = component.StabilityLevelAlpha

// TelemetryBuilder holds the component's own instruments.
type TelemetryBuilder struct {
	// Requests counts deletion requests by outcome (accepted, completed, failed).
	Requests metric.Int64Counter
	// RowsDeleted counts rows deleted (audit: pseudonymized) by table.
	RowsDeleted metric.Int64Counter
	// Retries counts attempts retried after a ClickHouse error.
	Retries metric.Int64Counter

	entries metric.Int64ObservableGauge
	reg     metric.Registration
}

// NewTelemetryBuilder creates the instruments; entries reports the suppression list size.
func NewTelemetryBuilder(set component.TelemetrySettings, entries func() int64) (*TelemetryBuilder, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("data_rights: telemetry settings have no MeterProvider")
	}
	meter := set.MeterProvider.Meter(ScopeName)
	tb := &TelemetryBuilder{}
	var err, e error
	tb.Requests, e = meter.Int64Counter("otelcol_data_rights_requests",
		metric.WithDescription("Deletion requests by outcome (accepted, completed, failed)."), metric.WithUnit("{requests}"))
	err = errors.Join(err, e)
	tb.RowsDeleted, e = meter.Int64Counter("otelcol_data_rights_rows_deleted",
		metric.WithDescription("Rows deleted (pseudonymized for telemetry_audit) by table."), metric.WithUnit("{rows}"))
	err = errors.Join(err, e)
	tb.Retries, e = meter.Int64Counter("otelcol_data_rights_retries",
		metric.WithDescription("Attempts of a request that failed on ClickHouse and were retried."), metric.WithUnit("{retries}"))
	err = errors.Join(err, e)
	tb.entries, e = meter.Int64ObservableGauge("otelcol_data_rights_suppression_entries",
		metric.WithDescription("Subjects in the suppression list held in memory."), metric.WithUnit("{entries}"))
	err = errors.Join(err, e)
	if err != nil {
		return nil, err
	}
	tb.reg, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(tb.entries, entries())
		return nil
	}, tb.entries)
	return tb, err
}

// Shutdown unregisters the gauge callback.
func (tb *TelemetryBuilder) Shutdown() {
	if tb.reg != nil {
		_ = tb.reg.Unregister()
	}
}
