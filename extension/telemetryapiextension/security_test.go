package telemetryapiextension

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestUnauthenticated(t *testing.T) {
	h := newHarness(t, testConfig(), nil).start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	f := func(name string, want int, headers ...string) {
		t.Helper()
		got := h.do("GET", "/metrics", "", "", headers...)
		assert.Equal(t, want, got.status, "%s: %s", name, got.body)
		if want == http.StatusUnauthorized {
			assert.Equal(t, `Bearer realm="telemetry"`, got.header.Get("WWW-Authenticate"), name)
			assert.Contains(t, got.body, `"code":"unauthenticated"`, name)
			assert.Equal(t, "application/json", got.header.Get("Content-Type"), name)
		}
	}
	f("no key", 401)
	f("wrong bearer", 401, "Authorization: Bearer "+wrongKey)
	f("empty bearer", 401, "Authorization: Bearer ")
	f("basic scheme", 401, "Authorization: Basic "+keyViewerA)
	f("key without scheme", 401, "Authorization: "+keyViewerA)
	f("wrong x-api-key", 401, "X-API-Key: "+wrongKey)
	f("key prefix", 401, "X-API-Key: "+keyViewerA[:len(keyViewerA)-1])
	f("bearer", 200, "Authorization: Bearer "+keyViewerA)
	f("bearer lower-case scheme", 200, "Authorization: bearer "+keyViewerA)
	f("x-api-key", 200, "X-API-Key: "+keyViewerA)
	f("basic in front of x-api-key", 200, "Authorization: Basic dXNlcjpwdw==", "X-API-Key: "+keyViewerA)
	// Unknown paths answer 401 too: the route table is not revealed to anonymous callers.
	got := h.do("GET", "/no/such/route", "", "")
	assert.Equal(t, http.StatusUnauthorized, got.status)
	// Health needs no key.
	assert.Equal(t, http.StatusOK, h.do("GET", "/health/live", "", "").status)
	assert.Equal(t, http.StatusOK, h.do("GET", "/health/ready", "", "").status)
}

func TestKeySHA256(t *testing.T) {
	cfg := testConfig()
	// sha256("hashed-key-0123456789abcdef")
	d := digestOf("hashed-key-0123456789abcdef")
	cfg.Auth.APIKeys = append(cfg.Auth.APIKeys, APIKeyConfig{ID: "hashed", KeySHA256: fmt.Sprintf("%X", d[:]), Tenant: "tenant-c", Roles: []telemetryapi.Role{"viewer"}})
	h := newHarness(t, cfg, nil).start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	got := h.do("GET", "/metrics", "hashed-key-0123456789abcdef", "")
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.JSONEq(t, `{"tenant":"tenant-c","key_id":"hashed","user":""}`, got.body)
}

func TestTenantParameter(t *testing.T) {
	h := newHarness(t, testConfig(), nil).start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	f := func(key, query string, want int, wantBody string) {
		t.Helper()
		got := h.do("GET", "/metrics"+query, key, "")
		assert.Equal(t, want, got.status, "%s %s: %s", key, query, got.body)
		assert.Contains(t, got.body, wantBody, "%s %s", key, query)
	}
	f(keyViewerA, "?tenant=tenant-a", 200, `"tenant":"tenant-a"`)
	f(keyViewerA, "?tenant=tenant-b", 404, `"not_found"`)
	f(keyViewerA, "?tenant=no-such-tenant", 404, `"not_found"`)
	f(keyViewerA, "?tenant=*", 404, `"not_found"`)
	f(keyViewerB, "?tenant=tenant-a", 404, `"not_found"`)
	// An admin is the admin of its own tenant: another tenant is as invisible as to a viewer.
	f(keyAdminA, "", 200, `"tenant":"tenant-a"`)
	f(keyAdminA, "?tenant=tenant-a", 200, `"tenant":"tenant-a"`)
	f(keyAdminA, "?tenant=tenant-b", 404, `"not_found"`)
	f(keyAdminA, "?tenant=default", 404, `"not_found"`)
	f(keyAdminA, "?tenant=*", 404, `"not_found"`)
	// The operator role (given explicitly, or the bootstrap key's) crosses tenants by name only.
	f(keyOperatorA, "", 200, `"tenant":"tenant-a"`) // no implicit cross-tenant access
	f(keyOperatorA, "?tenant=tenant-b", 200, `"tenant":"tenant-b"`)
	f(bootstrapKey, "", 200, `"tenant":"default"`)
	f(bootstrapKey, "?tenant=tenant-a", 200, `"tenant":"tenant-a"`)
	f(keyOperatorA, "?tenant=*", 400, "not supported by this route")
	f(keyOperatorA, "?tenant=bad%20tenant", 400, `"invalid_tenant"`)
	f(keyOperatorA, "?tenant=tenant-b&tenant=tenant-c", 400, "once")
	// The same parameter values from a non-admin never reveal whether the tenant exists.
	a := h.do("GET", "/metrics?tenant=tenant-b", keyViewerA, "")
	b := h.do("GET", "/metrics?tenant=no-such-tenant", keyViewerA, "")
	assert.Equal(t, a.body, b.body)
	c := h.do("GET", "/metrics?tenant=tenant-b", keyAdminA, "")
	assert.Equal(t, a.body, c.body)
}

