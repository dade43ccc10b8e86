package telemetrystorageexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// The server drops an INSERT whose token it has seen (migration 15's window), part by part: a retry
// of a split batch stores only the parts that were missing, and a different batch is stored.
func TestIntegrationInsertDeduplication(t *testing.T) {
	requireClickHouse(t)
	db := testDatabase(t)
	cfg := itConfig(t, db)
	cfg.MaxRowsPerInsert = 4
	st, err := newStorage(cfg, zapNop(), nopTelemetry(t))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, st.start(ctx))
	defer func() { _ = st.shutdown(ctx) }()

	logs := func(prefix string, n int) plog.Logs {
		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for i := range n {
			lrs.AppendEmpty().Body().SetStr(fmt.Sprintf("%s-%d", prefix, i)) // no timestamp: each insert stamps its own time
		}
		return ld
	}
	insert := func(ld plog.Logs, now time.Time) {
		t.Helper()
		var events, lb logBlock
		events.events = true
		appendLogs(ld, &events, &lb, now, noTTL)
		require.NoError(t, st.insert(ctx, "telemetry_logs", &lb, logsToken(ld)))
	}
	count := func() string {
		return queryStrings(t, queryConn(t), "SELECT toString(count()) FROM `"+db+"`.telemetry_logs")[0]
	}

	a := logs("a", 10) // three INSERTs: 4 + 4 + 2 rows
	insert(a, time.Now())
	assert.Equal(t, "10", count())
	insert(a, time.Now().Add(time.Second)) // the retry: other timestamps, same token
	assert.Equal(t, "10", count(), "every part of the retry was dropped")

	// A retry after the first attempt stored only its first part: the rest is stored once.
	b := logs("b", 10)
	var events, lb logBlock
	appendLogs(b, &events, &lb, time.Now(), noTTL)
	first := sliceBlockForTest(&lb, 4)
	require.NoError(t, st.insert(ctx, "telemetry_logs", first, logsToken(b)))
	assert.Equal(t, "14", count())
	insert(b, time.Now())
	assert.Equal(t, "20", count())

	insert(logs("c", 3), time.Now())
	assert.Equal(t, "23", count(), "another batch has another token")
}

// sliceBlockForTest is the first n rows of b as a block of their own.
func sliceBlockForTest(b *logBlock, n int) *logBlock {
	out := &logBlock{}
	out.tenantID, out.eventName, out.userID, out.sessionID = b.tenantID[:n], nil, b.userID[:n], b.sessionID[:n]
	out.serviceName, out.traceID, out.spanID, out.severityText = b.serviceName[:n], b.traceID[:n], b.spanID[:n], b.severityText[:n]
	out.body, out.scopeName, out.scopeVersion = b.body[:n], b.scopeName[:n], b.scopeVersion[:n]
	out.timestamp, out.observedTimestamp = b.timestamp[:n], b.observedTimestamp[:n]
	out.traceFlags, out.severityNumber = b.traceFlags[:n], b.severityNumber[:n]
	out.attributes, out.resourceAttributes, out.sampleRate = b.attributes[:n], b.resourceAttributes[:n], b.sampleRate[:n]
	return out
}
