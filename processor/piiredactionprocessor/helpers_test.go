package piiredactionprocessor

import (
	"testing"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func configopaqueString(s string) configopaque.String { return configopaque.String(s) }
