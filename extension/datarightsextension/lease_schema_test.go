package datarightsextension

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// TestIntegrationLeaseBeforeMigration55: extensions start before the storage exporter migrates,
// so a collector upgraded over a database without the lease columns reads the open requests
// before they exist. The start must not fail; once the columns are there, the lease loop takes
// over the requests the previous version left open (no owner, no lease).
func TestIntegrationLeaseBeforeMigration55(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_lease_old_")
	ctx := context.Background()
	tbl := schema.Table(chschema.DeletionRequests).Qualified
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE "+tbl+" DROP COLUMN owner, DROP COLUMN lease_until"))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+tbl+" (tenant_id, request_id, subject, user_id, status, reason, actor, attempts, accepted_at, finished_at, receipt, updated_at) "+
		"VALUES ('t', 'old-1', 's-old', 'u-old', 'running', '', '', 1, now64(3), NULL, '', now64(3))"))

	x := rightsOver(t, endpoint, conn, database, testList(t))
	x.cfg.Instance, x.cfg.Lease = "gw-new", time.Second
	x.byID, x.active, x.wake = map[string]*request{}, map[string]*request{}, make(chan struct{}, 1)
	open, err := x.store.openRequests(ctx)
	require.NoError(t, err, "a database before migration 55 reads as no open request")
	assert.Empty(t, open)
	got, err := x.store.getRequest(ctx, "t", "old-1")
	require.NoError(t, err)
	assert.Nil(t, got)
	x.leaseRound(ctx)
	assert.Empty(t, queued(x))

	// The exporter's migration adds the columns: the next round takes the request over.
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE "+tbl+" ADD COLUMN IF NOT EXISTS owner String DEFAULT '', ADD COLUMN IF NOT EXISTS lease_until DateTime64(3) DEFAULT 0"))
	x.leaseRound(ctx)
	require.Equal(t, []string{"old-1"}, queued(x))
	stored, err := x.store.getRequest(ctx, "t", "old-1")
	require.NoError(t, err)
	assert.Equal(t, "gw-new", stored.Owner)
	assert.Equal(t, "u-old", stored.UserID)
	assert.Greater(t, stored.LeaseUntil, time.Now().UnixMilli())
}
