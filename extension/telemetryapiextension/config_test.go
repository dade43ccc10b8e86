package telemetryapiextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cfg := createDefaultConfig()
	require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
	return cfg
}

func TestConfigDefaults(t *testing.T) {
	cfg := loadConfig(t, "")
	assert.Equal(t, "127.0.0.1:8080", cfg.HTTP.NetAddr.Endpoint)
	assert.True(t, cfg.Auth.Enabled)
	assert.Equal(t, RateLimitConfig{MaxFailures: 10, Window: time.Minute}, cfg.Auth.FailedAttempts)
	assert.Equal(t, AuditConfig{QueueSize: 10000, BatchSize: 1000, FlushInterval: time.Second, SpoolMaxBytes: 256 << 20, FullWait: time.Second, LogOutput: "stderr"}, cfg.Audit)
	assert.Equal(t, "telemetry", cfg.Storage.Database)
	assert.Empty(t, cfg.Storage.Endpoint)
	// A header dribbled one byte at a time is cut off after 10s; idle keep-alives after 1m.
	assert.Equal(t, 10*time.Second, cfg.HTTP.ReadHeaderTimeout)
	assert.Equal(t, time.Minute, cfg.HTTP.IdleTimeout) //nolint:staticcheck // still where confighttp keeps it
	// Non-nil and empty: confighttp must not decompress before the key check.
	assert.NotNil(t, cfg.HTTP.CompressionAlgorithms)
	assert.Empty(t, cfg.HTTP.CompressionAlgorithms)
	// Auth on with no key at all is refused: such a server could answer nothing but 401.
	err := confmap.Validate(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth::enabled is true but neither auth::bootstrap_key nor auth::api_keys is set")
}

func TestConfigFull(t *testing.T) {
	cfg := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "0.0.0.0:9443", cfg.HTTP.NetAddr.Endpoint)
	assert.Equal(t, int64(1048576), cfg.HTTP.MaxRequestBodySize)
	assert.True(t, cfg.HTTP.TLS.HasValue())
	assert.Equal(t, configopaque.String("bootstrap-key-0123456789"), cfg.Auth.BootstrapKey)
	require.Len(t, cfg.Auth.APIKeys, 2)
	assert.Equal(t, APIKeyConfig{ID: "acme-ingest", Key: "acme-ingest-key-0123456789", Tenant: "acme",
		Roles: []telemetryapi.Role{telemetryapi.RoleIngest}}, cfg.Auth.APIKeys[0])
	assert.Equal(t, []telemetryapi.Role{telemetryapi.RoleAnalyst, telemetryapi.RolePrivacy}, cfg.Auth.APIKeys[1].Roles)
	assert.Equal(t, RateLimitConfig{MaxFailures: 5, Window: 30 * time.Second}, cfg.Auth.FailedAttempts)
	assert.Equal(t, AuditConfig{QueueSize: 500, BatchSize: 100, FlushInterval: 2 * time.Second,
		SpoolDirectory: "/var/lib/otelcol/queue", SpoolMaxBytes: 1 << 20, FullWait: 250 * time.Millisecond, LogOutput: "collector"}, cfg.Audit)
	assert.Equal(t, StorageConfig{Endpoint: "http://127.0.0.1:8123", Database: "telemetry", Username: "otel",
		Password: "s3cret", Timeout: 5 * time.Second}, cfg.Storage)
}

func TestConfigDev(t *testing.T) {
	cfg := loadConfig(t, "dev")
	assert.False(t, cfg.Auth.Enabled)
	require.NoError(t, confmap.Validate(cfg))
}

func TestConfigInvalid(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"http::endpoint must be set",
		"http::auth is not supported",
		"http::compression_algorithms is not supported",
		"auth::bootstrap_key must be at least 16 characters",
		`auth::api_keys[0]::id "bad id" must be 1-64 letters`,
		"auth::api_keys[0]: set key or key_sha256, not both",
		`auth::api_keys[0]::tenant "" must be 1-128`,
		`auth::api_keys[0]::roles: unknown role "superuser"`,
		"auth::api_keys[1]::key_sha256 must be 64 hex digits",
		"auth::api_keys[1]::roles must list at least one",
		`auth::api_keys[2]::id "twin" is used twice`,
		"auth::api_keys[2]: key or key_sha256 must be set",
		"auth::failed_attempts::max_failures must be positive",
		"auth::failed_attempts::window must be positive",
		"audit::batch_size (20) must not exceed audit::queue_size (10)",
		"audit::flush_interval must be positive",
		"audit::spool_max_bytes must be positive",
		"audit::full_wait must not be negative",
		`audit::log_output "syslog" must be "stderr" or "collector"`,
		`storage::endpoint scheme "ftp" is not supported`,
		"storage::database must not be empty",
		"storage::timeout must be positive",
	} {
		assert.Contains(t, msg, want)
	}
	// Secrets never appear in validation errors.
	assert.NotContains(t, msg, "has white space in it")
	assert.NotContains(t, msg, "short\"")
}

func TestConfigSecretChecks(t *testing.T) {
	f := func(mut func(*Config), want string) {
		t.Helper()
		cfg := createDefaultConfig()
		cfg.Auth.BootstrapKey = "bootstrap-key-0123456789"
		mut(cfg)
		err := cfg.Validate()
		if want == "" {
			assert.NoError(t, err)
			return
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "0123456789")
	}
	f(func(*Config) {}, "")
	f(func(c *Config) { c.Auth.BootstrapKey = "white space 0123456789" }, "auth::bootstrap_key must not contain white space")
	// The same key twice under two ids would make the tenant of a request ambiguous.
	f(func(c *Config) {
		c.Auth.APIKeys = []APIKeyConfig{{ID: "dup", Key: "bootstrap-key-0123456789", Tenant: "t", Roles: []telemetryapi.Role{"viewer"}}}
	}, `auth::api_keys[0] is the same key as "bootstrap"`)
	f(func(c *Config) {
		c.Auth.APIKeys = []APIKeyConfig{{ID: "bootstrap", Key: "another-key-0123456789", Tenant: "t", Roles: []telemetryapi.Role{"viewer"}}}
	}, `auth::api_keys[0]::id "bootstrap" is used twice`)
	f(func(c *Config) { c.Storage.Endpoint = "http://u:pw@127.0.0.1:8123" }, "")
	f(func(c *Config) { c.HTTP.ReadHeaderTimeout = 0 }, "http::read_header_timeout must be positive")
	f(func(c *Config) { c.Storage.Endpoint = "http://127.0.0.1:8123"; c.Storage.Database = "bad\nname" }, "storage::database")
}
