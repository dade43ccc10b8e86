package datarightsextension

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestCheckEventID(t *testing.T) {
	for _, ok := range []string{"0190b6a4-7d2e-7c1a-9f00-000000000001", "a", "ev_1.2:3"} {
		assert.Empty(t, checkEventID(ok), ok)
	}
	for _, bad := range []string{"", "a b", "é", "a/b", string(make([]byte, 129))} {
		assert.NotEmpty(t, checkEventID(bad), bad)
	}
}

// TestIntegrationDeleteOneEvent: DELETE /events/{event_id} erases the tenant's rows of that event
// id (the column filled from log.record.uid at insert) and nothing else: the same user's other
// event, and another tenant's event of the same id, stay. The request suppresses nothing, batches
// apart from user requests, and its receipt names the event; an unknown id is 404.
func TestIntegrationDeleteOneEvent(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_event_")
	ctx := context.Background()
	events := schema.Table(chschema.Events).Qualified
	for _, row := range [][3]string{{"acme", "ev-1", "alice"}, {"acme", "ev-2", "alice"}, {"globex", "ev-1", "alice"}} {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO "+events+" (tenant_id, timestamp, event_name, user_id, attributes) VALUES (?, now64(9), 'e', ?, map('log.record.uid', ?))",
			row[0], row[2], row[1]))
	}
	x := rightsOver(t, endpoint, conn, database, testList(t))
	x.byID, x.active, x.wake = map[string]*request{}, map[string]*request{}, make(chan struct{}, 1)
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
	require.NoError(t, err)
	t.Cleanup(tel.Shutdown)
	x.tel = tel
	x.cfg.ExecutionDelay = 0

	del := func(tenant, id string) (int, Accepted) {
		t.Helper()
		r := httptest.NewRequest(http.MethodDelete, "/events/"+id, nil)
		r.SetPathValue("event_id", id)
		r = r.WithContext(telemetryapi.WithTenant(r.Context(), tenant))
		w := httptest.NewRecorder()
		x.handleDeleteEvent(w, r)
		var a Accepted
		_ = json.Unmarshal(w.Body.Bytes(), &a)
		return w.Code, a
	}
	code, _ := del("acme", "ev-404")
	assert.Equal(t, http.StatusNotFound, code)
	code, acc := del("acme", "ev-1")
	require.Equal(t, http.StatusAccepted, code)
	assert.True(t, acc.Persisted)
	code, again := del("acme", "ev-1")
	require.Equal(t, http.StatusAccepted, code)
	assert.True(t, again.Existing)
	assert.Equal(t, acc.RequestID, again.RequestID)
	assert.Equal(t, 0, x.list.Len(), "a single event suppresses nothing")

	batch := x.nextBatch(ctx)
	require.Len(t, batch, 1)
	require.NoError(t, x.attempt(ctx, batch, false))
	readable := func(tenant, id string) (n uint64) {
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+events+" WHERE tenant_id = ? AND event_id = ? SETTINGS use_query_condition_cache = 0", tenant, id).Scan(&n))
		return n
	}
	assert.Zero(t, readable("acme", "ev-1"), "unreadable once the erasing attempt returns")
	assert.EqualValues(t, 1, readable("acme", "ev-2"), "the user's other event stays")
	assert.EqualValues(t, 1, readable("globex", "ev-1"), "another tenant's event of the same id stays")
	require.NoError(t, x.attempt(ctx, batch, true))

	st, err := x.lookup(ctx, "acme", acc.RequestID)
	require.NoError(t, err)
	status := st.status()
	require.Equal(t, statusCompleted, status.Status, status.Reason)
	rc := status.Receipt
	require.NotNil(t, rc)
	assert.Equal(t, "ev-1", rc.EventID)
	assert.Empty(t, rc.Suppression.Subject)
	require.Len(t, rc.Tables, 1)
	assert.Equal(t, TableCount{Table: chschema.Events, Action: "deleted", MatchedBefore: 1, Mechanism: mechanismPatchParts,
		Searched: SearchedColumns{Columns: []string{"event_id"}}}, rc.Tables[0])
	require.NotNil(t, rc.ErasedAt)
	assert.True(t, rc.verify(signingKey([]byte(x.cfg.ReceiptKey))))
	// Once finished, the event is gone: a second DELETE is 404.
	code, _ = del("acme", "ev-1")
	assert.Equal(t, http.StatusNotFound, code)

	// Verify re-counts the event, without naming a user.
	r := httptest.NewRequest(http.MethodGet, "/data/requests/"+acc.RequestID+"/verify", nil)
	r.SetPathValue("request_id", acc.RequestID)
	r = r.WithContext(telemetryapi.WithTenant(r.Context(), "acme"))
	w := httptest.NewRecorder()
	x.handleVerify(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var v Verification
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v))
	assert.True(t, v.Verified)
	assert.False(t, v.Purged, "erased, not yet purged")
	assert.Equal(t, []TableNow{{Table: chschema.Events, MatchedNow: 0, StoredNow: 1}}, v.Tables)
}