// TestPayloadTenantIgnored: a client cannot choose its tenant in the body, a header or the query.
func TestPayloadTenantIgnored(t *testing.T) {
	h := newHarness(t, testConfig(), nil).start()
	var mu sync.Mutex
	var stored []string
	require.NoError(t, h.ext.Register(telemetryapi.Route{Method: "POST", Path: "/events", Role: telemetryapi.RoleIngest,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var ev struct {
				TenantID string `json:"tenant_id"`
			}
			if !telemetryapi.DecodeJSON(w, r, &ev) {
				return
			}
			mu.Lock()
			stored = append(stored, telemetryapi.EffectiveTenant(r)+"|"+client.FromContext(r.Context()).Auth.GetAttribute("tenant.id").(string))
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		})}))
	got := h.do("POST", "/events", keyIngestA, `{"tenant_id":"tenant-b"}`, "X-Tenant-Id: tenant-b", "X-Scope-OrgID: tenant-b")
	require.Equal(t, http.StatusAccepted, got.status, got.body)
	got = h.do("POST", "/events?tenant=tenant-b", keyIngestA, `{"tenant_id":"tenant-b"}`)
	require.Equal(t, http.StatusNotFound, got.status, got.body)
	assert.Equal(t, []string{"tenant-a|tenant-a"}, stored)
}

func TestHTTPErrors(t *testing.T) {
	cfg := testConfig()
	cfg.HTTP.MaxRequestBodySize = 1024
	h := newHarness(t, cfg, nil).start()
	require.NoError(t, h.ext.Register(
		telemetryapi.Route{Method: "POST", Path: "/events", Role: telemetryapi.RoleIngest,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var v map[string]any
				if telemetryapi.DecodeJSON(w, r, &v) {
					w.WriteHeader(http.StatusAccepted)
				}
			})},
		telemetryapi.Route{Method: "GET", Path: "/boom", Role: telemetryapi.RoleViewer,
			Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })},
	))
	f := func(name string, got response, want int, code string) {
		t.Helper()
		assert.Equal(t, want, got.status, "%s: %s", name, got.body)
		assert.Contains(t, got.body, `"code":"`+code+`"`, name)
		assert.Equal(t, "application/json", got.header.Get("Content-Type"), name)
	}
	big := `{"x":"` + strings.Repeat("a", 2048) + `"}`
	f("400 malformed json", h.do("POST", "/events", keyIngestA, `{"x":`), 400, "invalid_json")
	f("400 trailing data", h.do("POST", "/events", keyIngestA, `{} {}`), 400, "invalid_json")
	f("404 unknown route", h.do("GET", "/nope", keyIngestA, ""), 404, "not_found")
	f("404 outside base path", h.do("GET", "/../../other", keyIngestA, ""), 404, "not_found")
	got := h.do("GET", "/events", keyIngestA, "")
	f("405", got, 405, "method_not_allowed")
	assert.Contains(t, got.header.Get("Allow"), "POST")
	f("413 content-length", h.do("POST", "/events", keyIngestA, big), 413, "payload_too_large")
	f("413 chunked", h.doChunked("/events", keyIngestA, big), 413, "payload_too_large")
	f("415", h.do("POST", "/events", keyIngestA, "x=1", "Content-Type: application/x-www-form-urlencoded"), 415, "unsupported_media_type")
	f("500 panic", h.do("GET", "/boom", keyViewerA, ""), 500, "internal")
	f("503 audit without storage", h.do("GET", "/audit", keyAdminA, ""), 503, "audit_storage_not_configured")
	assert.Equal(t, http.StatusAccepted, h.do("POST", "/events", keyIngestA, `{"ok":true}`).status)
	assert.NotEmpty(t, got.header.Get("X-Request-Id"))
	assert.Equal(t, "no-store", got.header.Get("Cache-Control"))
}

