package telemetryapiextension

import (
	"testing"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// requireClickHouse gives the shared engine's endpoint, skipping where there is none.
func requireClickHouse(t *testing.T) string { return chtest.Endpoint(t) }
