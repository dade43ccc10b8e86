package telemetryapiextension

import (
	"testing"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// setupClickHouse returns the stop of the engine the integration tests share (started on first use).
func setupClickHouse() (stop func()) { return chtest.StopShared }

// requireClickHouse gives the shared engine's endpoint, skipping where there is none.
func requireClickHouse(t *testing.T) string { return chtest.Endpoint(t) }
