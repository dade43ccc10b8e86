// Package metadata holds the component identity and its own telemetry, written by hand because
// mdatagen is not available in this build.
package metadata // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"

import "go.opentelemetry.io/collector/component"

var (
	// Type is the extension's type in collector configuration.
	Type = component.MustNewType("telemetry_api")
	// ScopeName is the instrumentation scope of the extension's own telemetry.
	ScopeName = "github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension"
)

// ExtensionStability is the stability of the extension.
const ExtensionStability = component.StabilityLevelAlpha
