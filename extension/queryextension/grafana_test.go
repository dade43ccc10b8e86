package queryextension

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

func TestGrafanaConfigValidate(t *testing.T) {
	f := func(g GrafanaConfig, wantErrs ...string) {
		t.Helper()
		cfg := createDefaultConfig()
		cfg.Storage.Endpoint = "http://127.0.0.1:8123"
		cfg.Grafana = g
		err := cfg.Validate()
		if len(wantErrs) == 0 {
			assert.NoError(t, err)
			return
		}
		for _, w := range wantErrs {
			assert.ErrorContains(t, err, w)
		}
	}
	f(GrafanaConfig{})
	f(GrafanaConfig{ReaderUsers: true}, "grafana::password_key must be at least 32 bytes")
	f(GrafanaConfig{ReaderUsers: true, PasswordKey: "0123456789abcdef0123456789abcdef"})
	f(GrafanaConfig{Endpoint: "ftp://x"}, "grafana::endpoint")
	f(GrafanaConfig{ClusterName: "c\nd"}, "grafana::cluster_name")
}

// The reader password is stable (a repeated call answers the same), differs per tenant and key.
func TestReaderPassword(t *testing.T) {
	a := readerPassword("0123456789abcdef0123456789abcdef", "acme")
	assert.Equal(t, a, readerPassword("0123456789abcdef0123456789abcdef", "acme"))
	assert.NotEqual(t, a, readerPassword("0123456789abcdef0123456789abcdef", "globex"))
	assert.NotEqual(t, a, readerPassword("fedcba9876543210fedcba9876543210", "acme"))
	assert.Len(t, a, 43)
}

// The answer's connection settings follow the endpoint's scheme; without a user it says what to do.
func TestGrafanaSettings(t *testing.T) {
	s, err := chschema.New(chschema.Options{})
	require.NoError(t, err)
	f := func(endpoint, password, protocol string, port int, secure bool) grafanaAnswer {
		t.Helper()
		rd, err := s.Reader("acme", password)
		require.NoError(t, err)
		u, err := url.Parse(endpoint)
		require.NoError(t, err)
		ans := grafanaSettings("acme", rd, password, u)
		j := ans.Grafana.JSONData
		assert.Equal(t, []any{protocol, port, secure, "telemetry_tenant_acme"}, []any{j["protocol"], j["port"], j["secure"], j["defaultDatabase"]}, endpoint)
		return ans
	}
	ans := f("http://127.0.0.1:8123", "", "http", 8123, false)
	assert.Nil(t, ans.User)
	assert.Empty(t, ans.Grafana.SecureJSONData)
	assert.Contains(t, ans.Notes[0], "grant a ClickHouse user SELECT on telemetry_tenant_acme only")
	f("https://ch.example.com", "", "http", 8443, true)
	f("clickhouse://ch.example.com:9440?secure=true", "", "native", 9440, true)
	f("tcp://ch.example.com", "", "native", 9000, false)
	ans = f("https://ch.example.com:8443", "pw", "http", 8443, true)
	require.NotNil(t, ans.User)
	assert.Equal(t, grafanaUser{Name: "telemetry_tenant_acme_reader", Password: "pw"}, *ans.User)
	assert.Equal(t, "telemetry_tenant_acme_reader", ans.Grafana.JSONData["username"])
	assert.Equal(t, map[string]string{"password": "pw"}, ans.Grafana.SecureJSONData)
	assert.Equal(t, "https://ch.example.com:8443", ans.HyperDX.Connection["host"])
	assert.Equal(t, "otel_traces", ans.HyperDX.Sources[0]["from"].(map[string]string)["tableName"])
}
