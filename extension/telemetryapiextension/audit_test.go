package telemetryapiextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.uber.org/zap/zapcore"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestAuditRecordOfAPICall(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	require.NoError(t, h.ext.Register(echoRoute("DELETE", "/data/{user_id}", telemetryapi.RolePrivacy)))
	got := h.do("DELETE", "/data/u-a", keyPrivacyA, "")
	require.Equal(t, http.StatusOK, got.status, got.body)
	h.do("DELETE", "/data/u-b", keyPrivacyA, "")
	h.do("DELETE", "/data/u-b?tenant=tenant-b", keyPrivacyA, "")
	h.do("DELETE", "/data/u-a", keyViewerA, "")
	h.do("DELETE", "/data/u-a", wrongKey, "")

	recs := store.waitRecords(t, 5, func(r auditRecord) bool { return r.Action != "collector.start" })
	byID := map[string]auditRecord{}
	for _, r := range recs {
		byID[r.RequestID] = r
	}
	ok := byID[got.header.Get("X-Request-Id")]
	assert.WithinDuration(t, time.Now(), ok.Time, 5*time.Second)
	ok.Time = time.Time{}
	assert.Equal(t, auditRecord{
		RequestID: got.header.Get("X-Request-Id"), Tenant: "tenant-a", KeyID: "privacy-a", ActorType: "api_key",
		Action: "DELETE /data/{user_id}", TargetType: "user", TargetID: "u-a", Outcome: "success",
		Details: map[string]string{
			"status": "200", "client_address": "127.0.0.1", "method": "DELETE", "roles": "privacy",
			"required_role": "privacy", "route": "/api/v1/telemetry/data/{user_id}",
		},
	}, ok)

	f := func(i int, keyID, tenant, outcome, status, target string) {
		t.Helper()
		r := recs[i]
		assert.Equal(t, []string{keyID, tenant, outcome, status, target},
			[]string{r.KeyID, r.Tenant, r.Outcome, r.Details["status"], r.TargetID}, "record %d", i)
	}
	f(1, "privacy-a", "tenant-a", "failure", "404", "u-b") // a missing subject of the own tenant
	f(2, "privacy-a", "tenant-a", "denied", "404", "")     // another tenant: refused before the handler
	assert.Equal(t, "tenant-b", recs[2].Details["requested_tenant"])
	f(3, "viewer-a", "tenant-a", "denied", "403", "")
	f(4, "", "", "denied", "401", "")
	assert.Equal(t, "unauthenticated", recs[4].ActorType)

	// The collector log carries the same trail.
	assert.Equal(t, 5, h.logs.FilterMessage("audit").FilterField(zapString("action", "DELETE /data/{user_id}")).Len())
}

func TestAuditDoesNotBlock(t *testing.T) {
	store := &fakeStore{block: make(chan struct{})}
	cfg := testConfig()
	cfg.Audit.QueueSize, cfg.Audit.BatchSize, cfg.Audit.FlushInterval = 10, 5, 10*time.Millisecond
	h := newHarness(t, cfg, store).start()
	require.Eventually(t, h.ext.auditor.ready.Load, 5*time.Second, time.Millisecond)

	const n = 500
	start := time.Now()
	for i := range n {
		h.ext.auditor.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint(i), Action: "test", Outcome: outcomeSuccess})
	}
	assert.Less(t, time.Since(start), time.Second, "emit must not wait for ClickHouse")
	// No spool: records without a request to refuse are dropped (and counted) once 10 are held.
	dropped := h.counter("otelcol_extension_telemetry_api_audit_records_dropped", "reason=spool_full")
	assert.Greater(t, dropped, int64(n/2))
	close(store.block)
	require.NoError(t, h.ext.Shutdown(context.Background()))
	written := h.counter("otelcol_extension_telemetry_api_audit_records_written")
	allDropped := h.counter("otelcol_extension_telemetry_api_audit_records_dropped")
	assert.Equal(t, int64(n), written+allDropped, "every record is either stored or counted")
	assert.Equal(t, int(written), len(store.records()))
	assert.Positive(t, h.logs.FilterMessageSnippet("audit trail full").Len())
	// Dropped or not, every record is in the collector log.
	assert.Equal(t, n, h.logs.FilterMessage("audit").FilterField(zapString("action", "test")).Len())
}

