package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTenantStampingThroughCollector (issue #5): OTLP is stored under the tenant of the API key
// that sent it, whatever tenant.id the payload claims; refused keys store nothing.
func TestTenantStampingThroughCollector(t *testing.T) {
	c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"})
	conn := c.db()
	ctx := context.Background()

	// Refused first, so that once the accepted records are stored the refused ones had every
	// chance to be stored too.
	refused := []struct {
		name, key string
	}{{"no key", ""}, {"wrong key", wrongKey}, {"viewer key", acmeViewerKey}}
	for _, r := range refused {
		for _, signal := range []string{"logs", "traces"} {
			var body []byte
			if signal == "logs" {
				body = otlpLogsJSON(t, "refused", "acme", "refused "+r.name)
			} else {
				body = otlpSpansJSON(t, "refused", "acme", "refused "+r.name)
			}
			// The extension answers every refused OTLP/HTTP credential with 401 (README, "Ingest
			// authentication": a key without the ingest role is PermissionDenied on gRPC, 401 on HTTP).
			got := c.otlpPost(t, signal, r.key, body)
			assert.Equal(t, http.StatusUnauthorized, got.status, "%s on %s: %s", r.name, signal, got.body)
		}
	}

	for _, s := range []struct{ key, claimed, svc string }{
		{acmeIngestKey, "globex", "acme-app"},
		{globexIngestKey, "acme", "globex-app"},
	} {
		got := c.otlpPost(t, "logs", s.key, otlpLogsJSON(t, s.svc, s.claimed, "log of "+s.svc))
		require.Equal(t, http.StatusOK, got.status, "%s", got.body)
		got = c.otlpPost(t, "traces", s.key, otlpSpansJSON(t, s.svc, s.claimed, "span of "+s.svc))
		require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	}
	// X-API-Key is the documented alternative to Authorization.
	got := send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", "",
		map[string]string{"Content-Type": "application/json", "X-API-Key": acmeIngestKey},
		otlpLogsJSON(t, "acme-xapikey", "default", "log of acme-xapikey"))
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)

	eventuallyCount(t, conn, 3, "SELECT count() FROM telemetry_logs WHERE service_name IN ('acme-app', 'globex-app', 'acme-xapikey')")
	eventuallyCount(t, conn, 2, "SELECT count() FROM telemetry_spans WHERE service_name IN ('acme-app', 'globex-app')")

	want := map[string]string{"acme-app": "acme", "globex-app": "globex", "acme-xapikey": "acme"}
	for _, table := range []string{"telemetry_logs", "telemetry_spans"} {
		rows, err := conn.Query(ctx, "SELECT service_name, tenant_id, resource_attributes['tenant.id'] FROM "+table+
			" WHERE service_name != 'refused'")
		require.NoError(t, err)
		n := 0
		for rows.Next() {
			var svc, tenant, resTenant string
			require.NoError(t, rows.Scan(&svc, &tenant, &resTenant))
			assert.Equal(t, want[svc], tenant, "%s: tenant_id of %s", table, svc)
			assert.Equal(t, want[svc], resTenant, "%s: the payload's tenant.id of %s is replaced", table, svc)
			n++
		}
		require.NoError(t, rows.Err())
		assert.Positive(t, n, table)
	}
	for _, table := range []string{"telemetry_logs", "telemetry_spans"} {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE service_name = 'refused'").Scan(&n))
		assert.Zero(t, n, "%s: nothing sent with a refused key is stored", table)
	}
}

