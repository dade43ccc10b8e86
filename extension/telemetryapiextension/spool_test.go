package telemetryapiextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

var errEngineDown = errors.New("dial tcp 127.0.0.1:8123: connection refused")

// spoolConfig keeps a tenth of the default in memory, so an outage of a few thousand requests
// must use the spool. (The memory queue must hold what arrives during one spool fsync.)
func spoolConfig(t *testing.T, dir string) *Config {
	cfg := testConfig()
	cfg.Auth.FailedAttempts.MaxFailures = 100000
	cfg.Audit.QueueSize, cfg.Audit.BatchSize = 1000, 100
	cfg.Audit.SpoolDirectory = dir
	return cfg
}

func spoolFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, spoolSubdir, "*.jsonl"))
	require.NoError(t, err)
	return m
}

// An outage of ClickHouse: every request is answered as usual (none refused), its record waits on
// disk, and once ClickHouse is back every record is stored exactly once; nothing is dropped.
func TestAuditSpoolKeepsEveryRecordThroughAnOutage(t *testing.T) {
	dir := t.TempDir()
	store := &fakeStore{prepareErr: errEngineDown}
	h := newHarness(t, spoolConfig(t, dir), store).start()
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))

	const n = 3000
	ids := map[string]bool{}
	for i := range n {
		key := keyViewerA
		if i%3 == 0 {
			key = "" // unauthenticated calls are audited too
		}
		got := h.do("GET", "/metrics", key, "")
		require.NotEqual(t, http.StatusServiceUnavailable, got.status, "request %d: %s; spooled %d, held %d, logs %v", i, got.body, h.counter("otelcol_extension_telemetry_api_audit_records_spooled"), h.ext.auditor.held.Load(), h.logs.FilterLevelExact(zapcore.ErrorLevel).All())
		ids[got.header.Get("X-Request-Id")] = true
	}
	require.Len(t, ids, n)
	require.Eventually(t, func() bool {
		return h.counter("otelcol_extension_telemetry_api_audit_records_spooled") >= n-int64(h.ext.cfg.Audit.QueueSize)
	}, 5*time.Second, 10*time.Millisecond)
	assert.NotEmpty(t, spoolFiles(t, dir), "records wait on disk")
	assert.Empty(t, store.records())

	store.set(func(s *fakeStore) { s.prepareErr = nil })
	recs := store.waitRecords(t, n, func(r auditRecord) bool { return ids[r.RequestID] })
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.RequestID]++
	}
	for id := range ids {
		assert.Equal(t, 1, seen[id], "request %s stored once", id)
	}
	require.Eventually(t, func() bool { return len(spoolFiles(t, dir)) == 0 }, 5*time.Second, 10*time.Millisecond, "drained segments are deleted")
	assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_records_dropped"))
	assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_requests_refused"))
	// The spooled records come back as they were written.
	for _, r := range recs {
		if r.KeyID == "viewer-a" {
			assert.Equal(t, "tenant-a", r.Tenant)
			assert.Equal(t, "GET /metrics", r.Action)
			assert.Equal(t, "200", r.Details["status"])
			assert.False(t, r.Time.IsZero())
			break
		}
	}
}

// With the spool full as well, requests are refused with 503 + Retry-After before they run; every
// request that was served has its record once ClickHouse is back.
func TestAuditSpoolFullRefusesRequests(t *testing.T) {
	dir := t.TempDir()
	store := &fakeStore{prepareErr: errEngineDown}
	cfg := spoolConfig(t, dir)
	cfg.Audit.QueueSize, cfg.Audit.BatchSize = 20, 5
	cfg.Audit.SpoolMaxBytes = 8000 // about twenty records
	cfg.Audit.FullWait = 0         // 200 requests against a full trail: refuse at once
	h := newHarness(t, cfg, store).start()
	var handled int
	require.NoError(t, h.ext.Register(telemetryapi.Route{Method: "POST", Path: "/consent/update", Role: telemetryapi.RolePrivacy,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			handled++
			w.WriteHeader(http.StatusNoContent)
		})}))

	served := map[string]bool{}
	refused := 0
	for range 200 {
		got := h.do("POST", "/consent/update", keyPrivacyA, `{}`, "Content-Type: application/json")
		switch got.status {
		case http.StatusNoContent:
			served[got.header.Get("X-Request-Id")] = true
		case http.StatusServiceUnavailable:
			refused++
			assert.Equal(t, strconv.Itoa(auditRetryAfterSeconds), got.header.Get("Retry-After"))
			assert.Contains(t, got.body, `"audit_unavailable"`)
		default:
			t.Fatalf("unexpected answer %s", got)
		}
		time.Sleep(time.Millisecond) // let the writer spool what it can
	}
	assert.Positive(t, refused, "the trail fills up")
	assert.Equal(t, len(served), handled, "a refused request never reaches its handler")
	assert.Equal(t, int64(refused), h.counter("otelcol_extension_telemetry_api_audit_requests_refused"))

	store.set(func(s *fakeStore) { s.prepareErr = nil })
	store.waitRecords(t, len(served), func(r auditRecord) bool { return served[r.RequestID] })
	// Once the trail has room again, requests are served.
	require.Eventually(t, func() bool {
		return h.do("POST", "/consent/update", keyPrivacyA, `{}`, "Content-Type: application/json").status == http.StatusNoContent
	}, 5*time.Second, 20*time.Millisecond)
	assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_records_dropped"))
}

