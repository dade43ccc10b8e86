package telemetryapiextension

import (
	"os"
	"testing"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }
