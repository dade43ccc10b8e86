package sanitizeprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/sanitizeprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	for name, want := range map[string]*Config{
		"":    {ReplaceInvalidUTF8: true, StampObservedTime: true},
		"off": {},
	} {
		cfg := createDefaultConfig()
		require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
		assert.Equal(t, want, cfg, name)
		assert.NoError(t, cfg.Validate())
	}
}
