// Package datarightsextension implements data-subject rights on the telemetry API: deletion of a
// user's data in every table with a signed, verifiable receipt, a suppression list that keeps the
// user's in-flight and late data out of storage, and export of everything stored about the user.
package datarightsextension // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
)

// NewFactory returns the factory of the data-rights extension.
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
