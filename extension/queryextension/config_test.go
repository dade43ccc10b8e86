package queryextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	def := loadConfig(t, "")
	want := createDefaultConfig()
	want.Storage.Endpoint = "http://127.0.0.1:8123"
	assert.Equal(t, want, def)
	require.NoError(t, confmap.Validate(def))

	got := loadConfig(t, "custom")
	assert.Equal(t, &Config{
		APIExtension:       component.MustNewIDWithName("telemetry_api", "public"),
		Storage:            chschema.StorageConfig{Endpoint: "http://127.0.0.1:8123", Database: "tel", Username: "reader", Password: "secret", Timeout: 3 * time.Second},
		MaxExecutionTime:   10 * time.Second,
		MaxResultRows:      50000,
		MaxRange:           720 * time.Hour,
		MaxPointsPerSeries: 500,
		MaxGroups:          10,
		MaxPageSize:        100,
		GroupKeys:          []string{"endpoint", "http.route"},
		Export:             ExportConfig{MaxRows: 1000, MaxExecutionTime: time.Minute, ChunkRows: 100},
	}, got)
	require.NoError(t, confmap.Validate(got))
}

func TestValidateNamesEveryKey(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, key := range []string{
		"storage::endpoint is required", "storage::timeout", "max_execution_time", "max_range", "max_points_per_series",
		"max_groups", "max_page_size (100) must be below max_result_rows (10)", `group_keys[0] "bad key"`,
		"export::max_rows", "export::max_execution_time", "export::chunk_rows",
	} {
		assert.ErrorContains(t, err, key)
	}
}
