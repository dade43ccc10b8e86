package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvalidEnvironmentStopsCollector: a wrong TELEMETRY_* value must stop the collector at start
// with a message naming the variable, not run with a silently corrected value.
func TestInvalidEnvironmentStopsCollector(t *testing.T) {
	f := func(env, value, wantInMessage string) {
		t.Helper()
		c := launchCollector(t, collectorOptions{env: map[string]string{env: value}})
		code, exited := c.exitCode(30 * time.Second)
		require.True(t, exited, "collector with %s=%s kept running:\n%s", env, value, c.logs.String())
		assert.NotEqual(t, 0, code, "%s=%s", env, value)
		assert.Contains(t, c.logs.String(), env+"=")
		assert.Contains(t, c.logs.String(), wantInMessage)
	}
	f("TELEMETRY_SAMPLE_RATE", "1.5", "from 0.0 to 1.0")
	f("TELEMETRY_PRIVACY_MODE", "relaxed", "strict, balanced, minimal")
	f("TELEMETRY_FLUSH_INTERVAL", "never", "seconds")
	f("TELEMETRY_SAMPLE_KEEP_ERRORS", "sometimes", "true or false")
	f("TELEMETRY_SAMPLE_SLOW_MS", "fast", "milliseconds")
	f("TELEMETRY_SAMPLE_DECISION_WAIT", "1h", "at most 10m0s")
	f("TELEMETRY_SAMPLE_MAX_TRACES", "0", "from 100 to 10000000")
}

// TestDisabledAcceptsAndDropsCounted: TELEMETRY_ENABLED=false keeps the endpoints up (clients see no
// errors), stores nothing and counts what it dropped.
func TestDisabledAcceptsAndDropsCounted(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_ENABLED": "false"}})
	sendLogs(t, c.otlpHTTP, "quiet", "one", "two", "three")

	dropped := func() float64 {
		resp, err := http.Get("http://" + c.selfMet + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`(?m)^otelcol_processor_filter_logs_filtered(?:_total)?\{[^}]*\} (\S+)$`).FindSubmatch(body)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	deadline := time.Now().Add(storeWithin)
	for dropped() < 3 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	assert.Equal(t, 3.0, dropped(), "self-metrics count every dropped record")

	conn := c.db()
	var n uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_logs").Scan(&n))
	assert.Zero(t, n, "nothing is stored while disabled")
}
