package dashboardextension

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

type fakeRegistry struct{ routes []telemetryapi.Route }

func (f *fakeRegistry) Register(routes ...telemetryapi.Route) error {
	f.routes = append(f.routes, routes...)
	return nil
}
func (f *fakeRegistry) Start(context.Context, component.Host) error { return nil }
func (f *fakeRegistry) Shutdown(context.Context) error              { return nil }

type host struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h host) GetExtensions() map[component.ID]component.Component { return h.exts }

func start(t *testing.T, cfg *Config) *fakeRegistry {
	t.Helper()
	reg := &fakeRegistry{}
	ext, err := NewFactory().Create(context.Background(), extension.Settings{
		ID: component.NewID(component.MustNewType("telemetry_dashboard")), TelemetrySettings: componenttest.NewNopTelemetrySettings(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), host{componenttest.NewNopHost(), map[component.ID]component.Component{cfg.APIExtension: reg}}))
	require.NoError(t, ext.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()), "Shutdown is idempotent")
	return reg
}

func TestDisabledRegistersNothing(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Enabled = false
	assert.Empty(t, start(t, cfg).routes)
}

func TestRoutesAndAssets(t *testing.T) {
	reg := start(t, createDefaultConfig())
	byPath := map[string]telemetryapi.Route{}
	for _, r := range reg.routes {
		byPath[r.Path] = r
	}
	// Only the page and its files are public; data needs viewer, reports analyst, the
	// collector-wide metrics operator.
	assert.True(t, byPath["/dashboard"].Public)
	assert.True(t, byPath["/dashboard/assets/{file...}"].Public)
	assert.False(t, byPath["/dashboard/session"].Public)
	assert.Equal(t, telemetryapi.RoleViewer, byPath["/dashboard/session"].Role)
	assert.Equal(t, telemetryapi.RoleAnalyst, byPath["/dashboard/reports"].Role)
	assert.Equal(t, telemetryapi.RoleOperator, byPath["/dashboard/self-metrics"].Role)
	assert.Len(t, reg.routes, 5)

	mux := http.NewServeMux()
	for _, r := range reg.routes {
		mux.Handle(r.Method+" "+r.Path, r.Handler)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	rec := get("/dashboard")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, contentSecurityPolicy, rec.Header().Get("Content-Security-Policy"))
	assert.Contains(t, rec.Body.String(), "/api/v1/telemetry/dashboard/assets/app.js")
	for path, ct := range map[string]string{
		"/dashboard/assets/app.js":                         "javascript",
		"/dashboard/assets/app.css":                        "text/css",
		"/dashboard/assets/vendor/uplot/uPlot.iife.min.js": "javascript",
		"/dashboard/assets/vendor/uplot/LICENSE":           "text/plain",
	} {
		rec := get(path)
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Contains(t, rec.Header().Get("Content-Type"), ct, path)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), path)
	}
	for _, path := range []string{"/dashboard/assets/nope.js", "/dashboard/assets/index.html", "/dashboard/assets/vendor"} {
		assert.Equal(t, http.StatusNotFound, get(path).Code, path)
	}
}
