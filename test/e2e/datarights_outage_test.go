package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfMetricSum sums the series of a self-metric whose labels contain every one of labels
// (`name="value"` pairs).
func selfMetricSum(t *testing.T, c *collector, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + c.selfMet + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^` + name + `(?:_total)?(?:\{([^}]*)\})? (\S+)$`)
	var sum float64
	for _, m := range re.FindAllSubmatch(body, -1) {
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(string(m[1]), l)
		}
		if ok {
			v, err := strconv.ParseFloat(string(m[2]), 64)
			require.NoError(t, err)
			sum += v
		}
	}
	return sum
}

// TestDataRightsSuppressionDuringOutage: ClickHouse is down for 20 s. A's data acknowledged during
// the outage (held in the persistent queue), the deletion of A requested during the outage, and A's
// data sent after the request: none of A's is ever stored, B's all is, the request waits for
// ClickHouse and completes, and the suppression counters of the pipeline and of the exporter show
// what was dropped where.
func TestDataRightsSuppressionDuringOutage(t *testing.T) {
	eng := startTestEngine(t)
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint},
		args: append(dataRightsConfig(), fastRetry...),
	})
	conn := c.db()
	suffix := randomSuffix()
	userA, userB := "alice-"+suffix, "bob-"+suffix
	c.grantConsent(t, testAPIKey, userA, allPurposes) // the default mode is strict: opt-in
	c.grantConsent(t, testAPIKey, userB, allPurposes)
	postEvents(t, c, testAPIKey, probe{userA, "before-a"}, probe{userB, "before-b"})
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'before-%'", "before-a", "before-b")

	eng.Signal(syscall.SIGKILL)
	down := time.Now()
	// Acknowledged while ClickHouse is down: written to the persistent queue.
	postEvents(t, c, testAPIKey, probe{userA, "queued-a1"}, probe{userA, "queued-a2"}, probe{userB, "queued-b"})
	sendProbeLogs(t, c, false, probe{userA, "queued-a3"}, probe{userB, "queued-b2"})

	acc := c.requestDeletion(t, testAPIKey, userA)
	assert.False(t, acc.Persisted, "ClickHouse is down: accepted, stored when it returns")
	// After the request: dropped in the pipeline.
	postEvents(t, c, testAPIKey, probe{userA, "after-a"}, probe{userB, "after-b"})
	code, _, body := c.drCall(t, http.MethodGet, "/data/requests/"+acc.RequestID, testAPIKey)
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, string(body), `"status":"completed"`)

	time.Sleep(time.Until(down.Add(20 * time.Second)))
	require.NoError(t, eng.Restart())

	done := c.waitRequest(t, testAPIKey, acc.RequestID, "completed", 90*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	assert.GreaterOrEqual(t, done.Attempts, 1)
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] != ''", "before-b", "queued-b", "after-b")
	waitMarkers(t, conn, "telemetry_logs", "attributes['marker'] != ''", "queued-b2")
	// The queue has drained (B's queued rows are in); give a straggler a moment, then look again.
	time.Sleep(time.Second)
	for _, table := range dataTables {
		var n uint64
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM "+table+" WHERE attributes['marker'] LIKE '%-a%'").Scan(&n))
		assert.Zero(t, n, "rows of A in %s", table)
	}
	assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_processor_consent_records", `reason="suppressed"`), "after-a dropped in the pipeline")
	assert.Equal(t, 3.0, selfMetricSum(t, c, "otelcol_exporter_telemetry_storage_records_dropped", `reason="suppressed"`),
		"queued-a1..a3 dropped at write time")
	var receiptEvents uint64
	for _, tc := range done.Receipt.Tables {
		if tc.Table == "telemetry_events" {
			receiptEvents = tc.MatchedBefore
		}
	}
	assert.Equal(t, uint64(1), receiptEvents, "only before-a was stored, and the deletion removed it")
}
