package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fleetPropagationBound bounds the wait for a change made through one gateway to be in effect on
// every gateway. The stated bound is telemetry_api admin::refresh_interval (1 s) plus one storage
// query; the refresh query shares the one engine of the whole e2e package, which runs one statement
// at a time, so on a loaded CI machine it can wait seconds (see convergeWithin). The test proves
// the periodic refresh carries the change — the full reload comes after 10 minutes — and logs the
// time taken.
const fleetPropagationBound = convergeWithin

// TestAdminKeysAcrossFleet: a key created by API on one gateway works on every gateway of the
// loopback fleet through the refresh, is rotated and revoked through others, and the revoked secret
// is refused on every gateway through the refresh; the audit trail has every change, never a secret.
func TestAdminKeysAcrossFleet(t *testing.T) {
	// The polls below present keys not yet (or no longer) valid: lift the failed-attempt limit so
	// they are answered 401, not 429.
	// pii_redaction at balanced, so a tenant's switch to strict is visible in what is stored.
	f := startFleet(t, 3, []string{"--set=extensions::telemetry_api::auth::failed_attempts::max_failures=100000",
		"--set=processors::pii_redaction::mode=balanced"})
	gw := f.gateways

	status, body := gw[0].apiCall(t, http.MethodPost, "/admin/keys", testAPIKey, map[string]any{"id": "reporting", "roles": []string{"viewer"}})
	require.Equal(t, http.StatusCreated, status, body)
	secret, _ := body["key"].(string)
	require.NotEmpty(t, secret)

	allAnswer := func(key string, want int) time.Duration {
		t.Helper()
		start := time.Now()
		for _, g := range gw {
			for {
				st, _ := g.apiCall(t, http.MethodGet, "/admin/keys", key, nil)
				if st == want || st == http.StatusForbidden && want == http.StatusOK {
					break // viewer: authenticated, only not an admin
				}
				require.Less(t, time.Since(start), fleetPropagationBound, "gateway %s still answers %d for the key", g.api, st)
				time.Sleep(50 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	took := allAnswer(secret, http.StatusOK)
	t.Logf("created key accepted on all %d gateways after %s", len(gw), took)
	st, _ := gw[2].apiCall(t, http.MethodGet, "/consent/status?user_id=u1", secret, nil)
	assert.NotEqual(t, http.StatusUnauthorized, st)

	// Listed on another gateway without the secret.
	status, body = gw[1].apiCall(t, http.MethodGet, "/admin/keys", testAPIKey, nil)
	require.Equal(t, http.StatusOK, status)
	keys, _ := body["keys"].([]any)
	var found bool
	for _, k := range keys {
		m := k.(map[string]any)
		assert.Nil(t, m["key"], "never a secret in the list")
		if m["id"] == "reporting" {
			found = true
			assert.Equal(t, "api", m["source"])
		}
	}
	require.True(t, found, body)

	// Rotated on gateway 2 without overlap: the old secret is refused everywhere, the new works.
	status, body = gw[1].apiCall(t, http.MethodPost, "/admin/keys/reporting/rotate", testAPIKey, nil)
	require.Equal(t, http.StatusOK, status, body)
	rotated, _ := body["key"].(string)
	require.NotEmpty(t, rotated)
	allAnswer(secret, http.StatusUnauthorized)
	allAnswer(rotated, http.StatusOK)

	// Revoked on gateway 3: refused on every gateway within the bound.
	status, _ = gw[2].apiCall(t, http.MethodDelete, "/admin/keys/reporting", testAPIKey, nil)
	require.Equal(t, http.StatusNoContent, status)
	took = allAnswer(rotated, http.StatusUnauthorized)
	t.Logf("revoked key refused on all %d gateways after %s (bound %s)", len(gw), took, fleetPropagationBound)

	// A tenant's privacy policy set through gateway 1 is in effect on every gateway within the
	// bound (each serves the new version, which is what its pii_redaction reads).
	status, hdr, body := gw[0].apiRequest(t, http.MethodPut, "/privacy/policy?tenant=eu", testAPIKey, map[string]any{"mode": "strict"}, nil)
	require.Equal(t, http.StatusOK, status, body)
	etag := hdr.Get("ETag")
	start := time.Now()
	for _, g := range gw {
		for {
			_, h, _ := g.apiRequest(t, http.MethodGet, "/privacy/policy?tenant=eu", testAPIKey, nil, nil)
			if h.Get("ETag") == etag {
				break
			}
			require.Less(t, time.Since(start), fleetPropagationBound, "gateway %s still serves policy %s", g.api, h.Get("ETag"))
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Logf("policy version in effect on all %d gateways after %s", len(gw), time.Since(start))
	// ... and applied there: eu's log sent to gateway 3 is stored under strict, default's under
	// the YAML's balanced.
	euIngest := gw[0].createKey(t, "eu", "eu-ingest", "ingest")
	allAnswer(euIngest, http.StatusOK)
	postLogsWithKey(t, gw[2].otlpHTTP, euIngest, noteLogs("fleet-policy", "mail alice.smith@example.com"))
	postLogsWithKey(t, gw[2].otlpHTTP, testAPIKey, noteLogs("fleet-policy", "mail alice.smith@example.com"))
	assert.Equal(t, "mail [REDACTED:email]", storedNote(t, gw[2], "eu", "fleet-policy"))
	defNote := storedNote(t, gw[2], "default", "fleet-policy")
	assert.NotContains(t, defNote, "alice.smith@example.com")
	assert.NotContains(t, defNote, "[REDACTED:email]")

	// The audit trail has the three changes with before/after, never the secrets.
	conn := gw[0].db()
	for _, action := range []string{"POST /admin/keys", "POST /admin/keys/{id}/rotate", "DELETE /admin/keys/{id}"} {
		eventuallyCount(t, conn, 1, "SELECT count() FROM "+gw[0].database+".telemetry_audit WHERE action = ? AND outcome = 'success' AND details['object'] = 'api_key/reporting' AND details['after'] != ''", action)
	}
	for _, q := range []string{
		"SELECT count() FROM " + gw[0].database + ".telemetry_audit WHERE position(toString(details), ?) > 0 OR position(toString(details), ?) > 0",
		"SELECT count() FROM " + gw[0].database + ".telemetry_admin_state WHERE position(body, ?) > 0 OR position(body, ?) > 0",
	} {
		var n uint64
		require.NoError(t, conn.QueryRow(t.Context(), q, secret, rotated).Scan(&n))
		assert.Zero(t, n, "a secret is stored: %s", q)
	}
	var stored uint64
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT count() FROM "+gw[0].database+".telemetry_admin_state WHERE kind = 'api_key' AND id = 'reporting'").Scan(&stored))
	assert.Equal(t, uint64(3), stored, "created, rotated, revoked: three versions")
}
