package telemetryprovider

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func TestGateways(t *testing.T) {
	got, err := retrieve(t, map[string]string{"TELEMETRY_GATEWAYS": " gw-1:4317, 10.0.0.2:4317 "}, "telemetry:gateways")
	require.NoError(t, err)
	assert.Equal(t, []any{"gw-1:4317", "10.0.0.2:4317"}, got)

	_, err = retrieve(t, nil, "telemetry:gateways")
	require.ErrorContains(t, err, "TELEMETRY_GATEWAYS is not set")
	_, err = retrieve(t, nil, "telemetry:enabled")
	require.NoError(t, err, "only configurations that forward to gateways need the list")

	for raw, msg := range map[string]string{
		"gw-1":                "host:port",
		"gw-1:4317,,gw-2:1":   "host:port",
		":4317":               "host:port",
		"gw-1:4317,gw-1:4317": "listed twice",
		"gw-1:http":           "host:port",
	} {
		_, err := retrieve(t, map[string]string{"TELEMETRY_GATEWAYS": raw}, "telemetry:enabled")
		require.Error(t, err, raw)
		assert.Contains(t, err.Error(), "TELEMETRY_GATEWAYS=")
		assert.Contains(t, err.Error(), msg, raw)
	}
}

func TestEndpointHostPort(t *testing.T) {
	env := map[string]string{"TELEMETRY_ENDPOINT": "http://gateway-headless.telemetry.svc:4317"}
	host, err := retrieve(t, env, "telemetry:endpoint_host")
	require.NoError(t, err)
	assert.Equal(t, "gateway-headless.telemetry.svc", host)
	port, err := retrieve(t, env, "telemetry:endpoint_port")
	require.NoError(t, err)
	assert.Equal(t, "4317", port, "a string: the DNS resolver's port field is one")

	port, err = retrieve(t, map[string]string{"TELEMETRY_ENDPOINT": "https://gw.example.com"}, "telemetry:endpoint_port")
	require.NoError(t, err)
	assert.Equal(t, "4317", port)

	_, err = retrieve(t, nil, "telemetry:endpoint_host")
	require.ErrorContains(t, err, "TELEMETRY_ENDPOINT is not set")
}

// TestGatewaysAsYAMLList: the list lands as a list in the collector configuration.
func TestGatewaysAsYAMLList(t *testing.T) {
	t.Setenv("TELEMETRY_GATEWAYS", "a:1,b:2")
	r, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"yaml:hostnames: ${telemetry:gateways}"},
		ProviderFactories: []confmap.ProviderFactory{NewFactory(), yamlProviderFactory()},
		DefaultScheme:     "telemetry",
	})
	require.NoError(t, err)
	conf, err := r.Resolve(context.Background())
	require.NoError(t, err)
	var cfg struct {
		Hostnames []string `mapstructure:"hostnames"`
	}
	require.NoError(t, conf.Unmarshal(&cfg))
	assert.Equal(t, []string{"a:1", "b:2"}, cfg.Hostnames)
}

func TestGatewayID(t *testing.T) {
	got, err := retrieve(t, map[string]string{"TELEMETRY_GATEWAY_ID": "gateway-7"}, "telemetry:gateway_id")
	require.NoError(t, err)
	assert.Equal(t, "gateway-7", got)
	got, err = retrieve(t, nil, "telemetry:gateway_id")
	require.NoError(t, err)
	assert.Equal(t, defaultGatewayID(), got)
	_, err = retrieve(t, map[string]string{"TELEMETRY_GATEWAY_ID": "two words"}, "telemetry:enabled")
	require.ErrorContains(t, err, "TELEMETRY_GATEWAY_ID=")
}
