package consentprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor/internal/metadata"
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
	assert.Equal(t, &Config{
		ConsentExtension: component.MustNewIDWithName("consent", "eu"),
		Enabled:          false,
		Action:           ActionAnonymize,
		UserIDKeys:       []string{"app.user_id"},
		AnonymizeKeys:    []string{"session.id"},
		Purposes: PurposesConfig{Traces: "diagnostics", Metrics: "diagnostics", Logs: "diagnostics", Events: "analytics",
			EventPrefixes: []EventPrefix{{Prefix: "perf.", Purpose: "performance"}}},
	}, got)
	require.NoError(t, confmap.Validate(got))
}

func TestValidateNamesEveryKey(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, key := range []string{
		`action "delete"`, "user_id_keys[0]", "anonymize_keys[0]", "purposes::traces", "purposes::metrics",
		"purposes::logs", "purposes::events", "purposes::event_prefixes[0]::prefix",
		"purposes::event_prefixes[0]::purpose", `purposes::event_prefixes[2]::prefix "a." is listed twice`,
	} {
		assert.ErrorContains(t, err, key)
	}
	c := createDefaultConfig()
	c.UserIDKeys = nil
	assert.ErrorContains(t, c.Validate(), "user_id_keys must list at least one")
}
