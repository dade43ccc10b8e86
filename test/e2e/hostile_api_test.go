package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Keys of testdata/hostile-api.yaml.
const (
	hostileAcmeAdmin    = "e2e-hostile-acme-admin-0001"
	hostileAcmeOperator = "e2e-hostile-acme-operator-01"
	hostileAcmeIngest   = "e2e-hostile-acme-ingest-0001"
)

func startHostileCollector(t *testing.T, env map[string]string, args ...string) *collector {
	t.Helper()
	return startCollector(t, collectorOptions{
		env:  env,
		args: append([]string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/hostile-api.yaml")}, args...),
	})
}

// TestHostileAdminIsTenantScoped (issue #20 item 7): an admin key of tenant acme acts on acme
// only. Naming the default tenant (consent, data-subject export, metrics export, ingest, audit) or
// all tenants answers the same 404 as a missing route, and nothing is stored under default. The
// operator role — the bootstrap key's, or a key given it explicitly — crosses tenants by name.
func TestHostileAdminIsTenantScoped(t *testing.T) {
	c := startHostileCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"})
	conn := c.db()

	// The default tenant has a data subject with consent and an event.
	c.grantConsent(t, testAPIKey, "u-default", map[string]bool{"analytics": true})
	status, body := c.apiCall(t, http.MethodPost, "/events", testAPIKey, map[string]any{"event_name": "default_event", "user_id": "u-default"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'default' AND event_name = 'default_event'")

	status, notFound := c.apiCall(t, http.MethodGet, "/no/such/route", hostileAcmeAdmin, nil)
	require.Equal(t, http.StatusNotFound, status)

	crossTenant := []struct{ method, path string }{
		{http.MethodGet, "/consent/status?tenant=default&user_id=u-default"},
		{http.MethodGet, "/data/u-default/export?tenant=default"},
		{http.MethodDelete, "/data/u-default?tenant=default"},
		{http.MethodGet, "/metrics?tenant=default&metric_names=api_requests"},
		{http.MethodGet, "/metrics/export?tenant=default&metric_names=api_requests&format=csv"},
		{http.MethodGet, "/dashboard/reports?tenant=default&format=json"},
		{http.MethodGet, "/audit?tenant=default"},
		{http.MethodGet, "/audit?tenant=*"},
	}
	for _, r := range crossTenant {
		status, body := c.apiCall(t, r.method, r.path, hostileAcmeAdmin, nil)
		assert.Equal(t, http.StatusNotFound, status, "admin of acme: %s %s: %v", r.method, r.path, body)
		assert.Equal(t, notFound, body, "indistinguishable from a missing route: %s %s", r.method, r.path)
	}
	// Ingest under another tenant: refused, and nothing of it reaches the default tenant.
	status, body = c.apiCall(t, http.MethodPost, "/events?tenant=default", hostileAcmeAdmin, map[string]any{"event_name": "smuggled", "user_id": "u-x"})
	assert.Equal(t, http.StatusNotFound, status, "%v", body)
	// The collector-wide self-metrics sum every tenant: the operator's, not a tenant admin's.
	status, body = c.apiCall(t, http.MethodGet, "/dashboard/self-metrics", hostileAcmeAdmin, nil)
	assert.Equal(t, http.StatusForbidden, status, "%v", body)

	// Within acme the admin may do everything: consent, export, audit, ingest.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?user_id=u-acme", hostileAcmeAdmin, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	require.Eventually(t, func() bool {
		status, _ := c.apiCall(t, http.MethodGet, "/audit?tenant=acme", hostileAcmeAdmin, nil)
		return status == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "the admin reads its own tenant's audit trail")
	status, body = c.apiCall(t, http.MethodPost, "/events", hostileAcmeAdmin, map[string]any{"event_name": "acme_admin_event", "user_id": "u-acme"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)

	// The operator key of acme names the default tenant and gets its data.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?tenant=default&user_id=u-default", hostileAcmeOperator, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Contains(t, body["purposes"], "analytics", "%v", body)
	tenants := map[string]bool{}
	require.Eventually(t, func() bool {
		status, body := c.apiCall(t, http.MethodGet, "/audit?tenant=*&limit=1000", hostileAcmeOperator, nil)
		require.Equal(t, http.StatusOK, status, "%v", body)
		for _, r := range body["records"].([]any) {
			tenants[r.(map[string]any)["tenant"].(string)] = true
		}
		return tenants["default"] && tenants["acme"]
	}, 30*time.Second, 200*time.Millisecond, "the all-tenant audit spans tenants")
	status, body = c.apiCall(t, http.MethodPost, "/events?tenant=default", hostileAcmeOperator, map[string]any{"event_name": "operator_event", "user_id": "u-default"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)
	status, body = c.apiCall(t, http.MethodGet, "/dashboard/self-metrics", hostileAcmeOperator, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	// The bootstrap key is an operator too.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?tenant=acme&user_id=u-acme", testAPIKey, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)

	// What each stored: the admin's under acme, the operator's under the tenant it named, nothing
	// smuggled.
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'acme' AND event_name = 'acme_admin_event'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'default' AND event_name = 'operator_event'")
	var smuggled uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE event_name = 'smuggled'").Scan(&smuggled))
	assert.Zero(t, smuggled)
	var wrongTenant uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE tenant_id != 'acme' AND event_name = 'acme_admin_event'").Scan(&wrongTenant))
	assert.Zero(t, wrongTenant)
}
