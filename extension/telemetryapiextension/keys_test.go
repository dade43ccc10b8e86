package telemetryapiextension

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestCredential(t *testing.T) {
	f := func(headers map[string][]string, want string, wantOK bool) {
		t.Helper()
		got, ok := credential(sourceGetter(headers))
		assert.Equal(t, wantOK, ok, "%v", headers)
		assert.Equal(t, want, got, "%v", headers)
	}
	f(map[string][]string{"Authorization": {"Bearer k1"}}, "k1", true)
	f(map[string][]string{"authorization": {"BEARER   k1 "}}, "k1", true)
	f(map[string][]string{"x-api-key": {" k2 "}}, "k2", true)
	f(map[string][]string{"Authorization": {"Bearer k1"}, "X-Api-Key": {"k2"}}, "k1", true)
	f(map[string][]string{"Authorization": {"Basic abc"}, "X-Api-Key": {"k2"}}, "k2", true)
	f(map[string][]string{"Authorization": {"Bearer"}}, "", false)
	f(map[string][]string{"Authorization": {""}}, "", false)
	f(map[string][]string{}, "", false)
}

func TestKeyringLookup(t *testing.T) {
	kr := newKeyring(testConfig().Auth)
	f := func(key, wantID, wantTenant string) {
		t.Helper()
		p, ok := kr.lookup(key)
		assert.Equal(t, wantID != "", ok, key)
		assert.Equal(t, wantID, p.KeyID, key)
		assert.Equal(t, wantTenant, p.TenantID, key)
	}
	f(bootstrapKey, "bootstrap", telemetryapi.DefaultTenant)
	f(keyViewerB, "viewer-b", "tenant-b")
	f(keyViewerB+" ", "", "")
	f("", "", "")
	for _, e := range kr.static {
		assert.NotContains(t, fmt.Sprintf("%+v", e), "key-0123456789", "only digests are kept")
	}
}

func TestFailureLimiter(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newFailureLimiter(RateLimitConfig{MaxFailures: 2, Window: 10 * time.Second}, clock.now)
	_, blocked := l.fail("a")
	assert.False(t, blocked)
	retry, blocked := l.fail("a")
	assert.True(t, blocked)
	assert.Equal(t, 10*time.Second, retry)
	_, blocked = l.blocked("b")
	assert.False(t, blocked, "per address")
	clock.advance(4 * time.Second)
	retry, blocked = l.blocked("a")
	assert.True(t, blocked)
	assert.Equal(t, 6*time.Second, retry)
	clock.advance(6 * time.Second)
	_, blocked = l.blocked("a")
	assert.False(t, blocked, "the window ended")
	_, blocked = l.fail("a")
	assert.False(t, blocked, "a new window starts at zero")
}

func TestFailureLimiterBounded(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newFailureLimiter(RateLimitConfig{MaxFailures: 1, Window: time.Minute}, clock.now)
	for i := range maxTrackedAddrs + 10 {
		l.fail(fmt.Sprint(i))
	}
	assert.LessOrEqual(t, len(l.entries), maxTrackedAddrs)
}

func BenchmarkKeyringLookup(b *testing.B) {
	cfg := testConfig()
	for i := range 100 {
		cfg.Auth.APIKeys = append(cfg.Auth.APIKeys, APIKeyConfig{ID: fmt.Sprint("k", i),
			Key: configopaqueString(fmt.Sprintf("bench-key-%04d-0123456789", i)), Tenant: "t", Roles: []telemetryapi.Role{"viewer"}})
	}
	kr := newKeyring(cfg.Auth)
	b.ReportAllocs()
	for b.Loop() {
		kr.lookup("bench-key-0050-0123456789")
	}
}

// BenchmarkAPICall is the per-request overhead of the extension (authentication, role and tenant
// checks, audit record) around a trivial handler, without the network.
func BenchmarkAPICall(b *testing.B) {
	h := newHarness(b, testConfig(), &fakeStore{})
	_ = h.ext.Register(telemetryapi.Route{Method: "GET", Path: "/metrics", Role: telemetryapi.RoleViewer,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })})
	h.ext.auditor.start()
	defer func() { _ = h.ext.Shutdown(b.Context()) }()
	req := httptest.NewRequest(http.MethodGet, telemetryapi.BasePath+"/metrics?tenant=tenant-a", nil)
	req.Header.Set("Authorization", "Bearer "+keyViewerA)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ext.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatal(rec.Code)
		}
	}
}

// Once the limiter is full, each wrong key from a new address must not sweep every tracked
// address: that O(n) walk ran under the mutex every authentication takes, so a flood of wrong
// keys from many addresses (an IPv6 prefix) stalled valid callers too (≈2 ms per new address).
func TestFailureLimiterFullStaysCheap(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newFailureLimiter(RateLimitConfig{MaxFailures: 3, Window: time.Minute}, clock.now)
	for i := range maxTrackedAddrs {
		l.fail(fmt.Sprint("a", i))
	}
	start := time.Now()
	for i := range 2000 {
		l.fail(fmt.Sprint("b", i))
	}
	assert.Less(t, time.Since(start), time.Second, "2000 new addresses on a full limiter")
	assert.LessOrEqual(t, len(l.entries), maxTrackedAddrs)
	l.fail("c")
	l.fail("c")
	_, blocked := l.fail("c")
	assert.True(t, blocked, "a new address is still tracked when full")

	// Expired windows are still swept, so they, not live ones, make room.
	clock.advance(2 * time.Minute)
	l.fail("d")
	assert.Len(t, l.entries, 1)
}
