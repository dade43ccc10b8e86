package consentextension

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// TestIntegrationClickHouse runs the store against the real engine: write-through into both
// tables, reload on restart, convergence of two stores on one database, erasure on full reload.
func TestIntegrationClickHouse(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (-short)")
	}
	endpoint := chtest.Endpoint(t)
	ctx := context.Background()
	db := fmt.Sprintf("consent_it_%d", time.Now().UnixNano()%1_000_000)

	opt, err := clickhouse.ParseDSN(endpoint)
	require.NoError(t, err)
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })

	newStoreOn := func(database string, refresh time.Duration) *Store {
		cfg := createDefaultConfig()
		cfg.Mode = ModeStrict
		cfg.Storage.Endpoint, cfg.Storage.Database = endpoint, database
		cfg.Sync.RefreshInterval = refresh
		require.NoError(t, cfg.Validate())
		b, err := newClickHouse(ctx, cfg.Storage)
		require.NoError(t, err)
		s := newStore(cfg, b, zaptest.NewLogger(t), nopTel(t))
		require.NoError(t, s.start(ctx))
		t.Cleanup(func() { require.NoError(t, s.shutdown()) })
		return s
	}

	// Before the exporter has created the schema: start empty, updates fail cleanly.
	early := newStoreOn(db, time.Minute)
	assert.Equal(t, 0, early.Entries())
	_, err = early.Update(ctx, Update{Tenant: "t1", UserID: "A", Purposes: map[string]bool{"analytics": true}})
	require.ErrorIs(t, err, ErrStorage)
	assert.Equal(t, 0, early.Entries(), "nothing cached when the write failed")

	schema, err := chschema.New(chschema.Options{Database: db})
	require.NoError(t, err)
	_, err = schema.Migrate(ctx, conn)
	require.NoError(t, err)

	const refresh = 200 * time.Millisecond
	s1 := newStoreOn(db, refresh)
	s2 := newStoreOn(db, refresh)
	an, _ := s1.PurposeIndex("analytics")

	_, err = s1.Update(ctx, Update{Tenant: "t1", UserID: "A", Actor: "key-1", Source: "cookie-banner", PolicyVersion: "v1",
		Purposes: map[string]bool{"analytics": true, "performance": false}})
	require.NoError(t, err)
	ok, _ := s1.Check("t1", "A", an)
	assert.True(t, ok, "write-through: enforced at once on the writing collector")

	rows := queryRows(t, conn, "SELECT tenant_id, user_id, purpose, toString(status), source, policy_version FROM `"+db+"`.telemetry_consents FINAL ORDER BY purpose")
	assert.Equal(t, [][]string{{"t1", "A", "analytics", "granted", "cookie-banner", "v1"}, {"t1", "A", "performance", "denied", "cookie-banner", "v1"}}, rows)

	// s2 converges within the refresh bound (one interval plus the query).
	start := time.Now()
	require.Eventually(t, func() bool { ok, _ := s2.Check("t1", "A", an); return ok }, 10*time.Second, 10*time.Millisecond)
	t.Logf("second store converged after %s (refresh_interval %s)", time.Since(start), refresh)
	assert.Less(t, time.Since(start), refresh+3*time.Second)

	// Revoke through s2; s1 follows.
	_, err = s2.Update(ctx, Update{Tenant: "t1", UserID: "A", Actor: "key-2", Source: "settings", Purposes: map[string]bool{"analytics": false}})
	require.NoError(t, err)
	start = time.Now()
	require.Eventually(t, func() bool { ok, _ := s1.Check("t1", "A", an); return !ok }, 10*time.Second, 10*time.Millisecond)
	t.Logf("first store saw the withdrawal after %s", time.Since(start))
	assert.Equal(t, "withdrawn", s1.Get("t1", "A").Purposes["analytics"].Status)

	hist := queryRows(t, conn, "SELECT purpose, toString(previous_status), toString(status), actor FROM `"+db+"`.telemetry_consent_history ORDER BY changed_at, purpose")
	assert.Equal(t, [][]string{
		{"analytics", "none", "granted", "key-1"}, {"performance", "none", "denied", "key-1"},
		{"analytics", "granted", "withdrawn", "key-2"},
	}, hist)

	// A restarted collector reloads the state from ClickHouse.
	s3 := newStoreOn(db, time.Minute)
	assert.Equal(t, s1.Get("t1", "A").Purposes, s3.Get("t1", "A").Purposes)
	assert.Equal(t, 2, s3.Entries())

	// Erased in ClickHouse (data-subject deletion): gone after the next full reload.
	require.NoError(t, conn.Exec(ctx, "TRUNCATE TABLE `"+db+"`.telemetry_consents"))
	require.NoError(t, s3.reload(ctx))
	assert.Equal(t, 0, s3.Entries())
}

func queryRows(t *testing.T, conn clickhouse.Conn, q string) [][]string {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		vals := make([]string, len(rows.Columns()))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}
