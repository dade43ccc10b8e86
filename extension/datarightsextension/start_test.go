package datarightsextension

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/goleak"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

type fakeRegistry struct{ component.Component }

func (fakeRegistry) Register(...telemetryapi.Route) error { return nil }

type fakeHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h fakeHost) GetExtensions() map[component.ID]component.Component { return h.exts }

// TestFailedStartLeavesNothingRunning: ClickHouse unreachable at start fails the start (the
// suppression list cannot be read), and nothing the start opened keeps running: with data
// residency that includes every region's connection (and its idle-connection goroutine).
func TestFailedStartLeavesNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfg := createDefaultConfig()
	cfg.HashKey = "0123456789abcdef0123456789abcdef"
	cfg.ReceiptKey = cfg.HashKey
	cfg.Storage.Endpoint = "clickhouse://127.0.0.1:1"
	cfg.Storage.Timeout = 2 * time.Second
	cfg.Residency = residency.Config{
		Regions: map[string]residency.Region{"eu": {Endpoint: "clickhouse://127.0.0.1:2"}, "us": {Endpoint: "http://127.0.0.1:3"}},
		Tenants: map[string]string{"t-eu": "eu", "t-us": "us"},
	}
	require.NoError(t, cfg.Validate())
	x := newExtension(cfg, componenttest.NewNopTelemetrySettings())
	host := fakeHost{componenttest.NewNopHost(), map[component.ID]component.Component{cfg.APIExtension: fakeRegistry{}}}
	require.Error(t, x.Start(context.Background(), host))
	require.NoError(t, x.Shutdown(context.Background()))
}