// doChunked sends body without Content-Length, so only the server's MaxBytesReader can stop it.
func (h *harness) doChunked(path, key, body string) response {
	h.t.Helper()
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(pw, strings.NewReader(body))
		_ = pw.Close()
	}()
	req, err := http.NewRequest("POST", h.base+telemetryapi.BasePath+path, pr)
	require.NoError(h.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := h.client.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestRateLimitFailedAttempts(t *testing.T) {
	cfg := testConfig()
	cfg.Auth.FailedAttempts = RateLimitConfig{MaxFailures: 3, Window: time.Minute}
	h := newHarness(t, cfg, &fakeStore{}).start()
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	h.ext.limiter.now = clock.now
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))

	// A missing key guesses nothing and is not counted.
	for range 5 {
		require.Equal(t, http.StatusUnauthorized, h.do("GET", "/metrics", "", "").status)
	}
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/metrics", wrongKey, "").status)
	assert.Equal(t, http.StatusUnauthorized, h.do("GET", "/metrics", wrongKey+"2", "").status)
	got := h.do("GET", "/metrics", wrongKey+"3", "")
	assert.Equal(t, http.StatusTooManyRequests, got.status, got.body)
	assert.Equal(t, "60", got.header.Get("Retry-After"))
	// While throttled even the right key is refused: a brute force cannot tell it found one.
	got = h.do("GET", "/metrics", keyViewerA, "")
	assert.Equal(t, http.StatusTooManyRequests, got.status)
	clock.advance(45 * time.Second)
	got = h.do("GET", "/metrics", keyViewerA, "")
	assert.Equal(t, http.StatusTooManyRequests, got.status)
	assert.Equal(t, "15", got.header.Get("Retry-After"))
	// The OTLP authenticator shares the limit for the same address...
	ctx := client.NewContext(context.Background(), client.Info{Addr: mustTCPAddr("127.0.0.1:5555")})
	_, err := h.ext.Authenticate(ctx, map[string][]string{"authorization": {"Bearer " + keyIngestA}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too many failed authentication attempts")
	// ...but another address is not affected.
	ctx = client.NewContext(context.Background(), client.Info{Addr: mustTCPAddr("10.0.0.7:5555")})
	_, err = h.ext.Authenticate(ctx, map[string][]string{"authorization": {"Bearer " + keyIngestA}})
	require.NoError(t, err)

	clock.advance(16 * time.Second)
	assert.Equal(t, http.StatusOK, h.do("GET", "/metrics", keyViewerA, "").status)
	assert.Equal(t, int64(3), h.counter("otelcol_extension_telemetry_api_auth_failures", "surface=api", "reason=invalid"))
	assert.Equal(t, int64(2), h.counter("otelcol_extension_telemetry_api_auth_failures", "surface=api", "reason=rate_limited"))
	assert.Equal(t, int64(5), h.counter("otelcol_extension_telemetry_api_auth_failures", "surface=api", "reason=missing"))
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestKeysNeverLogged captures every log entry and audit record of a busy session (good and
// bad keys, API and ingest, start and shutdown) and looks for any key or attempted key in them.
func TestKeysNeverLogged(t *testing.T) {
	cfg := testConfig()
	cfg.Auth.FailedAttempts.MaxFailures = 2
	store := &fakeStore{}
	h := newHarness(t, cfg, store).start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer),
		echoRoute("DELETE", "/data/{user_id}", telemetryapi.RolePrivacy)))
	for _, k := range allSecrets {
		h.do("GET", "/metrics", k, "")
		h.do("DELETE", "/data/u-a", "", "", "X-API-Key: "+k)
		h.do("GET", "/audit?key_id="+k, k, "")
		_, _ = h.ext.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer " + k}})
		_, _ = h.ext.Authenticate(context.Background(), map[string][]string{"x-api-key": {k}})
	}
	require.NoError(t, h.ext.Ready())
	recs := store.waitRecords(t, 3*len(allSecrets), func(auditRecord) bool { return true })
	require.NoError(t, h.ext.Shutdown(context.Background()))

	var dump strings.Builder
	for _, e := range h.logs.All() {
		fmt.Fprintf(&dump, "%s %v\n", e.Message, e.ContextMap())
	}
	for _, r := range store.records() {
		fmt.Fprintf(&dump, "%+v\n", r)
	}
	fmt.Fprintf(&dump, "%+v %+v %+v\n", h.ext.keys.static, *h.ext.keys.dynamic.Load(), h.ext.cfg.Auth)
	require.Greater(t, h.logs.Len(), 3*len(allSecrets), "the session must have logged its audit trail")
	require.NotEmpty(t, recs)
	for _, k := range allSecrets {
		// Only the audit query's key_id filter may echo a value, and it is a parameter, not a
		// credential the extension accepted.
		assert.NotContains(t, strings.ReplaceAll(dump.String(), "key_id="+k, ""), k)
	}
	assert.Contains(t, dump.String(), "viewer-a") // key ids are there
}

