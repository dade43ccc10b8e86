// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// consent extension (mdatagen is not available in this build, so this file plays the role of its
// generated_telemetry.go).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the extension.
	Type = component.MustNewType("consent")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
)

// Stability of the extension.
const Stability = component.StabilityLevelAlpha

// Instrument names; Prometheus exposition adds _total to counters.
const (
	MetricEntriesName   = "otelcol_consent_store_entries"
	MetricRefreshesName = "otelcol_consent_store_refreshes"
	MetricRowsName      = "otelcol_consent_store_rows_applied"
	MetricUpdatesName   = "otelcol_consent_store_updates"
)

// TelemetryBuilder holds the component's own instruments.
type TelemetryBuilder struct {
	// Refreshes counts reads of ClickHouse by kind (full, incremental) and result (ok, error).
	Refreshes metric.Int64Counter
	// RowsApplied counts consent rows read from ClickHouse by result (applied, stale, unknown_purpose,
	// invalid, overflow).
	RowsApplied metric.Int64Counter
	// Updates counts consent changes made through the API by purpose and status.
	Updates metric.Int64Counter

	entries metric.Int64ObservableGauge
	reg     metric.Registration
}

// NewTelemetryBuilder creates the instruments; entries reports the cached entry count when read.
func NewTelemetryBuilder(set component.TelemetrySettings, entries func() int64) (*TelemetryBuilder, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("consent: telemetry settings have no MeterProvider")
	}
	meter := set.MeterProvider.Meter(ScopeName)
	tb := &TelemetryBuilder{}
	var err, e error
	tb.Refreshes, e = meter.Int64Counter(MetricRefreshesName,
		metric.WithDescription("Reads of the consent tables by the consent store, by kind (full, incremental) and result (ok, error)."),
		metric.WithUnit("{refreshes}"))
	err = errors.Join(err, e)
	tb.RowsApplied, e = meter.Int64Counter(MetricRowsName,
		metric.WithDescription("Consent rows read from ClickHouse, by result (applied, stale, unknown_purpose, invalid, overflow)."),
		metric.WithUnit("{rows}"))
	err = errors.Join(err, e)
	tb.Updates, e = meter.Int64Counter(MetricUpdatesName,
		metric.WithDescription("Consent changes made through the API of this collector, by purpose and status."),
		metric.WithUnit("{changes}"))
	err = errors.Join(err, e)
	tb.entries, e = meter.Int64ObservableGauge(MetricEntriesName,
		metric.WithDescription("Consent entries (tenant, user, purpose) held in the consent store's memory."),
		metric.WithUnit("{entries}"))
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

// Shutdown unregisters the entries callback.
func (tb *TelemetryBuilder) Shutdown() {
	if tb.reg != nil {
		_ = tb.reg.Unregister()
	}
}
