package e2e

import (
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/tlstest"
)

// gatewayTLSName is the only name the test gateway's certificate carries: agents dial an address
// (127.0.0.1 here, a pod address in Kubernetes) that the certificate does not name.
const gatewayTLSName = "gateway.telemetry.test"

// TestAgentAndSidecarToGatewayOverTLS: a gateway (deploy/gateway.yaml) with
// TELEMETRY_TLS_CERT_FILE/KEY_FILE serves OTLP gRPC, OTLP HTTP and the telemetry API over TLS only;
// an agent (deploy/agent.yaml) and a sidecar (deploy/sidecar.yaml) given its CA and certificate name
// deliver to it, and what they sent is stored. Raw data (PII is redacted on the gateway) never
// crosses the network in plaintext.
func TestAgentAndSidecarToGatewayOverTLS(t *testing.T) {
	certFile, keyFile, pool := tlstest.WriteSelfSigned(t, gatewayTLSName)
	gw := startCollector(t, collectorOptions{config: "deploy/gateway.yaml", env: map[string]string{
		"TELEMETRY_GATEWAY_ID":    "gateway-tls",
		"TELEMETRY_TLS_CERT_FILE": certFile,
		"TELEMETRY_TLS_KEY_FILE":  keyFile,
	}})
	clientTLS := map[string]string{
		"TELEMETRY_API_KEY":                 "",
		"TELEMETRY_GATEWAY_CA_FILE":         certFile,
		"TELEMETRY_GATEWAY_TLS_SERVER_NAME": gatewayTLSName,
	}
	agentEnv := map[string]string{"TELEMETRY_GATEWAYS": gw.otlpGRPC}
	sidecarEnv := map[string]string{"TELEMETRY_ENDPOINT": "https://" + gw.otlpHTTP}
	for k, v := range clientTLS {
		agentEnv[k], sidecarEnv[k] = v, v
	}
	agent := startCollector(t, collectorOptions{config: "deploy/agent.yaml", env: agentEnv})
	sidecar := startCollector(t, collectorOptions{config: "deploy/sidecar.yaml", env: sidecarEnv})

	// The gateway's servers refuse plaintext: OTLP/HTTP and the API answer a plain HTTP request
	// with 400 (Go's "client sent an HTTP request to an HTTPS server"), and store nothing of it.
	suffix := randomSuffix()
	plain := plog.NewLogs()
	lr := plain.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Attributes().PutStr("marker", "plain-"+suffix)
	require.ErrorContains(t, postLogs(gw.otlpHTTP, plain), "400")
	resp, err := http.Get("http://" + gw.api + "/api/v1/telemetry/admin/keys")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP to the TLS API")

	// Over TLS with the CA and the certificate's name, the API answers.
	https := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: gatewayTLSName, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest(http.MethodGet, "https://"+gw.api+"/api/v1/telemetry/admin/keys", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	resp, err = https.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the API over TLS")

	// Traces through the agent (gRPC over TLS, load_balancing) and logs through the sidecar
	// (OTLP/HTTP over TLS) are stored.
	td, sent := tracesRequest("tls-agent", "tls-"+suffix, 5, 3, "")
	require.NoError(t, postTraces(agent.otlpHTTP, td))
	side := plog.NewLogs()
	rl := side.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "tls-sidecar")
	lr = rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Body().SetStr("order placed")
	lr.Attributes().PutStr("marker", "sidecar-"+suffix)
	require.NoError(t, postLogs(sidecar.otlpHTTP, side))

	conn := gw.db()
	dups, _, _ := requireFleetStored(t, conn, "tls-agent", sent, 60*time.Second)
	assert.Zero(t, dups)
	waitMarkers(t, conn, "telemetry_logs", "service_name = 'tls-sidecar'", "sidecar-"+suffix)
	assert.Empty(t, markers(t, conn, "telemetry_logs", "attributes['marker'] = 'plain-"+suffix+"'"))
}
