// Package deploy holds the fleet's collector configurations; this test keeps deploy/gateway.yaml in
// step with config/local.yaml (the single-node configuration every other change lands in first).
package deploy

import (
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &m))
	return m
}

// gatewayAdditions are what a fleet gateway adds to config/local.yaml, nothing else (besides the
// agents' key, see agentKey).
var gatewayAdditions = []string{"resource/gateway"}

// agentKey is the telemetry_api key a gateway adds for its agents: ingest only, never admin.
var agentKey = map[string]any{
	"id":     "agent",
	"key":    "${telemetry:agent_api_key}",
	"tenant": "default",
	"roles":  []any{"ingest"},
}

// TestGatewayIsLocalPlusFleetAdditions: deploy/gateway.yaml is config/local.yaml with the
// resource/gateway processor (in every pipeline that has the memory limiter, right after the tenant,
// and backpressure first there as in local.yaml), plus the agents' ingest-only key
// in telemetry_api's auth::api_keys. A change to local.yaml that is not carried over fails here:
// copy it into deploy/gateway.yaml, then run scripts/k8s-configmaps.sh.
func TestGatewayIsLocalPlusFleetAdditions(t *testing.T) {
	local := loadYAML(t, "../config/local.yaml")
	gateway := loadYAML(t, "gateway.yaml")

	auth := gateway["extensions"].(map[string]any)["telemetry_api"].(map[string]any)["auth"].(map[string]any)
	keys, _ := auth["api_keys"].([]any)
	i := slices.IndexFunc(keys, func(k any) bool { return k.(map[string]any)["id"] == agentKey["id"] })
	require.GreaterOrEqual(t, i, 0, "gateway.yaml registers the agents' key in telemetry_api::auth::api_keys")
	assert.Equal(t, agentKey, keys[i], "the agents' key is TELEMETRY_AGENT_API_KEY, ingest only, of the default tenant")
	keys = slices.Delete(keys, i, i+1)
	if len(keys) == 0 {
		delete(auth, "api_keys")
	} else {
		auth["api_keys"] = keys
	}

	processors := gateway["processors"].(map[string]any)
	for _, p := range gatewayAdditions {
		require.Contains(t, processors, p)
		delete(processors, p)
	}
	pipelines := gateway["service"].(map[string]any)["pipelines"].(map[string]any)
	for name, p := range pipelines {
		pl := p.(map[string]any)
		procs, _ := pl["processors"].([]any)
		if slices.Contains(procs, any("memory_limiter")) {
			require.Equal(t, "backpressure", procs[0], "pipeline %s starts with backpressure", name)
			i := slices.Index(procs, any("resource/tenant"))
			require.Equal(t, "resource/gateway", procs[i+1], "pipeline %s stamps the gateway after the tenant", name)
		}
		pl["processors"] = slices.DeleteFunc(slices.Clone(procs), func(v any) bool { return slices.Contains(gatewayAdditions, v.(string)) })
		if len(pl["processors"].([]any)) == 0 && procs == nil {
			pl["processors"] = nil
		}
	}
	assert.Equal(t, local, gateway, "deploy/gateway.yaml minus the fleet additions differs from config/local.yaml")
}