func TestTLS(t *testing.T) {
	cfg := testConfig()
	certFile, keyFile, pool := writeSelfSignedCert(t)
	cfg.HTTP.TLS = tlsServerConfig(certFile, keyFile)
	h := newHarness(t, cfg, nil)
	h.client = &http.Client{Transport: &http.Transport{TLSClientConfig: tlsClientConfig(pool)}, Timeout: 10 * time.Second}
	h.start()
	h.base = strings.Replace(h.base, "http://", "https://", 1)
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	got := h.do("GET", "/metrics", keyViewerA, "")
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.Contains(t, got.body, `"tenant":"tenant-a"`)

	// Plain HTTP to the TLS port gets no API answer.
	plain := &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}
	defer plain.CloseIdleConnections()
	resp, err := plain.Get(strings.Replace(h.base, "https://", "http://", 1) + telemetryapi.BasePath + "/health/live")
	if err == nil {
		defer resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	}
}

// An operator naming another tenant acts on that tenant (README "Tenants"); for ingest routes the
// pipeline's resource/tenant processor stamps client.Info's auth tenant.id, so it must be the
// resolved tenant too, else the audit says tenant-b while the data is stored as the operator's
// own. An admin cannot store under another tenant at all.
func TestOperatorExplicitTenantReachesPipelineContext(t *testing.T) {
	h := newHarness(t, testConfig(), nil).start()
	require.NoError(t, h.ext.Register(telemetryapi.Route{Method: "POST", Path: "/events", Role: telemetryapi.RoleIngest,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := client.FromContext(r.Context()).Auth
			telemetryapi.WriteJSON(w, http.StatusAccepted, map[string]any{
				"effective": telemetryapi.EffectiveTenant(r), "auth": a.GetAttribute("tenant.id"), "key": a.GetAttribute("key.id"),
			})
		})}))
	f := func(path, key, want string) {
		t.Helper()
		got := h.do("POST", path, key, `{}`)
		require.Equal(t, http.StatusAccepted, got.status, got.body)
		assert.JSONEq(t, want, got.body, path)
	}
	f("/events", keyAdminA, `{"effective":"tenant-a","auth":"tenant-a","key":"admin-a"}`)
	f("/events?tenant=tenant-b", keyOperatorA, `{"effective":"tenant-b","auth":"tenant-b","key":"operator-a"}`)
	f("/events?tenant=tenant-a", keyIngestA, `{"effective":"tenant-a","auth":"tenant-a","key":"ingest-a"}`)
	got := h.do("POST", "/events?tenant=tenant-b", keyAdminA, `{}`)
	assert.Equal(t, http.StatusNotFound, got.status, got.body)
}
