package telemetryapiextension

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// A route's handler adds details (the query API: query, rows) to its request's audit record; the
// extension's own keys are never overwritten by a handler.
func TestHandlerAuditDetails(t *testing.T) {
	h := newHarness(t, testConfig(), &fakeStore{}).start()
	require.NoError(t, h.ext.Register(telemetryapi.Route{Method: "GET", Path: "/detailed", Role: telemetryapi.RoleViewer,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			telemetryapi.AddAuditDetail(r.Context(), "rows", "7")
			telemetryapi.AddAuditDetail(r.Context(), "status", "999")
			telemetryapi.WriteJSON(w, http.StatusOK, map[string]string{})
		})}))
	require.Equal(t, http.StatusOK, h.do("GET", "/detailed", keyViewerA, "").status)
	recs := h.store.waitRecords(t, 1, func(r auditRecord) bool { return r.Details["route"] == telemetryapi.BasePath+"/detailed" })
	assert.Equal(t, "7", recs[0].Details["rows"])
	assert.Equal(t, "200", recs[0].Details["status"], "the extension's status wins")
	telemetryapi.AddAuditDetail(t.Context(), "x", "y") // outside a request: no-op, no panic
}
