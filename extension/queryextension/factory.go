// Package queryextension implements the telemetry_query extension: the read side of the Telemetry
// Module. It adds GET /metrics (raw points), GET /metrics/aggregate (aggregates of metrics and of
// product events per bucket and group) and GET /metrics/export (CSV, NDJSON, JSON) to the telemetry
// API, reading the ClickHouse tables the telemetry_storage exporter writes.
package queryextension // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"
)

// NewFactory returns the factory of the query extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		func(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
			return newExtension(cfg.(*Config), set.TelemetrySettings), nil
		},
		metadata.Stability,
	)
}