func TestAuditWriteFailureRetries(t *testing.T) {
	store := &fakeStore{insertErr: errors.New("Code: 241. MEMORY_LIMIT_EXCEEDED")}
	h := newHarness(t, testConfig(), store).start()
	for i := range 3 {
		h.ext.auditor.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint(i), Action: "test"})
	}
	require.Eventually(t, func() bool {
		return h.counter("otelcol_extension_telemetry_api_audit_write_failures") > 0
	}, 5*time.Second, 5*time.Millisecond)
	assert.Positive(t, h.logs.FilterMessage("audit insert failed, will retry").Len())
	store.set(func(s *fakeStore) { s.insertErr = nil })
	store.waitRecords(t, 3, func(r auditRecord) bool { return r.Action == "test" })
	assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_records_dropped"))
}

// An insert that ClickHouse committed but whose answer was lost is retried (from memory, or from
// the spool segment it was written to) as exactly the same batch, so its deduplication token
// matches and every record is stored once.
func TestAuditInsertCommittedThenFailedStoredOnce(t *testing.T) {
	for _, spooled := range []bool{false, true} {
		t.Run(fmt.Sprintf("spool=%v", spooled), func(t *testing.T) {
			cfg := testConfig()
			cfg.Audit.BatchSize = 4
			if spooled {
				cfg.Audit.SpoolDirectory = t.TempDir()
			}
			store := &fakeStore{commitThenFail: 2}
			h := newHarness(t, cfg, store).start()
			const n = 10
			for i := range n {
				h.ext.auditor.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint("r", i), Action: "test"})
			}
			recs := store.waitRecords(t, n, func(r auditRecord) bool { return r.Action == "test" })
			require.Eventually(t, func() bool {
				store.mu.Lock()
				defer store.mu.Unlock()
				return store.commitThenFail == 0 && store.inserts >= 4
			}, 5*time.Second, 5*time.Millisecond, "both failed attempts were retried")
			time.Sleep(3 * cfg.Audit.FlushInterval) // anything still to come arrives
			seen := map[string]int{}
			for _, r := range store.records() {
				if r.Action == "test" {
					seen[r.RequestID]++
				}
			}
			assert.Len(t, seen, n, "records %v", recs)
			for id, c := range seen {
				assert.Equal(t, 1, c, "record %s stored once", id)
			}
			assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_records_dropped"))
		})
	}
}

func TestAuditStorageUnavailable(t *testing.T) {
	store := &fakeStore{prepareErr: errors.New("dial tcp 127.0.0.1:8123: connection refused")}
	h := newHarness(t, testConfig(), store).start()
	got := h.do("GET", "/health/ready", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, got.status)
	assert.Contains(t, got.body, "audit storage")
	got = h.do("GET", "/audit", keyAdminA, "")
	assert.Equal(t, http.StatusServiceUnavailable, got.status)
	assert.Contains(t, got.body, "audit_storage_unavailable")
	// The API keeps serving; its records wait.
	assert.Equal(t, http.StatusOK, h.do("GET", "/health/live", "", "").status)

	// The flusher reports the outage in the background; wait for it before ending the outage, or the
	// storage may recover before the flusher ever saw it fail.
	require.Eventually(t, func() bool {
		return h.logs.FilterMessage("audit storage not ready, records wait in memory").Len() > 0
	}, 5*time.Second, 5*time.Millisecond)
	store.set(func(s *fakeStore) { s.prepareErr = nil })
	require.Eventually(t, func() bool { return h.do("GET", "/health/ready", "", "").status == http.StatusOK }, 5*time.Second, 20*time.Millisecond)
	recs := store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "GET /audit" })
	assert.Equal(t, "503", recs[0].Details["status"])
	assert.Equal(t, 1, h.logs.FilterMessage("audit storage not ready, records wait in memory").Len(), "the same error is logged once")
}

