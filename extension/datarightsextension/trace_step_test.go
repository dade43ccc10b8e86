package datarightsextension

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestIntegrationTraceStepInCompletion: the erasing attempt leaves the trace-id lookup rows to the
// completion (a batch's erased_at does not wait for their count), and the purge waits for that
// step while it is pending; the completion counts and erases them, and the receipt says so.
func TestIntegrationTraceStepInCompletion(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_tracestep_")
	ctx := context.Background()
	spans := schema.Table(chschema.Spans).Qualified
	lookup := schema.Table(chschema.TraceIDTimestamps).Qualified
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+spans+" (tenant_id, timestamp, trace_id, span_id, user_id, span_name) VALUES "+
		"('acme', now64(9), 't1', 's1', 'alice', 'x'), ('acme', now64(9), 't2', 's2', 'bob', 'y')"))
	x := rightsOver(t, endpoint, conn, database, testList(t))
	x.byID, x.active, x.wake = map[string]*request{}, map[string]*request{}, make(chan struct{}, 1)
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
	require.NoError(t, err)
	t.Cleanup(tel.Shutdown)
	x.tel = tel
	x.cfg.ExecutionDelay = 0

	r := httptest.NewRequest(http.MethodDelete, "/data/alice", nil)
	r.SetPathValue("user_id", "alice")
	r = r.WithContext(telemetryapi.WithTenant(r.Context(), "acme"))
	w := httptest.NewRecorder()
	x.handleDelete(w, r)
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	var acc Accepted
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &acc))

	traces := func() (n uint64) {
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+lookup+" WHERE TenantId = 'acme' AND TraceId = 't1' SETTINGS use_query_condition_cache = 0").Scan(&n))
		return n
	}
	batch := x.nextBatch(ctx)
	require.Len(t, batch, 1)
	require.NoError(t, x.attempt(ctx, batch, false))
	assert.EqualValues(t, 1, traces(), "the lookup row waits for the completion")
	x.mu.Lock()
	assert.True(t, x.traceSteps[batch[0].ID], "the batch's trace step is pending")
	x.mu.Unlock()

	defer func(d time.Duration) { maxTraceWait = d }(maxTraceWait)
	maxTraceWait = 300 * time.Millisecond
	start := time.Now()
	x.awaitTraceSteps(ctx)
	assert.GreaterOrEqual(t, time.Since(start), maxTraceWait, "a purge waits while a trace step is pending")

	require.NoError(t, x.attempt(ctx, batch, true))
	assert.Zero(t, traces(), "the completion erased the lookup row of alice's trace")
	x.mu.Lock()
	assert.Empty(t, x.traceSteps)
	x.mu.Unlock()
	start = time.Now()
	x.awaitTraceSteps(ctx)
	assert.Less(t, time.Since(start), maxTraceWait, "nothing pending: the purge does not wait")

	var other uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+lookup+" WHERE TraceId = 't2' SETTINGS use_query_condition_cache = 0").Scan(&other))
	assert.EqualValues(t, 1, other, "bob's trace stays")
	st, err := x.lookup(ctx, "acme", acc.RequestID)
	require.NoError(t, err)
	status := st.status()
	require.Equal(t, statusCompleted, status.Status, status.Reason)
	require.NotNil(t, status.Receipt)
	var found bool
	for _, tc := range status.Receipt.Tables {
		if tc.Table == chschema.TraceIDTimestamps {
			found = true
			assert.EqualValues(t, 1, tc.MatchedBefore)
			assert.Zero(t, tc.RemainingAfter)
			assert.Equal(t, mechanismPatchParts, tc.Mechanism, "a patch part since migration 65, not a mutation")
		}
	}
	assert.True(t, found, "the receipt counts the trace-id table")
}
