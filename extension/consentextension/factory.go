// Package consentextension implements the consent extension: the consent store (per tenant, user
// and purpose, in memory, written through to ClickHouse and refreshed from it) and the consent
// endpoints of the telemetry API. The consent processor enforces the store's decisions.
package consentextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"
)

// NewFactory returns the factory of the consent extension.
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