func TestAuditShutdownCountsUnstored(t *testing.T) {
	store := &fakeStore{insertErr: errors.New("insert failed")}
	h := newHarness(t, testConfig(), store).start()
	for i := range 4 {
		h.ext.auditor.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint(i), Action: "test"})
	}
	require.NoError(t, h.ext.Shutdown(context.Background()))
	require.NoError(t, h.ext.Shutdown(context.Background()), "Shutdown is idempotent")
	assert.Equal(t, int64(4), h.counter("otelcol_extension_telemetry_api_audit_records_dropped", "reason=shutdown"))
	assert.Equal(t, 1, h.logs.FilterMessageSnippet("neither stored in ClickHouse nor spooled at shutdown").Len())
	assert.True(t, store.closed)
}

func TestCollectorStartAudit(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	own, err := configHash(h.ext.cfg)
	require.NoError(t, err)

	effective := confmap.NewFromStringMap(map[string]any{
		"receivers": map[string]any{"otlp": map[string]any{"protocols": map[string]any{"grpc": nil}}},
		"exporters": map[string]any{"telemetry_storage": map[string]any{"endpoint": "http://u:pw@ch:8123", "password": "[REDACTED]"}},
	})
	require.NoError(t, h.ext.NotifyConfigSnapshot(context.Background(), extensioncapabilities.NewConfigSnapshot(effective, effective)))
	require.NoError(t, h.ext.Ready())
	require.NoError(t, h.ext.Ready()) // once per start
	want, err := hashConfMap(effective.ToStringMap())
	require.NoError(t, err)

	recs := store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "collector.start" })
	time.Sleep(50 * time.Millisecond)
	require.Len(t, store.waitRecords(t, 1, func(r auditRecord) bool { return r.Action == "collector.start" }), 1)
	assert.Equal(t, want, recs[0].Details["config_sha256"])
	assert.Equal(t, "collector", recs[0].Details["config_scope"])
	assert.NotEqual(t, own, want)
	assert.Equal(t, "system", recs[0].ActorType)
	assert.Equal(t, telemetryapi.DefaultTenant, recs[0].Tenant)
}

func TestConfigHashWithoutSecrets(t *testing.T) {
	hash := func(mut func(*Config)) string {
		t.Helper()
		cfg := testConfig()
		mut(cfg)
		h, err := configHash(cfg)
		require.NoError(t, err)
		return h
	}
	base := hash(func(*Config) {})
	assert.Len(t, base, 64)
	assert.Equal(t, base, hash(func(*Config) {}), "deterministic")
	// Rotating secrets does not change the hash: it identifies the configuration, not its secrets.
	assert.Equal(t, base, hash(func(c *Config) { c.Auth.BootstrapKey = "another-bootstrap-0123456789" }))
	assert.Equal(t, base, hash(func(c *Config) { c.Auth.APIKeys[0].Key = "rotated-ingest-key-0123456789" }))
	assert.Equal(t, base, hash(func(c *Config) { c.Storage.Password = "new-password" }))
	// Anything else does.
	assert.NotEqual(t, base, hash(func(c *Config) { c.HTTP.NetAddr.Endpoint = "127.0.0.1:9999" }))
	assert.NotEqual(t, base, hash(func(c *Config) { c.Auth.APIKeys[0].Roles = []telemetryapi.Role{"admin"} }))

	f := func(in map[string]any, wantSame map[string]any) {
		t.Helper()
		a, err := hashConfMap(in)
		require.NoError(t, err)
		b, err := hashConfMap(wantSame)
		require.NoError(t, err)
		assert.Equal(t, a, b)
	}
	f(map[string]any{"endpoint": "http://user:pw1@h:8123/db"}, map[string]any{"endpoint": "http://user:pw2@h:8123/db"})
	f(map[string]any{"x": map[string]any{"token": "abc"}}, map[string]any{"x": map[string]any{"token": "xyz"}})
	f(map[string]any{"headers": []any{map[string]any{"api_key": "k1"}}}, map[string]any{"headers": []any{map[string]any{"api_key": "k2"}}})
}

