package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// TestSidecarForwardsWithIngestOnlyKey: deploy/sidecar.yaml, next to one application and holding
// no admin key at all, forwards what the application sends to a gateway (deploy/gateway.yaml) with
// the ingest-only key; the gateway stores it under that key's tenant. A sidecar whose key the
// gateway does not know gets nothing stored.
func TestSidecarForwardsWithIngestOnlyKey(t *testing.T) {
	gw := startCollector(t, collectorOptions{config: "deploy/gateway.yaml", env: map[string]string{"TELEMETRY_GATEWAY_ID": "gateway-sidecar"}})
	sidecar := func(agentKey string) *collector {
		return startCollector(t, collectorOptions{config: "deploy/sidecar.yaml", env: map[string]string{
			"TELEMETRY_ENDPOINT":      "http://" + gw.otlpHTTP,
			"TELEMETRY_API_KEY":       "",
			"TELEMETRY_AGENT_API_KEY": agentKey,
		}})
	}
	good, stranger := sidecar(testAgentKey), sidecar("e2e-unknown-ingest-key-9876543210")

	logs := func(marker string) plog.Logs {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", "sidecar-app")
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Body().SetStr("order placed")
		lr.Attributes().PutStr("marker", marker)
		return ld
	}
	suffix := randomSuffix()
	// The sidecar acknowledges once the data is in its queue, whatever the gateway says later.
	require.NoError(t, postLogs(stranger.otlpHTTP, logs("stranger-"+suffix)))
	require.NoError(t, postLogs(good.otlpHTTP, logs("sidecar-"+suffix)))

	conn := gw.db()
	waitMarkers(t, conn, "telemetry_logs", "service_name = 'sidecar-app'", "sidecar-"+suffix)
	var tenant string
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT tenant_id FROM telemetry_logs WHERE attributes['marker'] = ?", "sidecar-"+suffix).Scan(&tenant))
	assert.Equal(t, "default", tenant, "stored under the ingest-only key's tenant")

	// The stranger's record was refused by the gateway (a permanent error: the sidecar logs and
	// drops it), and nothing of it is stored.
	require.Eventually(t, func() bool {
		return strings.Contains(stranger.logs.String(), "responded with HTTP Status Code 401, Message=invalid API key")
	}, 30*time.Second, 200*time.Millisecond, "the gateway refuses the unknown key")
	assert.Empty(t, markers(t, conn, "telemetry_logs", "attributes['marker'] = 'stranger-"+suffix+"'"))
}
