package consentextension

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// serve runs a route the way the telemetry API extension does: principal and tenant in the
// context, TargetUser before the handler on the same request.
func serve(t *testing.T, s *Store, method, target, body, tenant string) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var route telemetryapi.Route
	for _, r := range s.routes() {
		if r.Method == method && strings.HasPrefix(target, r.Path) {
			route = r
		}
	}
	require.NotNil(t, route.Handler, "no route for %s %s", method, target)
	assert.Equal(t, telemetryapi.RolePrivacy, route.Role)
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	ctx := telemetryapi.WithPrincipal(req.Context(), telemetryapi.Principal{KeyID: "key-1", TenantID: tenant, Roles: []telemetryapi.Role{telemetryapi.RolePrivacy}})
	req = req.WithContext(telemetryapi.WithTenant(ctx, tenant))
	target = route.TargetUser(req)
	rec := httptest.NewRecorder()
	route.Handler.ServeHTTP(rec, req)
	return rec, target
}

func TestUpdateAndStatus(t *testing.T) {
	b := &fakeBackend{}
	s, _ := testStore(t, b, func(c *Config) { c.Mode = ModeStrict })
	rec, target := serve(t, s, "POST", "/consent/update",
		`{"user_id":"u-1","purposes":{"analytics":true,"performance":false},"source":"cookie-banner","policy_version":"2026-01"}`, "t1")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "u-1", target, "audit names the data subject")
	assert.JSONEq(t, `{"tenant":"t1","user_id":"u-1","default_policy":"opt_in","purposes":{
		"analytics":{"consented":true,"status":"granted","default_applies":false,"updated_at":"2026-03-01T12:00:00Z","source":"cookie-banner","policy_version":"2026-01"},
		"performance":{"consented":false,"status":"denied","default_applies":false,"updated_at":"2026-03-01T12:00:00Z","source":"cookie-banner","policy_version":"2026-01"},
		"diagnostics":{"consented":false,"status":"none","default_applies":true}}}`, rec.Body.String())
	require.Len(t, b.history, 2)
	assert.Equal(t, "key-1", b.history[0].actor)
	assert.Equal(t, "t1", b.history[0].tenant, "tenant from the key")

	rec, target = serve(t, s, "GET", "/consent/status?user_id=u-1", "", "t1")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "u-1", target)
	var got UserConsent
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.True(t, got.Purposes["analytics"].Consented)

	// Another tenant's key sees nothing of t1.
	rec, _ = serve(t, s, "GET", "/consent/status?user_id=u-1", "", "t2")
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, "t2", got.Tenant)
	assert.Equal(t, PurposeState{Status: "none", DefaultApplies: true}, got.Purposes["analytics"])

	// Source defaults to "api".
	rec, _ = serve(t, s, "POST", "/consent/update", `{"user_id":"u-2","purposes":{"diagnostics":true}}`, "t1")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "api", s.Get("t1", "u-2").Purposes["diagnostics"].Source)
}

func TestUpdateValidation(t *testing.T) {
	s, _ := testStore(t, &fakeBackend{})
	f := func(body string, status int, code, field string) {
		t.Helper()
		rec, _ := serve(t, s, "POST", "/consent/update", body, "t1")
		assert.Equal(t, status, rec.Code, body)
		var e telemetryapi.ErrorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
		assert.Equal(t, code, e.Error.Code, body)
		assert.Equal(t, field, e.Error.Field, body)
		assert.NotEmpty(t, e.Error.Message)
	}
	f(`{"purposes":{"analytics":true}}`, 400, "invalid_field", "user_id")
	f(`{"user_id":"","purposes":{"analytics":true}}`, 400, "invalid_field", "user_id")
	f(`{"user_id":7,"purposes":{"analytics":true}}`, 400, "invalid_field", "user_id")
	f(`{"user_id":"`+strings.Repeat("x", 257)+`","purposes":{"analytics":true}}`, 400, "invalid_field", "user_id")
	f(`{"user_id":"a\nb","purposes":{"analytics":true}}`, 400, "invalid_field", "user_id")
	f(`{"user_id":"u"}`, 400, "invalid_field", "purposes")
	f(`{"user_id":"u","purposes":{}}`, 400, "invalid_field", "purposes")
	f(`{"user_id":"u","purposes":[true]}`, 400, "invalid_field", "purposes")
	f(`{"user_id":"u","purposes":{"analytics":"yes"}}`, 400, "invalid_field", "purposes.analytics")
	f(`{"user_id":"u","purposes":{"marketing":true}}`, 400, "invalid_field", "purposes.marketing")
	f(`{"user_id":"u","purposes":{"analytics":true},"source":""}`, 400, "invalid_field", "source")
	f(`{"user_id":"u","purposes":{"analytics":true},"policy_version":`+`"`+strings.Repeat("v", 65)+`"}`, 400, "invalid_field", "policy_version")
	f(`{"user_id":"u","purposes":{"analytics":true},"tenant_id":"t2"}`, 400, "invalid_field", "tenant_id")
	f(`[1]`, 400, "invalid_json", "")
	f(`null`, 400, "invalid_field", "")
	f(`{"user_id":"u"`, 400, "invalid_json", "")
	assert.Equal(t, 0, s.Entries(), "nothing stored from invalid requests")
}

func TestUpdateStorageErrors(t *testing.T) {
	b := &fakeBackend{writeErr: errBoom}
	s, _ := testStore(t, b, func(c *Config) { c.MaxEntries = 1 })
	rec, _ := serve(t, s, "POST", "/consent/update", `{"user_id":"u","purposes":{"analytics":true}}`, "t1")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.NotContains(t, rec.Body.String(), "boom", "no internals in answers")
	b.writeErr = nil
	rec, _ = serve(t, s, "POST", "/consent/update", `{"user_id":"u","purposes":{"analytics":true,"performance":true}}`, "t1")
	assert.Equal(t, http.StatusInsufficientStorage, rec.Code)
}

func TestStatusValidation(t *testing.T) {
	s, _ := testStore(t, &fakeBackend{})
	f := func(target, field string) {
		t.Helper()
		rec, _ := serve(t, s, "GET", target, "", "t1")
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		var e telemetryapi.ErrorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
		assert.Equal(t, field, e.Error.Field)
	}
	f("/consent/status", "user_id")
	f("/consent/status?user_id=", "user_id")
	f("/consent/status?user_id="+strings.Repeat("x", 300), "user_id")
}

func TestPeekUserIDKeepsBody(t *testing.T) {
	req := httptest.NewRequest("POST", "/", strings.NewReader(`{"user_id":"u-9","purposes":{}}`))
	assert.Equal(t, "u-9", peekUserID(req))
	var v map[string]any
	require.NoError(t, json.NewDecoder(req.Body).Decode(&v))
	assert.Equal(t, "u-9", v["user_id"])
	assert.Equal(t, "", peekUserID(httptest.NewRequest("POST", "/", strings.NewReader(`not json`))))
}