func TestAuditQueryAPI(t *testing.T) {
	store := &fakeStore{}
	h := newHarness(t, testConfig(), store).start()
	require.Eventually(t, h.ext.auditor.ready.Load, 5*time.Second, time.Millisecond)
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	for range 5 {
		h.do("GET", "/metrics", keyViewerA, "")
	}
	h.do("GET", "/metrics", keyViewerB, "")
	store.waitRecords(t, 6, func(r auditRecord) bool { return r.Action == "GET /metrics" })

	page := func(query string) (auditPage, response) {
		t.Helper()
		got := h.do("GET", "/audit"+query, keyOperatorA, "")
		var p auditPage
		if got.status == http.StatusOK {
			require.NoError(t, json.Unmarshal([]byte(got.body), &p))
		}
		return p, got
	}
	// Pages of 2 walk tenant-a's 5 calls newest first without overlap.
	var ids []string
	q := "?key_id=viewer-a&limit=2"
	for range 10 {
		p, got := page(q)
		require.Equal(t, http.StatusOK, got.status, got.body)
		for _, r := range p.Records {
			ids = append(ids, r.RequestID)
			assert.Equal(t, "tenant-a", r.Tenant)
		}
		if p.NextCursor == "" {
			break
		}
		q = "?key_id=viewer-a&limit=2&cursor=" + p.NextCursor
	}
	assert.Len(t, ids, 5)
	assert.ElementsMatch(t, uniq(ids), ids)

	p, _ := page("?tenant=tenant-b")
	require.Len(t, p.Records, 1)
	assert.Equal(t, "viewer-b", p.Records[0].KeyID)
	p, _ = page("?tenant=*&key_id=viewer-b")
	assert.Len(t, p.Records, 1)
	// tenant-a's admin reads tenant-a's trail only: the all-tenant and another tenant's are 404.
	for _, q := range []string{"?tenant=*&key_id=viewer-b", "?tenant=tenant-b"} {
		got := h.do("GET", "/audit"+q, keyAdminA, "")
		assert.Equal(t, http.StatusNotFound, got.status, q)
	}
	got := h.do("GET", "/audit?key_id=viewer-b", keyAdminA, "")
	require.Equal(t, http.StatusOK, got.status, got.body)
	assert.NotContains(t, got.body, "viewer-b")
	p, _ = page("?to=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)))
	assert.Empty(t, p.Records)

	bad := func(query, field string) {
		t.Helper()
		_, got := page(query)
		assert.Equal(t, http.StatusBadRequest, got.status, query)
		assert.Contains(t, got.body, `"field":"`+field+`"`, query)
	}
	bad("?from=yesterday", "from")
	bad("?to=2026-13-01T00:00:00Z", "to")
	bad("?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from")
	bad("?limit=0", "limit")
	bad("?limit=1001", "limit")
	bad("?limit=ten", "limit")
	bad("?cursor=not-a-cursor", "cursor")

	// Non-admins may not read the audit log.
	assert.Equal(t, http.StatusForbidden, h.do("GET", "/audit", keyAnalystA, "").status)
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// A first start: the database is created by the exporter's migration after this extension starts,
// so "unknown database" is expected and logged at info, never as a warning.
func TestAuditFirstStartNoWarning(t *testing.T) {
	store := &fakeStore{prepareErr: errors.New("describe `db`.`telemetry_audit`: Code: 81. DB::Exception: Database db does not exist. (UNKNOWN_DATABASE)")}
	h := newHarness(t, testConfig(), store).start()
	require.Eventually(t, func() bool {
		return h.logs.FilterMessageSnippet("waits for the telemetry_storage schema migration").Len() > 0
	}, 5*time.Second, 5*time.Millisecond)
	store.set(func(s *fakeStore) { s.prepareErr = nil })
	require.Eventually(t, func() bool { return h.do("GET", "/health/ready", "", "").status == http.StatusOK }, 5*time.Second, 20*time.Millisecond)
	assert.Zero(t, h.logs.FilterLevelExact(zapcore.WarnLevel).Len(), "no warning on a first start")
}