// Records spooled (or still in memory at shutdown) are stored by the next run.
func TestAuditSpoolSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	down := &fakeStore{prepareErr: errEngineDown}
	h := newHarness(t, spoolConfig(t, dir), down).start()
	const n = 950
	for i := range n {
		h.ext.auditor.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint("r", i), Action: "test", Outcome: outcomeSuccess})
		if i == 800 { // most go to the spool while running, the rest at shutdown
			require.Eventually(t, func() bool {
				return h.counter("otelcol_extension_telemetry_api_audit_records_spooled") >= 800
			}, 5*time.Second, 5*time.Millisecond)
		}
	}
	require.NoError(t, h.ext.Shutdown(context.Background()))
	assert.Equal(t, int64(n), h.counter("otelcol_extension_telemetry_api_audit_records_spooled"))
	assert.Zero(t, h.counter("otelcol_extension_telemetry_api_audit_records_dropped"), "spooled at shutdown, not dropped")
	require.NotEmpty(t, spoolFiles(t, dir))

	up := &fakeStore{}
	h2 := newHarness(t, spoolConfig(t, dir), up).start()
	recs := up.waitRecords(t, n, func(r auditRecord) bool { return r.Action == "test" })
	assert.Len(t, recs, n)
	require.Eventually(t, func() bool { return len(spoolFiles(t, dir)) == 0 }, 5*time.Second, 10*time.Millisecond)
	assert.Zero(t, h2.counter("otelcol_extension_telemetry_api_audit_records_dropped"))
}

// A line torn by a crash is skipped and counted; the rest of its segment is stored.
func TestSpoolTornLine(t *testing.T) {
	dir := t.TempDir()
	sp, err := openSpool(dir, 1<<20)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Millisecond)
	require.NoError(t, sp.write([]auditRecord{
		{Time: now, RequestID: "a", Action: "x", Details: map[string]string{"status": "200"}},
		{Time: now, RequestID: "b", Action: "y"},
	}))
	require.NoError(t, sp.close())
	f, err := os.OpenFile(filepath.Join(dir, spoolSubdir, segmentName(1)), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"time":"2026-01-01T00:00:00Z","request_id":"c","act`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	sp, err = openSpool(dir, 1<<20)
	require.NoError(t, err)
	require.False(t, sp.empty())
	require.NoError(t, sp.write([]auditRecord{{Time: now, RequestID: "d"}}))
	seg, recs, corrupt, err := sp.oldest()
	require.NoError(t, err)
	assert.Equal(t, 1, corrupt)
	require.Len(t, recs, 2)
	assert.Equal(t, auditRecord{Time: now, RequestID: "a", Action: "x", Details: map[string]string{"status": "200"}}, recs[0])
	require.NoError(t, sp.remove(seg))
	_, recs, _, err = sp.oldest()
	require.NoError(t, err)
	require.Len(t, recs, 1, "the next run appends to a new segment")
	assert.Equal(t, "d", recs[0].RequestID)

	// The bound counts the bytes on disk.
	small, err := openSpool(t.TempDir(), 100)
	require.NoError(t, err)
	assert.ErrorIs(t, small.write([]auditRecord{{Time: now, RequestID: "0123456789", Details: map[string]string{"k": string(make([]byte, 100))}}}), errSpoolFull)
	assert.True(t, small.empty())
}

// The collector's logger samples a repeated message (10 a second, then 1 in 100); the audit
// logger writes every line.
func TestAuditLogNeverSampled(t *testing.T) {
	var buf strings.Builder
	a := newAuditor(zap.NewNop(), newUnsampledLogger(&buf).Named("audit"), nil, nil, AuditConfig{QueueSize: 1}, time.Second)
	for i := range 5000 {
		a.emit(auditRecord{Time: time.Now(), RequestID: fmt.Sprint(i), Action: "GET /metrics", Outcome: outcomeSuccess})
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 5000)
	var first map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &first))
	assert.Equal(t, "audit", first["logger"])
	assert.Equal(t, "audit", first["msg"])
	assert.Equal(t, "0", first["request_id"])
	assert.Equal(t, "GET /metrics", first["action"])
}

// BenchmarkSpoolWrite: one flush of 1000 records to the spool (one fsync), per record.
func BenchmarkSpoolWrite(b *testing.B) {
	sp, err := openSpool(b.TempDir(), 1<<40)
	require.NoError(b, err)
	recs := make([]auditRecord, 1000)
	for i := range recs {
		recs[i] = auditRecord{Time: time.Now(), RequestID: fmt.Sprintf("%032x", i), Tenant: "acme", KeyID: "viewer-a",
			ActorType: actorAPIKey, Action: "GET /metrics", Outcome: outcomeSuccess,
			Details: map[string]string{"status": "200", "client_address": "10.0.0.1", "method": "GET", "route": "/api/v1/telemetry/metrics", "roles": "viewer", "required_role": "viewer"}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		require.NoError(b, sp.write(recs))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
	b.ReportMetric(float64(sp.bytes)/float64(b.N*len(recs)), "bytes/record")
}

// A trail full for a moment (the writer still moving a burst to the spool) makes a request wait
// for a place instead of refusing it; one that stays full refuses after audit::full_wait.
func TestReserveWithinWaitsForAPlace(t *testing.T) {
	a := &auditor{store: &fakeStore{}, cfg: AuditConfig{QueueSize: 1}}
	require.True(t, a.reserve())
	ctx := context.Background()
	assert.False(t, a.reserveWithin(ctx, 0), "full, no wait")
	start := time.Now()
	assert.False(t, a.reserveWithin(ctx, 50*time.Millisecond), "stays full")
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	go func() { time.Sleep(20 * time.Millisecond); a.release(1) }()
	assert.True(t, a.reserveWithin(ctx, 5*time.Second), "a place freed while waiting")
	assert.Equal(t, int64(1), a.held.Load())
}
