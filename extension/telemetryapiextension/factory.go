// Package telemetryapiextension implements the telemetry_api extension: the one HTTP server of
// /api/v1/telemetry (other components register their routes with it), API keys with tenants and
// roles, the collector's server authenticator for ingest, and the audit trail.
package telemetryapiextension

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
)

// NewFactory returns the factory of the telemetry_api extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		create,
		metadata.ExtensionStability,
	)
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	c := cfg.(*Config)
	var store auditStore
	if c.Storage.Endpoint != "" {
		s, err := newCHStore(c.Storage)
		if err != nil {
			return nil, err
		}
		store = s
	}
	return newExtension(c, set, store)
}

func contextWithTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}
