package datarightsextension

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// TestIntegrationBatchOfThousand: one batch of 1000 users (max_batch's default) is counted per
// request and erased with one statement per table. Its statements inline 2000 forms, their patterns
// and one alternation (past the engine's default max_query_size of 256 KiB), and the subject index
// is tested with a set: every request gets its own count, users outside the batch keep every row,
// including one whose id extends a batch user's id (user-1 in user-10000) and one named only in a
// log body.
func TestIntegrationBatchOfThousand(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_batch_")
	ctx := context.Background()
	list := testList(t)
	logs := schema.Table(chschema.Logs).Qualified
	// users 0..1999 with 1 + i%3 rows each: half of them in the batch; user-10000.. outside too.
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+logs+" (tenant_id, timestamp, user_id, body) SELECT 'default', now64(9), concat('user-', toString(intDiv(number, 3))), 'x' FROM numbers(6000) WHERE number % 3 <= intDiv(number, 3) % 3"))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+logs+" (tenant_id, timestamp, user_id, body) VALUES ('default', now64(9), 'user-10000', 'x'), ('default', now64(9), '', 'checkout failed for user-7'), ('default', now64(9), '', 'checkout failed for user-1999')"))
	x := rightsOver(t, endpoint, conn, database, list)
	st := x.store
	tg := targetNamed(t, st, chschema.Logs)

	const n = 1000
	owners, users := make([]string, n), make([]string, n)
	for i := range n {
		owners[i], users[i] = fmt.Sprintf("%032x", i), fmt.Sprintf("user-%d", i) // request ids as the API makes them
	}
	f := newForms(list.Token, 0, 0, owners, users)
	counts, err := st.count(ctx, tg, "default", f, false)
	require.NoError(t, err)
	require.Len(t, counts, n, "every request of the batch has rows")
	for i := range n {
		want := uint64(1 + i%3)
		if i == 7 {
			want++ // the body naming user-7
		}
		require.Equal(t, want, counts[owners[i]], "rows of %s", users[i])
	}

	mech, why, err := st.erase(ctx, tg, mechanismPatchParts, "default", f)
	require.NoError(t, err)
	assert.Equal(t, mechanismPatchParts, mech, why)
	after, err := st.count(ctx, tg, "default", f, false)
	require.NoError(t, err)
	assert.Empty(t, after, "no row of the batch readable")

	var left, outside uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+logs).Scan(&left))
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+logs+" WHERE toUInt32OrZero(substring(user_id, 6)) >= 1000 OR body LIKE '%user-1999'").Scan(&outside))
	assert.Equal(t, outside, left, "only rows of users outside the batch remain")
	assert.EqualValues(t, 2000+2, left, "users 1000..1999 (2 rows on average), user-10000 and the body naming user-1999")
}

// TestBatchWaitsForRequestsInTheirAcceptRound: requests still in their accept round when the batch
// window closes join the batch (a burst of DELETEs is one batch, not two reading every table
// twice), and a round that never ends delays the batch by at most burstWait.
func TestBatchWaitsForRequestsInTheirAcceptRound(t *testing.T) {
	const window = 200 * time.Millisecond
	defer func(d time.Duration) { burstWait = d }(burstWait)
	burstWait = 400 * time.Millisecond
	cfg := createDefaultConfig()
	cfg.BatchWindow = window
	x := &dataRights{cfg: cfg, now: time.Now, wake: make(chan struct{}, 1), incoming: map[*request]struct{}{}}
	ids := func(b []*request) (out []string) {
		for _, r := range b {
			out = append(out, r.ID)
		}
		return out
	}
	now := time.Now().UnixMilli()
	first := &request{ID: "a", Tenant: "t", AcceptedAt: now}
	late := &request{ID: "b", Tenant: "t", AcceptedAt: now + 50}
	other := &request{ID: "c", Tenant: "u", AcceptedAt: now + 50} // another tenant: not waited for
	x.queue = []*request{first}
	x.incoming[late], x.incoming[other] = struct{}{}, struct{}{}
	go func() {
		time.Sleep(window + window/2) // the round ends after the window
		x.mu.Lock()
		delete(x.incoming, late)
		x.queue = append(x.queue, late)
		x.mu.Unlock()
	}()
	start := time.Now()
	assert.Equal(t, []string{"a", "b"}, ids(x.nextBatch(context.Background())))
	assert.Less(t, time.Since(start), window+burstWait, "done when the round ended")

	stuck := &request{ID: "d", Tenant: "t", AcceptedAt: time.Now().UnixMilli()}
	x.incoming = map[*request]struct{}{stuck: {}}
	second := &request{ID: "e", Tenant: "t", AcceptedAt: time.Now().UnixMilli()}
	x.queue = []*request{second}
	start = time.Now()
	assert.Equal(t, []string{"e"}, ids(x.nextBatch(context.Background())))
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, window+burstWait-20*time.Millisecond, "waited for the request in its round")
	assert.Less(t, took, window+burstWait+time.Second, "at most burstWait")
}

