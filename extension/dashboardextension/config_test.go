package dashboardextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	assert.Equal(t, createDefaultConfig(), def)
	require.NoError(t, confmap.Validate(def))

	got := loadConfig(t, "custom")
	want := &Config{
		Enabled:             false,
		APIExtension:        component.MustNewIDWithName("telemetry_api", "public"),
		KAnonymity:          10,
		SelfMetricsEndpoint: "http://10.0.0.5:9888/metrics",
		SelfMetricsTimeout:  2 * time.Second,
		Storage:             chschema.StorageConfig{Endpoint: "http://127.0.0.1:8123", Database: "tel", Timeout: 3 * time.Second},
		Residency: residency.Config{
			Regions: map[string]residency.Region{"eu": {Endpoint: "http://ch-eu:8123", Database: "tel_eu"}},
			Tenants: map[string]string{"acme-gmbh": "eu"},
		},
	}
	assert.Equal(t, want, got)
	require.NoError(t, confmap.Validate(got))

	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, want := range []string{
		"k_anonymity must be at least 2, got 1",
		`self_metrics_endpoint "ftp://x" must be an http:// or https:// URL`,
		"self_metrics_timeout must be positive",
		"storage::endpoint",
		"storage::database must not be empty",
		`residency::tenants::acme-gmbh: region "mars" is not under residency::regions`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}
