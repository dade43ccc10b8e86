package telemetryapiextension

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// TestClickHouseAuditTrail writes the audit trail into chschema's telemetry_audit table on a real
// ClickHouse engine and reads it back through GET /audit.
func TestClickHouseAuditTrail(t *testing.T) {
	ep := requireClickHouse(t)
	const db = "telemetry_api_it"
	ctx := context.Background()

	// The telemetry_storage exporter migrates the schema; here the test does it.
	opt, err := clickhouse.ParseDSN(ep)
	require.NoError(t, err)
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	defer conn.Close()
	schema, err := chschema.New(chschema.Options{Database: db})
	require.NoError(t, err)

	// The database of an earlier run (go test -count=N shares the engine) must be gone before the
	// extension starts, or it is ready at once.
	require.NoError(t, conn.Exec(ctx, "DROP DATABASE IF EXISTS "+chschema.QuoteIdent(db)))

	cfg := testConfig()
	cfg.Storage.Endpoint = ep
	cfg.Storage.Database = db
	cfg.Audit.FlushInterval = 50 * time.Millisecond
	require.NoError(t, cfg.Validate())
	store, err := newCHStore(cfg.Storage)
	require.NoError(t, err)
	h := newHarnessWithStore(t, cfg, store).start()
	t.Cleanup(func() {
		if t.Failed() {
			for _, e := range h.logs.All() {
				if e.Message != "audit" {
					t.Log(e.Message, e.ContextMap())
				}
			}
		}
	})

	// Started before the table exists: not ready, records wait.
	assert.Equal(t, http.StatusServiceUnavailable, h.do("GET", "/health/ready", "", "").status)
	_, err = schema.Migrate(ctx, conn)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return h.do("GET", "/health/ready", "", "").status == http.StatusOK },
		30*time.Second, 100*time.Millisecond)

	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer),
		echoRoute("DELETE", "/data/{user_id}", telemetryapi.RolePrivacy)))
	require.NoError(t, h.ext.Ready())
	for range 5 {
		require.Equal(t, http.StatusOK, h.do("GET", "/metrics", keyViewerA, "").status)
	}
	require.Equal(t, http.StatusOK, h.do("DELETE", "/data/u-a", keyPrivacyA, "").status)
	h.do("GET", "/metrics", keyViewerB, "")
	h.do("GET", "/metrics", wrongKey, "")

	count := func(where string, args ...any) uint64 {
		var n uint64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+chschema.QuoteIdent(db)+".telemetry_audit WHERE "+where, args...).Scan(&n))
		return n
	}
	if !assert.Eventually(t, func() bool { return count("1") >= 9 }, 20*time.Second, 100*time.Millisecond) {
		t.Fatalf("rows %d, written %d, failures %d", count("1"), h.counter("otelcol_extension_telemetry_api_audit_records_written"),
			h.counter("otelcol_extension_telemetry_api_audit_write_failures"))
	}
	assert.Equal(t, uint64(1), count("action = 'collector.start' AND details['config_sha256'] != ''"))
	assert.Equal(t, uint64(1), count("target_type = 'user' AND target_id = 'u-a' AND actor = 'privacy-a' AND outcome = 'success'"))
	assert.Equal(t, uint64(1), count("actor_type = 'unauthenticated' AND outcome = 'denied' AND details['status'] = '401'"))

	page := func(query string) auditPage {
		t.Helper()
		got := h.do("GET", "/audit"+query, keyOperatorA, "")
		require.Equal(t, http.StatusOK, got.status, got.body)
		var p auditPage
		require.NoError(t, json.Unmarshal([]byte(got.body), &p))
		return p
	}
	var ids []string
	q := "?key_id=viewer-a&limit=2"
	for range 10 {
		p := page(q)
		for _, r := range p.Records {
			ids = append(ids, r.RequestID)
			assert.Equal(t, "GET /metrics", r.Action)
			assert.Equal(t, "200", r.Details["status"])
		}
		if p.NextCursor == "" {
			break
		}
		q = "?key_id=viewer-a&limit=2&cursor=" + p.NextCursor
	}
	assert.Len(t, ids, 5)
	assert.ElementsMatch(t, uniq(ids), ids)

	assert.Len(t, page("?tenant=tenant-b").Records, 1)
	all := page("?tenant=*&limit=1000").Records
	assert.GreaterOrEqual(t, len(all), 9)
	assert.Empty(t, page("?from="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))).Records)

	// SQL-looking parameters are values, never SQL.
	for _, inj := range []string{"x' OR '1'='1", `x\' OR 1=1 --`, "viewer-a'; DROP TABLE telemetry_audit; --"} {
		assert.Empty(t, page("?tenant=*&key_id="+url.QueryEscape(inj)).Records, inj)
	}
	assert.GreaterOrEqual(t, count("1"), uint64(9), "table intact")

	// No key in any stored row.
	var dump strings.Builder
	for _, r := range all {
		b, _ := json.Marshal(r)
		dump.Write(b)
	}
	for _, k := range allSecrets {
		assert.NotContains(t, dump.String(), k)
	}
}
