// Package requestlimitsextension implements the request_limits extension: an HTTP and gRPC server
// middleware for the OTLP receiver (`middlewares:` of its protocols) that bounds the work one
// request can cause. It walks the request on the wire, before the receiver decodes it, and refuses
// a request over a limit with 413 / RESOURCE_EXHAUSTED and one with a field of the wrong JSON type
// or an impossible timestamp with 400 / INVALID_ARGUMENT, each naming the limit or the field.
package requestlimitsextension // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension/internal/metadata"
)

// NewFactory returns the factory of the request_limits extension.
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
