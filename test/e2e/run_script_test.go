package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeRunCtrlCStopsCollectorFirst runs scripts/run.sh (what `make run` runs) as a terminal
// would, in its own foreground process group, and presses Ctrl-C (SIGINT to the whole group): the
// engine must not get it (it runs in its own session), so the collector shuts down against a live
// engine and logs no export failure; then the script stops the engine and nothing is left running.
func TestMakeRunCtrlCStopsCollectorFirst(t *testing.T) {
	if _, err := os.Stat(filepath.Join(repoRoot, "_build", "clickhouse-embedded")); err != nil {
		t.Skip("needs `make build` (the script runs _build/otelcol-telemetry and _build/clickhouse-embedded)")
	}
	engineAddr, health, api := freeAddr(), freeAddr(), freeAddr()
	cmd := exec.Command("bash", "scripts/run.sh")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"TELEMETRY_DATA_DIR="+t.TempDir(), "CLICKHOUSE_EMBEDDED_LISTEN="+engineAddr,
		"TELEMETRY_HEALTH_ENDPOINT="+health, "TELEMETRY_API_ENDPOINT="+api,
		"TELEMETRY_OTLP_HTTP_ENDPOINT="+freeAddr(), "TELEMETRY_OTLP_GRPC_ENDPOINT="+freeAddr(),
		"TELEMETRY_PROMETHEUS_ENDPOINT="+freeAddr(), "TELEMETRY_SELF_METRICS_ENDPOINT="+freeAddr(),
		"TELEMETRY_QUEUE_DIRECTORY="+t.TempDir(), "TELEMETRY_API_KEY="+testAPIKey, "TELEMETRY_HASH_KEY="+testHashKey,
		"TELEMETRY_AGENT_API_KEY="+testAgentKey, "TELEMETRY_FLUSH_INTERVAL=0.2")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's foreground job
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if pid := enginePID(engineAddr); pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + health + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 90*time.Second, 200*time.Millisecond, "collector ready:\n%s", out)

	// Some data on its way, then Ctrl-C.
	r := send(t, http.MethodPost, "http://"+api+"/api/v1/telemetry/events", testAPIKey, map[string]string{"Content-Type": "application/json"},
		[]byte(`{"event_name":"ctrl_c_probe"}`))
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	engine := enginePID(engineAddr)
	require.Positive(t, engine, "engine process")
	pgid, err := syscall.Getpgid(engine)
	require.NoError(t, err)
	assert.NotEqual(t, cmd.Process.Pid, pgid, "the engine is not in the terminal's process group")
	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT))

	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("run.sh did not stop within 60 s:\n%s", out)
	}
	logs := out.String()
	if strings.Contains(logs, "Exporting failed") || strings.Contains(logs, "connection refused") || !strings.Contains(logs, "Shutdown complete") {
		t.Errorf("the collector must stop against a live engine (no export failure, no refused connection):\n%s", logs)
	}
	assert.Eventually(t, func() bool { return enginePID(engineAddr) == 0 }, 30*time.Second, 100*time.Millisecond, "the engine is stopped too")
}

// enginePID is the process of the embedded engine listening on addr, 0 if none.
func enginePID(addr string) int {
	out, err := exec.Command("pgrep", "-f", "--", "clickhouse-embedded --listen "+addr).Output()
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.Fields(string(out))[0])
	return pid
}
