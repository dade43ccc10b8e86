package telemetryapiextension

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// matrixRoute is one row of the README's role × endpoint matrix, written out by hand (not derived
// from Principal.Has) so the test fails if the code and the documented matrix disagree.
type matrixRoute struct {
	method, path string
	role         telemetryapi.Role   // what the route registers
	allowed      []telemetryapi.Role // who the README says may call it
}

var (
	ingestOK   = []telemetryapi.Role{"ingest", "admin", "operator"}
	viewerOK   = []telemetryapi.Role{"viewer", "analyst", "admin", "operator"}
	analystOK  = []telemetryapi.Role{"analyst", "admin", "operator"}
	privacyOK  = []telemetryapi.Role{"privacy", "admin", "operator"}
	adminOK    = []telemetryapi.Role{"admin", "operator"}
	operatorOK = []telemetryapi.Role{"operator"}
)

var matrixRoutes = []matrixRoute{
	{"POST", "/events", telemetryapi.RoleIngest, ingestOK},
	{"POST", "/events/batch", telemetryapi.RoleIngest, ingestOK},
	{"GET", "/metrics", telemetryapi.RoleViewer, viewerOK},
	{"GET", "/metrics/aggregate", telemetryapi.RoleViewer, viewerOK},
	{"GET", "/dashboard/session", telemetryapi.RoleViewer, viewerOK},
	{"GET", "/metrics/export", telemetryapi.RoleAnalyst, analystOK},
	{"GET", "/dashboard/reports", telemetryapi.RoleAnalyst, analystOK},
	{"GET", "/consent/status", telemetryapi.RolePrivacy, privacyOK},
	{"POST", "/consent/update", telemetryapi.RolePrivacy, privacyOK},
	{"DELETE", "/data/{user_id}", telemetryapi.RolePrivacy, privacyOK},
	{"GET", "/data/{user_id}/export", telemetryapi.RolePrivacy, privacyOK},
	{"GET", "/dashboard/self-metrics", telemetryapi.RoleOperator, operatorOK}, // collector-wide
	{"GET", "/audit", telemetryapi.RoleAdmin, adminOK},                        // the extension's own route
}

// TestRoleTenantMatrix walks every route × every caller × own/other/all tenants. Callers are all
// of tenant-a but the bootstrap key (tenant default); tenant-b exists (its viewer key and its data
// subject u-b). Only the operator role crosses tenants: tenant-a's admin gets the same 404 for
// tenant-b as a viewer does.
func TestRoleTenantMatrix(t *testing.T) {
	cfg := testConfig()
	cfg.Auth.FailedAttempts.MaxFailures = 1000 // the wrong-key caller must not throttle the others
	h := newHarness(t, cfg, &fakeStore{}).start()
	for _, mr := range matrixRoutes {
		if mr.path != "/audit" {
			require.NoError(t, h.ext.Register(echoRoute(mr.method, mr.path, mr.role)))
		}
	}
	require.Eventually(t, h.ext.auditor.ready.Load, 5e9, 1e6)

	callers := []struct {
		name string
		key  string
		role telemetryapi.Role // "" for no or a wrong key
	}{
		{"no key", "", ""},
		{"wrong key", wrongKey, ""},
		{"ingest", keyIngestA, "ingest"},
		{"viewer", keyViewerA, "viewer"},
		{"analyst", keyAnalystA, "analyst"},
		{"privacy", keyPrivacyA, "privacy"},
		{"admin", keyAdminA, "admin"},
		{"operator", keyOperatorA, "operator"},
		{"bootstrap", bootstrapKey, "operator"},
	}
	// Scenarios: own tenant; another tenant named explicitly; another tenant's data subject
	// without naming the tenant (routes with {user_id} only).
	type scenario struct {
		name, user, query    string
		other, explicit, all bool
	}
	scenarios := []scenario{
		{name: "own", user: "u-a"},
		{name: "other explicit", user: "u-b", query: "?tenant=tenant-b", other: true, explicit: true},
		{name: "other implicit", user: "u-b", other: true},
		{name: "all tenants", user: "u-b", query: "?tenant=*", other: true, explicit: true, all: true},
	}

	notFound := h.do("GET", "/no/such/route", keyAdminA, "")
	require.Equal(t, http.StatusNotFound, notFound.status)

	calls := 0
	for _, mr := range matrixRoutes {
		for _, c := range callers {
			for _, sc := range scenarios {
				hasUser := strings.Contains(mr.path, "{user_id}")
				if sc.name == "other implicit" && !hasUser {
					continue
				}
				user := sc.user
				if c.name == "bootstrap" && sc.name == "own" {
					user = "u-default"
				}
				path := strings.Replace(mr.path, "{user_id}", user, 1) + sc.query
				body := ""
				if mr.method == "POST" {
					body = `{"tenant_id":"tenant-b"}`
				}
				want := http.StatusOK
				switch {
				case c.role == "":
					want = http.StatusUnauthorized
				case !slices.Contains(mr.allowed, c.role):
					want = http.StatusForbidden
				case sc.other && !(c.role == "operator" && sc.explicit):
					want = http.StatusNotFound
				case sc.all && mr.path != "/audit": // the one route with Route.AllTenants
					want = http.StatusBadRequest
				}
				own := "tenant-a"
				if c.name == "bootstrap" {
					own = telemetryapi.DefaultTenant
				}
				name := mr.method + " " + mr.path + " / " + c.name + " / " + sc.name
				got := h.do(mr.method, path, c.key, body)
				calls++
				if !assert.Equal(t, want, got.status, "%s: %s", name, got.body) {
					continue
				}
				switch want {
				case http.StatusNotFound:
					// Another tenant's resource is indistinguishable from a missing route.
					assert.JSONEq(t, notFound.body, got.body, name)
				case http.StatusOK:
					wantTenant := own
					if sc.explicit {
						wantTenant = "tenant-b"
					}
					if mr.path == "/audit" {
						assert.Contains(t, got.body, `"records"`, name)
						continue
					}
					var echo map[string]string
					require.NoError(t, json.Unmarshal([]byte(got.body), &echo), name)
					assert.Equal(t, wantTenant, echo["tenant"], name)
				}
			}
		}
	}
	t.Logf("%d calls", calls)

	// Every call is in the audit trail (plus the 404 probe), with its route and outcome.
	recs := h.store.waitRecords(t, calls+1, func(r auditRecord) bool { return r.Action != "" })
	byOutcome := map[string]int{}
	for _, r := range recs {
		byOutcome[r.Outcome]++
	}
	assert.Positive(t, byOutcome[outcomeSuccess])
	assert.Positive(t, byOutcome[outcomeDenied])
}