// TestAPISecurityThroughCollector (issue #5): 401/403/404 with the documented JSON error body,
// tenant isolation of the consent endpoints, health without a key.
func TestAPISecurityThroughCollector(t *testing.T) {
	c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"})

	got := send(t, http.MethodGet, c.apiURL("/health/live"), "", nil, nil)
	assert.Equal(t, http.StatusOK, got.status, "live without a key: %s", got.body)
	// Ready waits for telemetry_audit, which the exporter's migration creates after the collector
	// reports healthy; until then the documented 503 body.
	deadline := time.Now().Add(storeWithin)
	for {
		got = send(t, http.MethodGet, c.apiURL("/health/ready"), "", nil, nil)
		if got.status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		requireAPIError(t, got, http.StatusServiceUnavailable, "not_ready")
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, http.StatusOK, got.status, "ready without a key: %s", got.body)

	status := "/consent/status?user_id=acme-user-1"
	t.Run("unauthenticated", func(t *testing.T) {
		for _, path := range []string{status, "/audit", "/no-such-route"} {
			for _, key := range []string{"", wrongKey} {
				got := send(t, http.MethodGet, c.apiURL(path), key, nil, nil)
				requireAPIError(t, got, http.StatusUnauthorized, "unauthenticated")
				assert.True(t, strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Bearer"), "%s: WWW-Authenticate %q", path, got.header.Get("WWW-Authenticate"))
			}
		}
		got := send(t, http.MethodGet, c.apiURL(status), "", map[string]string{"X-API-Key": wrongKey}, nil)
		requireAPIError(t, got, http.StatusUnauthorized, "unauthenticated")
	})

	t.Run("wrong role", func(t *testing.T) {
		for _, r := range []struct{ method, path, key string }{
			{http.MethodGet, status, acmeViewerKey},
			{http.MethodGet, status, acmeIngestKey},
			{http.MethodGet, "/audit", acmePrivacyKey},
			{http.MethodGet, "/audit", acmeIngestKey},
			{http.MethodPost, "/events", acmePrivacyKey},
			{http.MethodPost, "/events", acmeViewerKey},
		} {
			got := send(t, r.method, c.apiURL(r.path), r.key, jsonHeader, []byte(`{"event_name":"x"}`))
			requireAPIError(t, got, http.StatusForbidden, "forbidden")
		}
	})

	// acme's privacy officer records a consent; globex's sees only its own tenant.
	c.grantConsent(t, acmePrivacyKey, "acme-user-1", map[string]bool{"analytics": true})
	t.Run("own tenant only", func(t *testing.T) {
		code, body := c.apiCall(t, http.MethodGet, status, acmePrivacyKey, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		assert.Equal(t, "acme", body["tenant"])
		assert.Equal(t, "granted", purpose(t, body, "analytics")["status"])

		// Same user id from globex: globex's (empty) view under strict opt-in, not acme's record.
		code, body = c.apiCall(t, http.MethodGet, status, globexPrivacyKey, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		assert.Equal(t, "globex", body["tenant"])
		assert.Equal(t, "none", purpose(t, body, "analytics")["status"])
		assert.Equal(t, false, purpose(t, body, "analytics")["consented"])
		assert.Equal(t, true, purpose(t, body, "analytics")["default_applies"])

		// Naming acme explicitly: 404, byte for byte the answer of a route that does not exist.
		cross := send(t, http.MethodGet, c.apiURL(status+"&tenant=acme"), globexPrivacyKey, nil, nil)
		requireAPIError(t, cross, http.StatusNotFound, "not_found")
		missing := send(t, http.MethodGet, c.apiURL("/no-such-route"), globexPrivacyKey, nil, nil)
		requireAPIError(t, missing, http.StatusNotFound, "not_found")
		assert.JSONEq(t, string(missing.body), string(cross.body), "a cross-tenant 404 reveals nothing")
		cross = send(t, http.MethodPost, c.apiURL("/consent/update?tenant=acme"), globexPrivacyKey, jsonHeader,
			[]byte(`{"user_id":"acme-user-1","purposes":{"analytics":false}}`))
		requireAPIError(t, cross, http.StatusNotFound, "not_found")
		cross = send(t, http.MethodGet, c.apiURL(status+"&tenant=*"), acmePrivacyKey, nil, nil)
		requireAPIError(t, cross, http.StatusNotFound, "not_found")

		// The payload cannot choose the tenant either.
		code, body = c.apiCall(t, http.MethodPost, "/consent/update", globexPrivacyKey,
			map[string]any{"user_id": "acme-user-1", "purposes": map[string]bool{"analytics": false}, "tenant_id": "acme"})
		assert.Equal(t, http.StatusBadRequest, code, "%v", body)

		// Only the admin crosses tenants, and only when it names one.
		code, body = c.apiCall(t, http.MethodGet, status+"&tenant=acme", testAPIKey, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		assert.Equal(t, "acme", body["tenant"])
		assert.Equal(t, "granted", purpose(t, body, "analytics")["status"], "acme's record is unchanged")
		code, body = c.apiCall(t, http.MethodGet, status, testAPIKey, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		assert.Equal(t, "default", body["tenant"], "no implicit cross-tenant access for the admin")
	})

	t.Run("method not allowed", func(t *testing.T) {
		got := send(t, http.MethodDelete, c.apiURL(status), testAPIKey, nil, nil)
		requireAPIError(t, got, http.StatusMethodNotAllowed, "method_not_allowed")
		assert.NotEmpty(t, got.header.Get("Allow"))
	})
}

func purpose(t *testing.T, body map[string]any, name string) map[string]any {
	t.Helper()
	purposes, ok := body["purposes"].(map[string]any)
	require.True(t, ok, "purposes in %v", body)
	p, ok := purposes[name].(map[string]any)
	require.True(t, ok, "purpose %s in %v", name, body)
	return p
}

// auditRow is one telemetry_audit row as the tests read it.
type auditRow struct {
	Tenant, Actor, ActorType, Action, TargetType, TargetID, Outcome, RequestID string
	Details                                                                    map[string]string
}

func auditRows(t *testing.T, c *collector, where string, args ...any) []auditRow {
	t.Helper()
	rows, err := c.db().Query(context.Background(), `SELECT tenant_id, actor, actor_type, action, target_type,
		target_id, toString(outcome), request_id, details FROM telemetry_audit WHERE `+where+` ORDER BY timestamp`, args...)
	require.NoError(t, err)
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		require.NoError(t, rows.Scan(&r.Tenant, &r.Actor, &r.ActorType, &r.Action, &r.TargetType, &r.TargetID, &r.Outcome, &r.RequestID, &r.Details))
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestAuditTrailThroughCollector (issue #5): API calls, refused ingest keys and the collector start
// are rows of telemetry_audit and lines of the collector log, with key ids and never a key; the
// admin pages through them with GET /audit.
func TestAuditTrailThroughCollector(t *testing.T) {
	c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"})
	conn := c.db()

	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_audit WHERE action = 'collector.start'")
	start := auditRows(t, c, "action = 'collector.start'")
	require.Len(t, start, 1, "one start, one row")
	assert.Equal(t, auditRow{Tenant: "default", Actor: "collector", ActorType: "system", Action: "collector.start",
		Outcome: "success", RequestID: start[0].RequestID, Details: start[0].Details}, start[0])
	assert.Regexp(t, "^[0-9a-f]{64}$", start[0].Details["config_sha256"])

	calls := []struct {
		key, path string
		status    int
	}{
		{acmePrivacyKey, "/consent/status?user_id=audited-user", http.StatusOK},
		{acmeViewerKey, "/consent/status?user_id=audited-user", http.StatusForbidden},
		{wrongKey, "/consent/status?user_id=audited-user", http.StatusUnauthorized},
		{globexPrivacyKey, "/consent/status?user_id=audited-user&tenant=acme", http.StatusNotFound},
		{testAPIKey, "/consent/status?user_id=audited-user&tenant=globex", http.StatusOK},
	}
	for _, call := range calls {
		got := send(t, http.MethodGet, c.apiURL(call.path), call.key, nil, nil)
		require.Equal(t, call.status, got.status, "%s: %s", call.path, got.body)
		assert.NotEmpty(t, got.header.Get("X-Request-Id"), "the request id is the audit row's")
	}
	// A refused ingest key is audited too (accepted ingest is the data itself).
	require.Equal(t, http.StatusUnauthorized, c.otlpPost(t, "logs", acmeViewerKey, otlpLogsJSON(t, "svc", "acme", "x")).status)

	eventuallyCount(t, conn, 6, "SELECT count() FROM telemetry_audit WHERE action IN ('GET /consent/status', 'ingest.authenticate')")
	byActor := map[string]auditRow{}
	for _, r := range auditRows(t, c, "action IN ('GET /consent/status', 'ingest.authenticate')") {
		byActor[r.Actor+" "+r.Action] = r
	}
	check := func(key, tenant, actorType, outcome, status string, target bool) {
		t.Helper()
		r, ok := byActor[key]
		require.True(t, ok, "no audit row %q in %v", key, byActor)
		assert.Equal(t, tenant, r.Tenant, key)
		assert.Equal(t, actorType, r.ActorType, key)
		assert.Equal(t, outcome, r.Outcome, key)
		assert.Equal(t, status, r.Details["status"], key)
		assert.Equal(t, "127.0.0.1", r.Details["client_address"], key)
		if target {
			assert.Equal(t, "user", r.TargetType, key)
			assert.Equal(t, "audited-user", r.TargetID, key)
		}
	}
	check("acme-privacy GET /consent/status", "acme", "api_key", "success", "200", true)
	check("acme-viewer GET /consent/status", "acme", "api_key", "denied", "403", false)
	check(" GET /consent/status", "", "unauthenticated", "denied", "401", false)
	check("globex-privacy GET /consent/status", "globex", "api_key", "denied", "404", false)
	check("bootstrap GET /consent/status", "globex", "api_key", "success", "200", true)
	assert.Equal(t, "acme", byActor["globex-privacy GET /consent/status"].Details["requested_tenant"])
	r := byActor["acme-viewer ingest.authenticate"]
	assert.Equal(t, []string{"acme", "denied", "forbidden"}, []string{r.Tenant, r.Outcome, r.Details["error"]})

	// Paging: everything up to a marker call, through GET /audit across all tenants, three per
	// page, is exactly what the table holds, newest first, each row once.
	marker := send(t, http.MethodGet, c.apiURL("/consent/status?user_id=marker"), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, marker.status)
	to := time.Now().UTC().Add(time.Millisecond)
	// One queue, flushed in order: once the marker is stored, so is everything before it.
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_audit WHERE target_id = 'marker'")
	var want []string
	for _, r := range auditRows(t, c, "timestamp < fromUnixTimestamp64Milli(?)", to.UnixMilli()) {
		want = append(want, r.RequestID)
	}
	require.GreaterOrEqual(t, len(want), 8)

	var paged []string
	var lastTime time.Time
	cursor := ""
	q := url.Values{"tenant": {"*"}, "limit": {"3"}, "to": {to.Format(time.RFC3339Nano)}}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 20, "paging does not end")
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		got := send(t, http.MethodGet, c.apiURL("/audit?"+q.Encode()), testAPIKey, nil, nil)
		require.Equal(t, http.StatusOK, got.status, "%s", got.body)
		var page struct {
			Records []struct {
				Time      time.Time `json:"time"`
				RequestID string    `json:"request_id"`
				KeyID     string    `json:"key_id"`
			} `json:"records"`
			NextCursor string `json:"next_cursor"`
		}
		require.NoError(t, json.Unmarshal(got.body, &page))
		require.LessOrEqual(t, len(page.Records), 3)
		for _, rec := range page.Records {
			if !lastTime.IsZero() {
				assert.False(t, rec.Time.After(lastTime), "newest first")
			}
			lastTime = rec.Time
			paged = append(paged, rec.RequestID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	assert.ElementsMatch(t, want, paged, "every row exactly once")

	// Filters: one key id, and the admin's own tenant by default.
	got := send(t, http.MethodGet, c.apiURL("/audit?key_id=acme-viewer&tenant=acme"), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	assert.Equal(t, 2, strings.Count(string(got.body), `"key_id":"acme-viewer"`), "its API call and its ingest attempt: %s", got.body)
	got = send(t, http.MethodGet, c.apiURL("/audit"), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	assert.Contains(t, string(got.body), `"action":"collector.start"`)
	assert.NotContains(t, string(got.body), `"tenant":"acme"`, "own tenant by default")

	// Never a key: not in the table, not in any GET /audit answer, not in the log.
	got = send(t, http.MethodGet, c.apiURL("/audit?tenant=*&limit=1000"), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	table := dumpTable(t, c.database, "telemetry_audit")
	logs := c.logs.String()
	assert.Contains(t, logs, "acme-viewer", "audit records are logged with the key id")
	for _, key := range allTestKeys {
		assert.NotContains(t, table, key, "telemetry_audit holds a key")
		assert.NotContains(t, string(got.body), key, "GET /audit shows a key")
		assert.NotContains(t, logs, key, "the collector log holds a key")
	}
}

// TestAPILimitsThroughCollector (issue #5): an oversized body is 413, and an address that keeps
// presenting wrong keys is throttled with 429 and Retry-After — then for every key, on the API
// and on OTLP alike (default failed_attempts: 10 per minute; this collector keeps the default).
func TestAPILimitsThroughCollector(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"},
		args: []string{"--set", "extensions::telemetry_api::http::max_request_body_size=4096"},
	})
	big := []byte(`{"event_name":"big","properties":{"blob":"` + strings.Repeat("x", 8192) + `"}}`)
	requireAPIError(t, send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, jsonHeader, big),
		http.StatusRequestEntityTooLarge, "payload_too_large")

	status := c.apiURL("/consent/status?user_id=u1")
	// Missing keys guess nothing and are not counted.
	for range 12 {
		require.Equal(t, http.StatusUnauthorized, send(t, http.MethodGet, status, "", nil, nil).status)
	}
	// The 10th wrong key in the window is the one answered 429.
	for i := range 9 {
		got := send(t, http.MethodGet, status, wrongKey, nil, nil)
		require.Equal(t, http.StatusUnauthorized, got.status, "wrong key #%d: %s", i+1, got.body)
	}
	got := send(t, http.MethodGet, status, wrongKey, nil, nil)
	requireAPIError(t, got, http.StatusTooManyRequests, "too_many_requests")
	assert.NotEmpty(t, got.header.Get("Retry-After"))
	// A brute force cannot tell when it found the key: the right one is throttled too.
	requireAPIError(t, send(t, http.MethodGet, status, testAPIKey, nil, nil), http.StatusTooManyRequests, "too_many_requests")
	assert.Equal(t, http.StatusUnauthorized, c.otlpPost(t, "logs", testAPIKey, otlpLogsJSON(t, "svc", "default", "x")).status,
		"throttled OTLP/HTTP is 401 (ResourceExhausted on gRPC)")
	// Health stays reachable for probes.
	assert.Equal(t, http.StatusOK, send(t, http.MethodGet, c.apiURL("/health/live"), "", nil, nil).status)
}
