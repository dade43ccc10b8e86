package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// TestRetentionPerTenant: shortening a tenant's log retention to 30 days by API removes that
// tenant's stored logs older than 30 days (another tenant's stay, as do its own newer ones); a
// retention above the operator's (TELEMETRY_RETENTION_DAYS) is refused naming the field. The
// effect is read from ClickHouse: the rows and the mutation it ran.
func TestRetentionPerTenant(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_RETENTION_DAYS": "90"}})
	eu := c.createKey(t, "eu", "eu-ingest", "ingest")
	us := c.createKey(t, "us", "us-ingest", "ingest")
	euAdmin := c.createKey(t, "eu", "eu-admin", "admin")

	old := time.Now().Add(-40 * 24 * time.Hour)
	for _, key := range []string{eu, us} {
		ld := noteLogs("retention-old", "old")
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetTimestamp(pcommon.NewTimestampFromTime(old))
		postLogsWithKey(t, c.otlpHTTP, key, ld)
		postLogsWithKey(t, c.otlpHTTP, key, noteLogs("retention-new", "new"))
	}
	conn := c.db()
	for _, tenant := range []string{"eu", "us"} {
		eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE tenant_id = ? AND service_name = 'retention-old'", tenant)
		eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE tenant_id = ? AND service_name = 'retention-new'", tenant)
	}

	status, _, body := c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"retention_days": map[string]any{"logs": 120}}, nil)
	require.Equal(t, http.StatusBadRequest, status, body)
	assert.Equal(t, "retention_days.logs", body["error"].(map[string]any)["field"])
	assert.Contains(t, body["error"].(map[string]any)["message"], "maximum of 90")

	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"retention_days": map[string]any{"logs": 30}}, nil)
	require.Equal(t, http.StatusOK, status, body)

	count := func(tenant, service string) uint64 {
		var n uint64
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM telemetry_logs WHERE tenant_id = ? AND service_name = ?", tenant, service).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool { return count("eu", "retention-old") == 0 }, storeWithin, 200*time.Millisecond,
		"eu's 40-day-old log outlived its 30-day retention")
	assert.Equal(t, uint64(1), count("eu", "retention-new"))
	assert.Equal(t, uint64(1), count("us", "retention-old"), "another tenant's retention is unchanged")
	assert.Equal(t, uint64(1), count("us", "retention-new"))

	// ClickHouse's effective TTL: eu's rule on telemetry_logs after the storage retention, on no
	// other data table.
	ttlOf := func(table string) string {
		var engine string
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT engine_full FROM system.tables WHERE database = ? AND name = ?", c.database, table).Scan(&engine))
		return engine
	}
	require.Eventually(t, func() bool {
		return strings.Contains(ttlOf("telemetry_logs"), "TTL toDateTime(timestamp) + toIntervalDay(90), toDateTime(timestamp) + toIntervalDay(30) WHERE tenant_id = 'eu'")
	}, storeWithin, 200*time.Millisecond, ttlOf("telemetry_logs"))
	for _, table := range []string{"telemetry_spans", "telemetry_events", "telemetry_metrics"} {
		assert.NotContains(t, ttlOf(table), "WHERE tenant_id", table)
	}
	// ClickHouse applies it to rows written from now on: a TTL merge drops eu's log written with
	// an old timestamp, us's stays.
	for _, key := range []string{eu, us} {
		ld := noteLogs("retention-late", "late")
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetTimestamp(pcommon.NewTimestampFromTime(old))
		postLogsWithKey(t, c.otlpHTTP, key, ld)
	}
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE tenant_id = 'us' AND service_name = 'retention-late'")
	require.Eventually(t, func() bool {
		require.NoError(t, conn.Exec(t.Context(), "OPTIMIZE TABLE telemetry_logs FINAL"))
		return count("eu", "retention-late") == 0
	}, storeWithin, 500*time.Millisecond, "eu's late old log was not removed by the TTL")
	assert.Equal(t, uint64(1), count("us", "retention-late"))
	assert.Equal(t, uint64(1), count("eu", "retention-new"))

	// Lifting the tenant's retention takes its rule out of the TTL again.
	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"mode": "strict"}, nil)
	require.Equal(t, http.StatusOK, status, body)
	require.Eventually(t, func() bool { return !strings.Contains(ttlOf("telemetry_logs"), "WHERE tenant_id") }, storeWithin, 200*time.Millisecond)
	assert.Contains(t, ttlOf("telemetry_logs"), "TTL toDateTime(timestamp) + toIntervalDay(90)")

	// ClickHouse's own record of what it applied.
	// (Polled: the mutation is reported done by the engine's own schedule, which on a loaded machine
	// may lag the TTL change that is already visible above.)
	require.Eventually(t, func() bool {
		var done uint64
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM system.mutations WHERE database = ? AND table = 'telemetry_logs' AND is_done AND position(command, 'eu') > 0 AND position(command, 'toIntervalDay(30)') > 0", c.database).Scan(&done))
		return done > 0
	}, storeWithin, 200*time.Millisecond, "the retention mutation is done")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_audit WHERE tenant_id = 'eu' AND action = 'PUT /privacy/policy' AND outcome = 'success' AND details['retention_purge'] = 'requested'")
}
