package datarightsextension

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
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

	gateway := func() *dataRights {
		list, err := suppression.NewList([]byte("0123456789abcdef0123456789abcdef"))
		require.NoError(t, err)
		tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings(), func() int64 { return 0 })
		require.NoError(t, err)
		t.Cleanup(tel.Shutdown)
		return &dataRights{cfg: createDefaultConfig(), logger: zap.NewNop(), now: time.Now, list: list, tel: tel,
			store: &chStore{conn: conn, sql: sqls, timeout: time.Minute, mutation: time.Minute},
			byID:  map[string]*request{}, active: map[string]*request{}, wake: make(chan struct{}, 1)}
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
	gw1, gw2 := gateway(), gateway()
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
}
