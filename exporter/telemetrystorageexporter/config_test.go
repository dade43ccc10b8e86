package telemetrystorageexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := configtest.Unmarshal(t, metadata.Type, name, cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(t, "")
	require.NoError(t, err)
	want := createDefaultConfig()
	want.Endpoint = "tcp://127.0.0.1:9000"
	assert.Equal(t, want, cfg)
	assert.Equal(t, "telemetry", cfg.Database)
	assert.Equal(t, 30*24*time.Hour, cfg.Retention.Duration())
	assert.Equal(t, 365*24*time.Hour, cfg.AuditRetention.Duration())
	assert.Zero(t, cfg.ConsentRetention)
	assert.True(t, cfg.CreateSchema)
	assert.Equal(t, "lz4", cfg.Compression)
	assert.True(t, cfg.QueueConfig.HasValue())
	assert.True(t, cfg.QueueConfig.Get().Batch.HasValue(), "batching on by default")
	assert.True(t, cfg.BackOffConfig.Enabled)
}

func TestLoadConfigFull(t *testing.T) {
	cfg, err := loadConfig(t, "full")
	require.NoError(t, err)
	assert.Equal(t, "https://clickhouse.example.com:8443?dial_timeout=5s", cfg.Endpoint)
	assert.Equal(t, "tel", cfg.Database)
	assert.Equal(t, "otel", cfg.Username)
	assert.Equal(t, configopaque.String("s3cret"), cfg.Password)
	assert.Equal(t, 14*24*time.Hour, cfg.Retention.Duration())
	assert.Equal(t, 730*24*time.Hour, cfg.ConsentRetention.Duration())
	assert.Equal(t, 8760*time.Hour, cfg.AuditRetention.Duration())
	assert.False(t, cfg.CreateSchema)
	assert.Equal(t, "prod", cfg.ClusterName)
	assert.True(t, cfg.AsyncInsert)
	assert.Equal(t, "zstd", cfg.Compression)
	assert.Equal(t, 20*time.Second, cfg.Timeout)
	assert.Equal(t, "/etc/ssl/ca.pem", cfg.TLS.CAFile)
	assert.Equal(t, 10*time.Minute, cfg.BackOffConfig.MaxElapsedTime)
	q := cfg.QueueConfig.Get()
	assert.Equal(t, 4, q.NumConsumers)
	assert.Equal(t, int64(5000), q.QueueSize)
	require.NotNil(t, q.StorageID)
	assert.Equal(t, "file_storage/queue", q.StorageID.String())
	assert.NotContains(t, cfg.schemaOptions().Database, "s3cret")
}

func TestLoadConfigRetentionForms(t *testing.T) {
	f := func(name string, want time.Duration) {
		t.Helper()
		cfg, err := loadConfig(t, name)
		require.NoError(t, err)
		assert.Equal(t, want, cfg.Retention.Duration())
	}
	f("retention_string_days", 90*24*time.Hour)
	f("retention_duration", 36*time.Hour)
	f("retention_forever", 0)
}

func TestLoadConfigInvalid(t *testing.T) {
	f := func(name string, wantErrs ...string) {
		t.Helper()
		_, err := loadConfig(t, name)
		require.Error(t, err)
		for _, w := range wantErrs {
			assert.ErrorContains(t, err, w)
		}
	}
	f("invalid", `endpoint scheme "ftp" is not supported`, `compression "gzip" is not supported`,
		"retention must not be negative", "cluster_name", "database must not be empty")
	f("missing_endpoint", "endpoint must be set")
	f("bad_retention", `retention "soon"`)
	f("fractional_days", "days must be a whole number")
	// 100 years from now passes 2106: every row would be refused, so the config is.
	f("retention_past_2106", "reaches past 2106-02-07", "use at most")
}

// Secrets never reach logs or errors through the endpoint.
func TestRedactedEndpoint(t *testing.T) {
	assert.Equal(t, "tcp://u:xxxxx@h:9000", redactedEndpoint("tcp://u:pw@h:9000"))
}

func TestClickHouseOptions(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Endpoint = "https://dsnuser:dsnpass@ch.example.com:8443/dsndb"
	cfg.Username = "otel"
	cfg.Password = "pw"
	cfg.AsyncInsert = true
	cfg.Compression = CompressionNone
	require.NoError(t, cfg.Validate())
	opt, err := cfg.clickhouseOptions(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "otel", opt.Auth.Username)
	assert.Equal(t, "pw", opt.Auth.Password)
	assert.Empty(t, opt.Auth.Database, "tables are always qualified; the exporter may create its database")
	assert.NotNil(t, opt.TLS, "https enables TLS")
	assert.Nil(t, opt.Compression)
	assert.Equal(t, 1, opt.Settings["async_insert"])
	assert.Equal(t, 1, opt.Settings["wait_for_async_insert"])
}

func TestRetentionMarshal(t *testing.T) {
	f := func(r Retention, want string) {
		t.Helper()
		got, err := r.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, want, string(got))
		var back Retention
		require.NoError(t, back.parse(want))
		assert.Equal(t, r, back)
	}
	f(Retention(30*day), "30d")
	f(Retention(36*time.Hour), "36h0m0s")
	f(0, "0d")
}

var _ confmap.ScalarUnmarshaler = (*Retention)(nil)
