package datarightsextension

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	chtest.StopShared()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
