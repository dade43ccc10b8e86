package telemetrystorageexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request with events and other logs writes two tables at once. When one
// insert fails, the other's rows are still stored and the request stays
// retryable (a retry then stores them again: at-least-once, as documented).
func TestIntegrationLogsOneTableFails(t *testing.T) {
	f := func(broken, healthy string) {
		t.Helper()
		db := testDatabase(t)
		s := startAll(t, itConfig(t, db))
		conn := queryConn(t)
		require.NoError(t, conn.Exec(context.Background(), "DROP TABLE `"+db+"`."+broken))

		err := s.logs.ConsumeLogs(context.Background(), sampleLogs())
		require.Error(t, err, broken)
		assert.Contains(t, err.Error(), broken)
		assert.False(t, isPermanent(err), "a missing table (another collector migrating) must be retried: %v", err)
		assert.Equal(t, []string{"2"}, queryStrings(t, conn, "SELECT toString(count()) FROM `"+db+"`."+healthy), healthy)
	}
	f("telemetry_events", "telemetry_logs")
	f("telemetry_logs", "telemetry_events")
}
