// Package metadata holds the component type and the hand-written self-telemetry instruments of the
// dashboard extension (mdatagen is not available in this build, so this file plays the role of its
// generated_telemetry.go).
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

var (
	// Type is the component type of the extension.
	Type = component.MustNewType("telemetry_dashboard")
	// ScopeName is the instrumentation scope of the component's own metrics.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension"
)

// Stability of the extension.
const Stability = component.StabilityLevelAlpha

// Instrument names; Prometheus exposition adds _total to counters.
const (
	MetricReportsName        = "otelcol_dashboard_reports"
	MetricGroupsWithheldName = "otelcol_dashboard_report_groups_withheld"
	MetricScrapeFailuresName = "otelcol_dashboard_self_metrics_scrape_failures"
)

// Telemetry holds the component's own instruments.
type Telemetry struct {
	// Reports counts reports served, by type, format and result (ok, error).
	Reports metric.Int64Counter
	// GroupsWithheld counts groups withheld by k-anonymity in served reports, by report type.
	GroupsWithheld metric.Int64Counter
	// ScrapeFailures counts failed reads of the collector's own metrics endpoint.
	ScrapeFailures metric.Int64Counter
}

// NewTelemetry creates the instruments.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	if set.MeterProvider == nil {
		return nil, errors.New("telemetry_dashboard: telemetry settings have no MeterProvider")
	}
	m := set.MeterProvider.Meter(ScopeName)
	var t Telemetry
	var errs, err error
	t.Reports, err = m.Int64Counter(MetricReportsName, metric.WithUnit("{reports}"),
		metric.WithDescription("Reports served by the dashboard, by type, format and result."))
	errs = errors.Join(errs, err)
	t.GroupsWithheld, err = m.Int64Counter(MetricGroupsWithheldName, metric.WithUnit("{groups}"),
		metric.WithDescription("Groups withheld from reports because fewer than k distinct users are in them."))
	errs = errors.Join(errs, err)
	t.ScrapeFailures, err = m.Int64Counter(MetricScrapeFailuresName, metric.WithUnit("{scrapes}"),
		metric.WithDescription("Failed reads of the collector's own metrics endpoint by the dashboard."))
	errs = errors.Join(errs, err)
	return &t, errs
}
