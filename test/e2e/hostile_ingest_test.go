package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// Hostile and careless clients, ingest side (issue 20, part A): bounded work per request,
// inserts that never double, clear 4xx for odd input, valid UTF-8 in storage.

// TestRetriedInsertStoredOnce: the engine commits an INSERT and then cuts the connection without
// answering (clickhouse-embedded --cut-insert-responses), twice: the exporter sees a failure,
// retries the batch, and ClickHouse drops the parts already stored because every part carries
// the batch's insert_deduplication_token. The records carry no timestamp, so every attempt stamps
// a different time: only the token, not ClickHouse's own hash of the rows, can tell the attempts
// apart. The batch is split into INSERTs of 300 rows (max_rows_per_insert), so the retry also
// has to skip the parts stored before a later part failed. Exactly one copy of every record.
func TestRetriedInsertStoredOnce(t *testing.T) {
	eng, err := chtest.StartWith(t.TempDir(), "", "--cut-insert-responses=telemetry_logs:2")
	require.NoError(t, err)
	t.Cleanup(eng.Stop)
	c := startCollector(t, collectorOptions{
		env: map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint},
		args: append([]string{
			"--set=exporters::telemetry_storage::max_rows_per_insert=300",
			"--set=exporters::telemetry_storage::retry_on_failure::initial_interval=200ms",
		}, fastRetry...),
	})
	const n = 1000
	service := "dedup-" + randomSuffix()
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lrs.AppendEmpty().Body().SetStr(fmt.Sprintf("record %d", i)) // no timestamp, no observed timestamp
	}
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	r := send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", testAPIKey, map[string]string{"Content-Type": "application/x-protobuf"}, body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)

	conn := c.db()
	q := "SELECT count() FROM telemetry_logs WHERE service_name = ?"
	eventuallyCount(t, conn, n, q, service)
	// Both cuts happened (the first attempt and the first retry lost their answers)...
	require.Eventually(t, func() bool { return strings.Count(eng.Logs(), "fault injection: committed INSERT") == 2 },
		10*time.Second, 100*time.Millisecond, "engine log:\n%s", eng.Logs())
	// ...and the retries have settled: nothing more arrives, nothing is doubled.
	time.Sleep(3 * time.Second)
	var total, distinct uint64
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count(), uniqExact(body) FROM telemetry_logs WHERE service_name = ?", service).Scan(&total, &distinct))
	assert.Equal(t, uint64(n), total, "rows stored for %d sent", n)
	assert.Equal(t, uint64(n), distinct)
	assert.Contains(t, c.logs.String(), "Exporting failed", "the exporter saw the cut connection and retried")
}
