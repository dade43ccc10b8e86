package datarightsextension

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestIntegrationDeleteIsIdempotentAcrossGateways: in a fleet the API is load-balanced, so the
// second DELETE of a user may reach another gateway than the first. While the first request is
// open (in the shared ClickHouse), the second call returns it, as on one collector, instead of
// starting a second deletion of the same user.
func TestIntegrationDeleteIsIdempotentAcrossGateways(t *testing.T) {
	_, conn, _, database := migratedDatabase(t, "datarights_fleet_")
	sqls, err := newStatements(database, "")
	require.NoError(t, err)

	gateway := func(loop bool) *dataRights {
		list, err := suppression.NewList([]byte("0123456789abcdef0123456789abcdef"))
		require.NoError(t, err)
		tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
		require.NoError(t, err)
		t.Cleanup(tel.Shutdown)
		x := &dataRights{cfg: createDefaultConfig(), logger: zap.NewNop(), now: time.Now, list: list, tel: tel,
			store: &chStore{conn: conn, sql: sqls, timeout: time.Minute, mutation: time.Minute},
			byID:  map[string]*request{}, active: map[string]*request{}, wake: make(chan struct{}, 100)}
		if loop {
			x.accepts, x.stopping = make(chan *acceptJob, maxAcceptRound), make(chan struct{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); x.acceptLoop(ctx) }()
			t.Cleanup(func() { close(x.stopping); cancel(); <-done })
		}
		return x
	}
	del := func(x *dataRights, tenant, user string) Accepted {
		t.Helper()
		r := httptest.NewRequest(http.MethodDelete, "/data/"+user, nil)
		r.SetPathValue("user_id", user)
		r = r.WithContext(telemetryapi.WithTenant(r.Context(), tenant))
		w := httptest.NewRecorder()
		x.handleDelete(w, r)
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		var a Accepted
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &a))
		return a
	}
	gw1, gw2 := gateway(false), gateway(false)
	first := del(gw1, "acme", "alice")
	require.True(t, first.Persisted, "the request is in ClickHouse")
	second := del(gw2, "acme", "alice")
	assert.True(t, second.Existing, "the open request of gateway 1 is returned")
	assert.Equal(t, first.RequestID, second.RequestID)
	assert.Equal(t, first.Location, second.Location)
	assert.Empty(t, gw2.queue, "gateway 2 does not run a second deletion")

	other := del(gw2, "globex", "alice") // the same user id in another tenant is another subject
	assert.False(t, other.Existing)
	assert.NotEqual(t, first.RequestID, other.RequestID)

	// Many requests at once through the accept loop: stored in rounds (one lookup and two inserts
	// each) rather than three statements per request, every one persisted; another gateway's
	// calls for the same users, also in rounds, return them.
	gw3, gw4 := gateway(true), gateway(true)
	const n = 200
	accepted := make([]Accepted, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); accepted[i] = del(gw3, "initech", fmt.Sprintf("user-%d", i)) }()
	}
	wg.Wait()
	for i, a := range accepted {
		assert.True(t, a.Persisted, "request %d stored before the 202", i)
		assert.False(t, a.Existing)
	}
	assert.Less(t, gw3.acceptRounds.Load(), int64(n/2), "grouped into rounds")
	var stored uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM "+sqls.schema.Table(chschema.DeletionRequests).Qualified+" FINAL WHERE tenant_id = 'initech'").Scan(&stored))
	assert.EqualValues(t, n, stored)
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM "+sqls.schema.Table(chschema.Suppressions).Qualified+" FINAL WHERE tenant_id = 'initech'").Scan(&stored))
	assert.EqualValues(t, n, stored)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again := del(gw4, "initech", fmt.Sprintf("user-%d", i))
			assert.True(t, again.Existing)
			assert.Equal(t, accepted[i].RequestID, again.RequestID)
		}()
	}
	wg.Wait()
	assert.Empty(t, gw4.queue, "gateway 4 runs none of them")
	assert.Empty(t, gw4.byID)
}
