package consentextension

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

type fakeRegistry struct {
	component.StartFunc
	component.ShutdownFunc
	routes []telemetryapi.Route
	err    error
}

func (r *fakeRegistry) Register(routes ...telemetryapi.Route) error {
	if r.err != nil {
		return r.err
	}
	r.routes = append(r.routes, routes...)
	return nil
}

type fakeHost map[component.ID]component.Component

func (h fakeHost) GetExtensions() map[component.ID]component.Component { return h }

var (
	apiID     = component.MustNewID("telemetry_api")
	consentID = component.MustNewID("consent")
)

func TestExtensionLifecycle(t *testing.T) {
	reg := &fakeRegistry{}
	ext, err := NewFactory().Create(context.Background(), extensionSettings(), createDefaultConfig())
	require.NoError(t, err)
	assert.Equal(t, []component.ID{apiID}, ext.(extensioncapabilities.Dependent).Dependencies())
	host := fakeHost{apiID: reg, consentID: ext}

	_, err = GetStore(host, consentID)
	require.ErrorContains(t, err, "has not started")
	require.NoError(t, ext.Start(context.Background(), host))
	var paths []string
	for _, r := range reg.routes {
		paths = append(paths, r.Method+" "+r.Path)
	}
	assert.Equal(t, []string{"GET /consent/status", "POST /consent/update"}, paths)
	store, err := GetStore(host, consentID)
	require.NoError(t, err)
	assert.Equal(t, []string{"analytics", "performance", "diagnostics"}, store.Purposes())

	_, err = GetStore(host, component.MustNewIDWithName("consent", "other"))
	require.ErrorContains(t, err, "is not configured")
	_, err = GetStore(host, apiID)
	require.ErrorContains(t, err, "is not a consent extension")
	require.NoError(t, ext.Shutdown(context.Background()))
	require.NoError(t, ext.Shutdown(context.Background()), "shutdown twice is harmless")
}

func TestExtensionStartErrors(t *testing.T) {
	ext := newExtension(createDefaultConfig(), componenttest.NewNopTelemetrySettings())
	require.ErrorContains(t, ext.Start(context.Background(), fakeHost{}), `api_extension: extension "telemetry_api" is not configured`)

	ext.newBackend = func(context.Context, StorageConfig) (backend, error) { return &fakeBackend{loadErr: errBoom}, nil }
	require.ErrorIs(t, ext.Start(context.Background(), fakeHost{apiID: &fakeRegistry{}}), errBoom)
	assert.Nil(t, ext.ConsentStore())

	ext.newBackend = openBackend
	taken := errors.New("route taken")
	require.ErrorIs(t, ext.Start(context.Background(), fakeHost{apiID: &fakeRegistry{err: taken}}), taken)
	assert.Nil(t, ext.ConsentStore())
	require.NoError(t, ext.Shutdown(context.Background()))
}

func extensionSettings() extension.Settings {
	return extension.Settings{ID: consentID, TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo()}
}
