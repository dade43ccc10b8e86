package requestlimitsextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension/internal/metadata"
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
	assert.Equal(t, createDefaultConfig(), def)
	require.NoError(t, def.Validate())

	got := loadConfig(t, "custom")
	assert.Equal(t, &Config{MaxRecordsPerRequest: 10, MaxAttributesPerRecord: 3, MaxAttributesPerRequest: 20,
		MaxAttributeDepth: 2, MaxKeyBytes: 8, MaxValueBytes: 16}, got)
	require.NoError(t, got.Validate())

	err := loadConfig(t, "zero").Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_records_per_request must be at least 1, got 0")
	assert.Contains(t, err.Error(), "max_attribute_depth must be at most 64, got 65")
}
