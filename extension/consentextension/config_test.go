package consentextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"
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
	require.NoError(t, confmap.Validate(def))
	assert.Equal(t, PolicyOptOut, def.policy(), "balanced is opt-out")

	got := loadConfig(t, "custom")
	want := &Config{
		APIExtension:  component.MustNewIDWithName("telemetry_api", "public"),
		Purposes:      []string{"analytics", "performance", "diagnostics", "marketing"},
		Mode:          ModeStrict,
		DefaultPolicy: DefaultPolicyOptOut,
		MaxEntries:    1000,
		Storage:       StorageConfig{Endpoint: "http://127.0.0.1:8123", Database: "tel", Username: "otel", Password: "secret", Timeout: 3 * time.Second},
		Sync:          SyncConfig{RefreshInterval: 5 * time.Second, Lookback: 30 * time.Second},
	}
	assert.Equal(t, want, got)
	require.NoError(t, confmap.Validate(got))
	assert.Equal(t, PolicyOptOut, got.policy(), "default_policy overrides the mode")
}

func TestPolicyFromMode(t *testing.T) {
	f := func(mode, override string, want Policy) {
		t.Helper()
		c := createDefaultConfig()
		c.Mode, c.DefaultPolicy = mode, override
		assert.Equal(t, want, c.policy(), "%s/%s", mode, override)
	}
	f(ModeStrict, "", PolicyOptIn)
	f(ModeBalanced, "", PolicyOptOut)
	f(ModeMinimal, "", PolicyOptOut)
	f(ModeMinimal, DefaultPolicyOptIn, PolicyOptIn)
}

func TestValidateNamesEveryKey(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, key := range []string{
		`purposes[1] "Analytics"`, `purposes[2] "analytics" is listed twice`, `mode "paranoid"`,
		`default_policy "maybe"`, "max_entries", "storage::endpoint scheme", "storage::database",
		"storage::timeout", "sync::refresh_interval", "sync::lookback", "sync::full_reload_interval",
	} {
		assert.ErrorContains(t, err, key)
	}
	c := createDefaultConfig()
	c.Purposes = nil
	assert.ErrorContains(t, c.Validate(), "purposes must list at least one")
	c = createDefaultConfig()
	c.Sync.FullReloadInterval = time.Second
	assert.ErrorContains(t, c.Validate(), "must not be shorter than sync::refresh_interval")
	c = createDefaultConfig()
	c.Storage.Endpoint = "http://user:hunter2@[::1"
	err = c.Validate()
	assert.ErrorContains(t, err, "storage::endpoint")
	assert.NotContains(t, err.Error(), "hunter2")
}
