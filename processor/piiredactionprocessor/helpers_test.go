package piiredactionprocessor

import (
	"testing"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
	"go.opentelemetry.io/collector/component/componenttest"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func configopaqueString(s string) configopaque.String { return configopaque.String(s) }

func newTestProcessor(tb testing.TB, cfg *Config) *piiProcessor {
	tb.Helper()
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	if err != nil {
		tb.Fatal(err)
	}
	return newPIIProcessor(cfg, metadata.Type.String(), tel)
}
