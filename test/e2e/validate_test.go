package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestShippedConfigsValidate runs `otelcol-telemetry validate` on every configuration the repository
// ships, so a deploy example cannot rot unnoticed.
func TestShippedConfigsValidate(t *testing.T) {
	configs, _ := filepath.Glob(filepath.Join(repoRoot, "deploy", "*.yaml"))
	configs = append(configs, filepath.Join(repoRoot, "config", "local.yaml"))
	for _, cfg := range configs {
		t.Run(filepath.Base(cfg), func(t *testing.T) {
			cmd := exec.Command(collectorBin, "validate", "--config", cfg)
			cmd.Env = append(os.Environ(),
				"TELEMETRY_ENDPOINT=https://gateway.example.com:4318",
				"TELEMETRY_GATEWAYS=gw-1:4317,gw-2:4317,gw-3:4317",
				"TELEMETRY_API_KEY=test-key-0123456789",
				"TELEMETRY_AGENT_API_KEY=test-agent-key-0123456789",
				"TELEMETRY_HASH_KEY="+testHashKey,
			)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("validate %s: %v\n%s", cfg, err, out)
			}
		})
	}
}
