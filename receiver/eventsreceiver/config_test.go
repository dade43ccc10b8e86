package eventsreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, configtest.Unmarshal(t, metadata.Type, name, cfg))
	return cfg
}

func TestConfig(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))

	err := confmap.Validate(loadConfig(t, ""))
	require.EqualError(t, err, "one of api_extension or http must be set")

	api := loadConfig(t, "api")
	require.NoError(t, confmap.Validate(api))
	assert.Equal(t, component.MustNewID("telemetry_api"), *api.APIExtension)
	assert.False(t, api.HTTP.HasValue())
	assert.Equal(t, 1000, api.MaxBatchEvents)
	assert.Equal(t, int64(5<<20), api.MaxBodySize)
	assert.Equal(t, "X-Service-Name", api.ServiceNameHeader)
	assert.Equal(t, 5*time.Second, api.RetryAfter)

	own := loadConfig(t, "own")
	require.NoError(t, confmap.Validate(own))
	require.True(t, own.HTTP.HasValue())
	assert.Equal(t, "127.0.0.1:8090", own.HTTP.Get().NetAddr.Endpoint)
	assert.Equal(t, []string{}, own.HTTP.Get().CompressionAlgorithms, "the handler decodes gzip itself")

	both := loadConfig(t, "both")
	require.NoError(t, confmap.Validate(both))
	assert.Equal(t, "127.0.0.1:9411", both.HTTP.Get().NetAddr.Endpoint)
	assert.Equal(t, int64(1048576), both.HTTP.Get().MaxRequestBodySize)
	assert.Equal(t, 500, both.MaxBatchEvents)
	assert.Equal(t, int64(2097152), both.MaxBodySize)
	assert.Equal(t, 4, both.MaxPropertyDepth)
	assert.Equal(t, 64, both.MaxPropertyKeys)
	assert.Equal(t, 1024, both.MaxPropertyValueBytes)
	assert.Equal(t, "web", both.ServiceName)
	assert.Equal(t, "X-App", both.ServiceNameHeader)
	assert.True(t, both.TenantFromPayload)
	assert.Equal(t, 10*time.Second, both.RetryAfter)

	err = confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, key := range []string{"one of api_extension or http", "max_batch_events", "max_body_size",
		"max_property_depth", "max_property_keys", "max_property_value_bytes", "service_name must", "service_name_header", "retry_after"} {
		assert.Contains(t, err.Error(), key)
	}
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	assert.Equal(t, metadata.LogsStability, f.LogsStability())
}
