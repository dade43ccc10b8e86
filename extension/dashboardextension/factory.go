// Package dashboardextension implements the telemetry_dashboard extension: the built-in dashboard
// (Overview, Explore, Privacy, Pipeline health) served from embedded files under
// /api/v1/telemetry/dashboard, and privacy-safe reports with k-anonymity at /dashboard/reports.
package dashboardextension // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
)

// NewFactory returns the factory of the telemetry_dashboard extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		func(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
			return newExtension(cfg.(*Config), set.TelemetrySettings)
		},
		metadata.Stability,
	)
}
