package telemetryprovider

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

func retrieve(t *testing.T, env map[string]string, uri string) (any, error) {
	t.Helper()
	p := &provider{lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	ret, err := p.Retrieve(context.Background(), uri, nil)
	if err != nil {
		return nil, err
	}
	return ret.AsRaw()
}

func TestDefaults(t *testing.T) {
	f := func(selector string, want any) {
		t.Helper()
		got, err := retrieve(t, nil, "telemetry:"+selector)
		require.NoError(t, err)
		assert.Equal(t, want, got, selector)
	}
	f("enabled", true)
	f("drop_all", false)
	f("sample_rate", 0.1)
	f("sampling_percentage", 10.0)
	f("batch_size", 100)
	f("flush_interval", "1m0s")
	f("retention_days", 90)
	f("retention", "2160h0m0s")
	f("privacy_mode", "strict")
	f("dashboard_enabled", true)
	f("endpoint", "")
	f("clickhouse_endpoint", "http://127.0.0.1:8123")
	f("clickhouse_database", "telemetry")
	f("queue_directory", "./_data/queue")
	f("otlp_grpc_endpoint", "127.0.0.1:4317")
	f("otlp_http_endpoint", "127.0.0.1:4318")
	f("api_endpoint", "127.0.0.1:8080")
	f("prometheus_endpoint", "127.0.0.1:8889")
	f("health_endpoint", "127.0.0.1:13133")
	f("self_metrics_host", "127.0.0.1")
	f("self_metrics_port", 8888)
	f("sample_keep_errors", true)
	f("sample_slow_ms", 1000)
	f("sample_slow_threshold_ms", 1000)
	f("sample_decision_wait", "10s")
	f("sample_max_traces", 100000)
}

func TestValidValues(t *testing.T) {
	f := func(env, raw, selector string, want any) {
		t.Helper()
		got, err := retrieve(t, map[string]string{env: raw}, "telemetry:"+selector)
		require.NoError(t, err, "%s=%s", env, raw)
		assert.Equal(t, want, got, "%s=%s", env, raw)
	}
	f("TELEMETRY_ENABLED", "false", "drop_all", true)
	f("TELEMETRY_ENABLED", "FALSE", "enabled", false)
	f("TELEMETRY_SAMPLE_RATE", "1", "sampling_percentage", 100.0)
	f("TELEMETRY_SAMPLE_RATE", "0", "sampling_percentage", 0.0)
	f("TELEMETRY_SAMPLE_RATE", "0.29", "sampling_percentage", 29.0) // no float noise (28.999…)
	f("TELEMETRY_SAMPLE_RATE", "0.001", "sampling_percentage", 0.1)
	f("TELEMETRY_BATCH_SIZE", "5000", "batch_size", 5000)
	f("TELEMETRY_FLUSH_INTERVAL", "2.5", "flush_interval", "2.5s")
	f("TELEMETRY_FLUSH_INTERVAL", "200ms", "flush_interval", "200ms")
	f("TELEMETRY_RETENTION_DAYS", "7", "retention", "168h0m0s")
	f("TELEMETRY_PRIVACY_MODE", "minimal", "privacy_mode", "minimal")
	f("TELEMETRY_ENDPOINT", "https://collector.example.com:4318", "endpoint", "https://collector.example.com:4318")
	f("TELEMETRY_CLICKHOUSE_ENDPOINT", "clickhouse://ch:9000?dial_timeout=5s", "clickhouse_endpoint", "clickhouse://ch:9000?dial_timeout=5s")
	f("TELEMETRY_SELF_METRICS_ENDPOINT", "127.0.0.1:0", "self_metrics_port", 0)
	f("TELEMETRY_SAMPLE_KEEP_ERRORS", "no", "sample_keep_errors", false)
	f("TELEMETRY_SAMPLE_SLOW_MS", "250", "sample_slow_threshold_ms", 250)
	f("TELEMETRY_SAMPLE_SLOW_MS", "0", "sample_slow_threshold_ms", math.MaxInt) // off
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "0.5", "sample_decision_wait", "500ms")
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "2m", "sample_decision_wait", "2m0s")
	f("TELEMETRY_SAMPLE_MAX_TRACES", "250000", "sample_max_traces", 250000)
}