// TestIntegrationTraceIDLookupErased: the trace-id lookup table's rows of the subject's traces are
// found through both halves of the predicate (a span naming the user in its subject index, one
// naming the raw id only in its status message), counted per request, and erased by patch parts
// (the table takes them since migration 65; its DELETE must finish, not retry until
// mutation_timeout); another user's trace stays.
func TestIntegrationTraceIDLookupErased(t *testing.T) {
	endpoint, conn, schema, database := migratedDatabase(t, "datarights_traceids_")
	ctx := context.Background()
	spans := schema.Table(chschema.Spans).Qualified
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+spans+" (tenant_id, timestamp, trace_id, span_id, user_id, span_name, status_message) VALUES "+
		"('default', now64(9), 't1', 's1', 'user-1', 'x', ''), ('default', now64(9), 't2', 's2', '', 'y', 'card declined for user-1'), ('default', now64(9), 't3', 's3', 'user-2', 'z', ''), "+
		"('other', now64(9), 't1', 's9', 'user-9', 'x', '')"))
	x := rightsOver(t, endpoint, conn, database, testList(t))
	st := x.store
	tg := targetNamed(t, st, chschema.TraceIDTimestamps)
	f := newForms(x.list.Token, 0, 0, []string{"a"}, []string{"user-1"})
	n, err := st.count(ctx, tg, "default", f, false)
	require.NoError(t, err)
	assert.Equal(t, map[string]uint64{"a": 2}, n, "the lookup rows of traces t1 and t2 (not the other tenant's t1)")
	// A batch of more than splitUsers users counts by the join alone (count_trace_ids_join): the
	// same rows per request.
	owners, users := []string{"a", "b"}, []string{"user-1", "user-2"}
	for i := range 2 * splitUsers {
		owners, users = append(owners, fmt.Sprintf("o%d", i)), append(users, fmt.Sprintf("absent-%d", i))
	}
	big := newForms(x.list.Token, 0, 0, owners, users)
	require.Greater(t, len(big.ids), 2*splitUsers)
	n, err = st.count(ctx, tg, "default", big, false)
	require.NoError(t, err)
	assert.Equal(t, map[string]uint64{"a": 2, "b": 1}, n, "t1 and t2 for user-1, t3 for user-2, in the tenant's rows only")
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	mech, why, err := st.erase(wctx, tg, mechanismPatchParts, "default", f)
	require.NoError(t, err)
	assert.Equal(t, mechanismPatchParts, mech, why)
	var left []string
	rows, err := conn.Query(ctx, "SELECT DISTINCT concat(TenantId, '/', TraceId) FROM "+schema.Table(chschema.TraceIDTimestamps).Qualified+" ORDER BY 1")
	require.NoError(t, err)
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		left = append(left, id)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"default/t3", "other/t1"}, left, "another user's trace and another tenant's trace of the same id stay")
}

// targetNamed is the store's erasure target for table name.
func targetNamed(t *testing.T, st *chStore, name string) *target {
	t.Helper()
	for i := range st.sql.targets {
		if st.sql.targets[i].name == name {
			return &st.sql.targets[i]
		}
	}
	t.Fatalf("no target %s", name)
	return nil
}
