package telemetryapiextension

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.HTTP.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Auth.Enabled = false
	require.NoError(t, cfg.Validate())
	set := extension.Settings{ID: component.NewID(metadata.Type), TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo()}
	ext, err := f.Create(context.Background(), set, cfg)
	require.NoError(t, err)
	host := &extHost{exts: map[component.ID]component.Component{set.ID: ext}}
	require.NoError(t, ext.Start(context.Background(), host))
	// Other components find it through the host.
	reg, err := telemetryapi.GetRegistry(host, set.ID)
	require.NoError(t, err)
	require.NoError(t, reg.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	require.NoError(t, ext.Shutdown(context.Background()))
}

type extHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h *extHost) GetExtensions() map[component.ID]component.Component { return h.exts }

func TestStartFailsOnTakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cfg := testConfig()
	cfg.HTTP.NetAddr.Endpoint = ln.Addr().String()
	h := newHarness(t, cfg, nil)
	err = h.ext.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "telemetry_api: listen on "+ln.Addr().String())
	require.NoError(t, h.ext.Shutdown(context.Background()))
}

func TestShutdownWithoutStart(t *testing.T) {
	h := newHarness(t, testConfig(), &fakeStore{})
	require.NoError(t, h.ext.Shutdown(context.Background()))
	require.NoError(t, h.ext.Shutdown(context.Background()))
}

func TestRegisterBeforeAndAfterStart(t *testing.T) {
	h := newHarness(t, testConfig(), nil)
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	h.start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/dashboard", telemetryapi.RoleViewer)))
	assert.Equal(t, http.StatusOK, h.do("GET", "/metrics", keyViewerA, "").status)
	assert.Equal(t, http.StatusOK, h.do("GET", "/dashboard", keyViewerA, "").status)

	// A failing Register adds nothing: /reports must stay unknown although it came first.
	err := h.ext.Register(echoRoute("GET", "/reports", telemetryapi.RoleViewer), echoRoute("GET", "/metrics", telemetryapi.RoleViewer))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "route GET /metrics")
	assert.Equal(t, http.StatusNotFound, h.do("GET", "/reports", keyViewerA, "").status)

	f := func(r telemetryapi.Route, want string) {
		t.Helper()
		err := h.ext.Register(r)
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
	}
	ok := echoRoute("GET", "/x", telemetryapi.RoleViewer)
	bad := ok
	bad.Method = "get"
	f(bad, "upper-case HTTP method")
	bad = ok
	bad.Path = "x"
	f(bad, "path must start with /")
	bad = ok
	bad.Role = "root"
	f(bad, `unknown role "root"`)
	bad = ok
	bad.Handler = nil
	f(bad, "handler is nil")
	bad = ok
	bad.Path = "/health/live"
	f(bad, "route GET /health/live") // the extension's own routes are taken
	bad = ok
	bad.Path = "/data/{user_id"
	f(bad, "route GET /data/{user_id")
}

// A Public route (the dashboard's static files) answers without a key and writes no audit record;
// its neighbours still need one.
func TestPublicRoute(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	asset := telemetryapi.Route{Method: "GET", Path: "/dashboard/assets/{name}", Role: telemetryapi.RoleViewer, Public: true,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("asset " + r.PathValue("name"))) })}
	require.NoError(t, h.ext.Register(asset, echoRoute("GET", "/dashboard/data", telemetryapi.RoleViewer)))
	got := h.do("GET", "/dashboard/assets/app.js", "", "")
	assert.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, "asset app.js", got.body)
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/dashboard/data", "", "").status)
	assert.Equal(t, http.StatusOK, h.do("GET", "/dashboard/data", keyViewerA, "").status)
	store.waitRecords(t, 2, func(r auditRecord) bool { return r.Action == "GET /dashboard/data" })
	for _, r := range store.records() {
		assert.NotEqual(t, "GET /dashboard/assets/{name}", r.Action, "public routes are not audited")
	}
}
