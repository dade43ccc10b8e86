package datarightsextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
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
	assert.Equal(t, createDefaultConfig(), def)
	err := confmap.Validate(def)
	require.Error(t, err, "keys and storage are required")
	for _, want := range []string{"hash_key must be at least 32 bytes", "receipt_key must be at least 32 bytes", "storage::endpoint is required"} {
		assert.ErrorContains(t, err, want)
	}

	got := loadConfig(t, "custom")
	want := &Config{
		APIExtension: component.MustNewIDWithName("telemetry_api", "public"),
		HashKey:      "0123456789abcdef0123456789abcdef",
		ReceiptKey:   "receipt-key-0123456789abcdef0123456",
		Storage:      chschema.StorageConfig{Endpoint: "http://127.0.0.1:8123", Database: "tel", Timeout: 3 * time.Second},
		ClusterName:  "prod", ApplyDeletedMask: true, ExecutionDelay: 30 * time.Second, MutationTimeout: time.Hour,
		BatchWindow: 500 * time.Millisecond, MaxBatch: 50, EraseMechanism: mechanismLightweight, PurgeInterval: time.Hour,
		ParallelStatements: 5, MaxThreads: 4, JournalDirectory: "/var/lib/otelcol/queue",
		Sync:     SyncConfig{RefreshInterval: 500 * time.Millisecond, Lookback: 10 * time.Second},
		Retry:    RetryConfig{InitialInterval: 2 * time.Second, MaxInterval: time.Minute},
		Instance: "gateway-7", Lease: 90 * time.Second,
	}
	assert.Equal(t, want, got)
	require.NoError(t, confmap.Validate(got))
}

func TestValidateNamesKeys(t *testing.T) {
	c := loadConfig(t, "custom")
	c.ExecutionDelay, c.MutationTimeout = -1, 0
	c.Sync.RefreshInterval, c.Sync.Lookback = 0, -1
	c.Retry.InitialInterval, c.Retry.MaxInterval = time.Second, time.Millisecond
	c.BatchWindow, c.MaxBatch, c.EraseMechanism, c.PurgeInterval = -1, 0, "fast", -1
	c.Instance, c.Lease, c.ParallelStatements, c.MaxThreads = "", 500*time.Millisecond, 0, -1
	err := c.Validate()
	for _, want := range []string{"instance must be", "lease 500ms must be from 1s to 1h", "execution_delay", "mutation_timeout", "sync::refresh_interval", "sync::lookback", "retry::max_interval",
		"batch_window", "max_batch", `erase_mechanism "fast"`, "purge_interval", "parallel_statements 0 must be from 1 to 32", "max_threads -1 must be from 0 to 256"} {
		assert.ErrorContains(t, err, want)
	}
}