func TestInvalidValuesNameTheVariable(t *testing.T) {
	f := func(env, raw, wantMsg string) {
		t.Helper()
		// Asking for an unrelated selector must still fail: every variable is checked at start.
		_, err := retrieve(t, map[string]string{env: raw}, "telemetry:enabled")
		require.Error(t, err, "%s=%s", env, raw)
		assert.Contains(t, err.Error(), env+"=")
		assert.Contains(t, err.Error(), wantMsg)
	}
	f("TELEMETRY_SAMPLE_RATE", "1.5", "from 0.0 to 1.0")
	f("TELEMETRY_SAMPLE_RATE", "-0.1", "from 0.0 to 1.0")
	f("TELEMETRY_SAMPLE_RATE", "NaN", "from 0.0 to 1.0")
	f("TELEMETRY_SAMPLE_RATE", "ten", "from 0.0 to 1.0")
	f("TELEMETRY_ENABLED", "maybe", "true or false")
	f("TELEMETRY_DASHBOARD_ENABLED", "", "true or false")
	f("TELEMETRY_BATCH_SIZE", "0", "whole number")
	f("TELEMETRY_BATCH_SIZE", "1.5", "whole number")
	f("TELEMETRY_FLUSH_INTERVAL", "-1", "seconds")
	f("TELEMETRY_FLUSH_INTERVAL", "soon", "seconds")
	f("TELEMETRY_RETENTION_DAYS", "0", "days")
	f("TELEMETRY_PRIVACY_MODE", "lax", "strict, balanced, minimal")
	f("TELEMETRY_ENDPOINT", "telemetry.api", "http:// or https://")
	f("TELEMETRY_API_KEY", "two words", "white space")
	f("TELEMETRY_API_KEY", "short", "at least 16 characters")
	f("TELEMETRY_AGENT_API_KEY", "two words", "white space")
	f("TELEMETRY_AGENT_API_KEY", "short", "at least 16 characters")
	f("TELEMETRY_CLICKHOUSE_ENDPOINT", "ftp://x:1", "scheme")
	f("TELEMETRY_CLICKHOUSE_DATABASE", "tele-metry", "database name")
	f("TELEMETRY_OTLP_HTTP_ENDPOINT", "4318", "host:port")
	f("TELEMETRY_SELF_METRICS_ENDPOINT", "127.0.0.1:99999", "port")
	f("TELEMETRY_HASH_KEY", "too-short", "at least 32 bytes")
	f("TELEMETRY_SAMPLE_KEEP_ERRORS", "sometimes", "true or false")
	f("TELEMETRY_SAMPLE_SLOW_MS", "-1", "milliseconds")
	f("TELEMETRY_SAMPLE_SLOW_MS", "1.5", "milliseconds")
	f("TELEMETRY_SAMPLE_SLOW_MS", "3600001", "milliseconds")
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "0", "seconds")
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "11m", "at most 10m0s")
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "later", "seconds")
	f("TELEMETRY_SAMPLE_MAX_TRACES", "10", "from 100 to 10000000")
}

func TestSecretsNeverEchoed(t *testing.T) {
	_, err := retrieve(t, map[string]string{"TELEMETRY_HASH_KEY": "short-secret", "TELEMETRY_API_KEY": "key with space that is long"}, "telemetry:enabled")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "short-secret")
	assert.NotContains(t, err.Error(), "key with space that is long")
	assert.Contains(t, err.Error(), "TELEMETRY_HASH_KEY")
}

func TestAPIKeyRequiredOnlyWhenUsed(t *testing.T) {
	_, err := retrieve(t, nil, "telemetry:api_key")
	require.ErrorContains(t, err, "TELEMETRY_API_KEY is not set")
	got, err := retrieve(t, map[string]string{"TELEMETRY_API_KEY": "0123456789abcdef"}, "telemetry:api_key")
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef", got)
}

func TestAgentAPIKey(t *testing.T) {
	_, err := retrieve(t, map[string]string{"TELEMETRY_API_KEY": "0123456789abcdef"}, "telemetry:api_key")
	require.NoError(t, err, "a configuration without agents needs no agent key")
	_, err = retrieve(t, nil, "telemetry:agent_api_key")
	require.ErrorContains(t, err, "TELEMETRY_AGENT_API_KEY is not set")
	got, err := retrieve(t, map[string]string{"TELEMETRY_API_KEY": "0123456789abcdef", "TELEMETRY_AGENT_API_KEY": "agent-0123456789abcdef"}, "telemetry:agent_api_key")
	require.NoError(t, err)
	assert.Equal(t, "agent-0123456789abcdef", got)

	// The agents' key must not be the admin key; neither value is echoed.
	same := "same-key-0123456789abcdef"
	_, err = retrieve(t, map[string]string{"TELEMETRY_API_KEY": same, "TELEMETRY_AGENT_API_KEY": same}, "telemetry:enabled")
	require.ErrorContains(t, err, "TELEMETRY_AGENT_API_KEY must differ from TELEMETRY_API_KEY")
	assert.NotContains(t, err.Error(), same)
	_, err = retrieve(t, map[string]string{"TELEMETRY_AGENT_API_KEY": "agent key with white space"}, "telemetry:enabled")
	require.ErrorContains(t, err, "TELEMETRY_AGENT_API_KEY")
	assert.NotContains(t, err.Error(), "agent key with white space")
}

// TestTLSVariables: the servers' certificate and key come together (one alone would leave the
// servers in plaintext by mistake); the gateways' CA switches agents from plaintext to TLS.
func TestTLSVariables(t *testing.T) {
	f := func(env map[string]string, selector string, want any) {
		t.Helper()
		got, err := retrieve(t, env, "telemetry:"+selector)
		require.NoError(t, err)
		assert.Equal(t, want, got, selector)
	}
	f(nil, "tls_enabled", false)
	f(nil, "gateway_tls_insecure", true)
	f(nil, "gateway_ca_file", "")
	both := map[string]string{"TELEMETRY_TLS_CERT_FILE": "/etc/tls/tls.crt", "TELEMETRY_TLS_KEY_FILE": "/etc/tls/tls.key"}
	f(both, "tls_enabled", true)
	f(both, "tls_cert_file", "/etc/tls/tls.crt")
	f(both, "tls_key_file", "/etc/tls/tls.key")
	ca := map[string]string{"TELEMETRY_GATEWAY_CA_FILE": "/etc/gw/ca.crt", "TELEMETRY_GATEWAY_TLS_SERVER_NAME": "gw.telemetry.svc"}
	f(ca, "gateway_tls_insecure", false)
	f(ca, "gateway_ca_file", "/etc/gw/ca.crt")
	f(ca, "gateway_tls_server_name", "gw.telemetry.svc")

	for _, one := range []string{"TELEMETRY_TLS_CERT_FILE", "TELEMETRY_TLS_KEY_FILE"} {
		_, err := retrieve(t, map[string]string{one: "/etc/tls/x.pem"}, "telemetry:enabled")
		require.ErrorContains(t, err, "TELEMETRY_TLS_CERT_FILE and TELEMETRY_TLS_KEY_FILE are set together", one)
	}
	_, err := retrieve(t, map[string]string{"TELEMETRY_GATEWAY_TLS_SERVER_NAME": "https://gw:4317"}, "telemetry:enabled")
	require.ErrorContains(t, err, "TELEMETRY_GATEWAY_TLS_SERVER_NAME")
}

func TestHashKeyRequiredOnlyWhenUsed(t *testing.T) {
	_, err := retrieve(t, nil, "telemetry:enabled")
	require.NoError(t, err, "a configuration that does not hash needs no key")
	_, err = retrieve(t, nil, "telemetry:hash_key")
	require.ErrorContains(t, err, "TELEMETRY_HASH_KEY is not set")
	got, err := retrieve(t, map[string]string{"TELEMETRY_HASH_KEY": "0123456789abcdef0123456789abcdef"}, "telemetry:hash_key")
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", got)
}

func TestAllWrongValuesReportedTogether(t *testing.T) {
	_, err := retrieve(t, map[string]string{"TELEMETRY_SAMPLE_RATE": "2", "TELEMETRY_PRIVACY_MODE": "x"}, "telemetry:enabled")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TELEMETRY_SAMPLE_RATE")
	assert.Contains(t, err.Error(), "TELEMETRY_PRIVACY_MODE")
}

func TestUnknownSelectorAndScheme(t *testing.T) {
	_, err := retrieve(t, nil, "telemetry:sample_rat")
	require.ErrorContains(t, err, `unknown selector "sample_rat"`)
	require.ErrorContains(t, err, "sample_rate")
	_, err = retrieve(t, nil, "env:TELEMETRY_SAMPLE_RATE")
	require.ErrorContains(t, err, "not supported")
}

// TestResolverEndToEnd resolves a collector-style configuration the way the collector does.
func TestResolverEndToEnd(t *testing.T) {
	t.Setenv("TELEMETRY_SAMPLE_RATE", "0.25")
	t.Setenv("TELEMETRY_FLUSH_INTERVAL", "5")
	yaml := `yaml:
processors:
  probabilistic_sampler:
    sampling_percentage: ${telemetry:sampling_percentage}
  batch:
    send_batch_size: ${telemetry:batch_size}
    timeout: ${telemetry:flush_interval}
exporters:
  x:
    endpoint: ${telemetry:clickhouse_endpoint}/?database=${telemetry:clickhouse_database}
`
	r, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{yaml},
		ProviderFactories: []confmap.ProviderFactory{NewFactory(), yamlProviderFactory()},
		DefaultScheme:     "telemetry",
	})
	require.NoError(t, err)
	conf, err := r.Resolve(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 25.0, conf.Get("processors::probabilistic_sampler::sampling_percentage"))
	assert.Equal(t, 100, conf.Get("processors::batch::send_batch_size"))
	assert.Equal(t, "5s", conf.Get("processors::batch::timeout"))
	assert.Equal(t, "http://127.0.0.1:8123/?database=telemetry", conf.Get("exporters::x::endpoint"))
}

// TestTypedValuesKeepTheirText: a bool or number also decodes into a string field (filter
// conditions are strings), as values of the env provider do.
func TestTypedValuesKeepTheirText(t *testing.T) {
	yaml := `yaml:
conditions: ["${telemetry:drop_all}"]
port_text: "${telemetry:self_metrics_port}"
port: ${telemetry:self_metrics_port}
`
	r, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{yaml},
		ProviderFactories: []confmap.ProviderFactory{NewFactory(), yamlProviderFactory()},
		DefaultScheme:     "telemetry",
	})
	require.NoError(t, err)
	conf, err := r.Resolve(context.Background())
	require.NoError(t, err)
	var cfg struct {
		Conditions []string `mapstructure:"conditions"`
		PortText   string   `mapstructure:"port_text"`
		Port       int      `mapstructure:"port"`
	}
	require.NoError(t, conf.Unmarshal(&cfg))
	assert.Equal(t, []string{"false"}, cfg.Conditions)
	assert.Equal(t, "8888", cfg.PortText)
	assert.Equal(t, 8888, cfg.Port)
}
