package consentextension

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecide(t *testing.T) {
	f := func(st Status, p Policy, incomplete, want bool, reason Reason) {
		t.Helper()
		got, r := decide(st, p, incomplete)
		assert.Equal(t, want, got, "%s/%s/%v", st, p, incomplete)
		assert.Equal(t, reason, r)
	}
	f(StatusGranted, PolicyOptIn, false, true, ReasonGranted)
	f(StatusGranted, PolicyOptOut, true, true, ReasonGranted)
	f(StatusDenied, PolicyOptOut, false, false, ReasonDenied)
	f(StatusWithdrawn, PolicyOptOut, false, false, ReasonWithdrawn)
	f(StatusNone, PolicyOptIn, false, false, ReasonDefaultOptIn)
	f(StatusNone, PolicyOptOut, false, true, ReasonDefaultOptOut)
	f(StatusNone, PolicyOptOut, true, false, ReasonStoreIncomplete)
}

func TestStoreLoadsAtStart(t *testing.T) {
	b := &fakeBackend{}
	b.put(
		row{tenant: "t1", user: "a", purpose: "analytics", status: "granted", updated: ms(t0) - 10},
		row{tenant: "t1", user: "a", purpose: "analytics", status: "denied", updated: ms(t0) - 5},
		row{tenant: "t1", user: "b", purpose: "performance", status: "granted", updated: ms(t0) - 5},
		row{tenant: "t1", user: "c", purpose: "marketing", status: "granted", updated: ms(t0)}, // not configured
		row{tenant: "t1", user: "d", purpose: "analytics", status: "bogus", updated: ms(t0)},   // invalid
	)
	s, _ := testStore(t, b)
	assert.Equal(t, []bool{true}, b.loads, "start is one full load")
	assert.Equal(t, 2, s.Entries())
	an, _ := s.PurposeIndex("analytics")
	perf, _ := s.PurposeIndex("performance")
	ok, r := s.Check("t1", "a", an)
	assert.False(t, ok)
	assert.Equal(t, ReasonDenied, r)
	ok, r = s.Check("t1", "b", perf)
	assert.True(t, ok)
	assert.Equal(t, ReasonGranted, r)
	ok, r = s.Check("t1", "b", an)
	assert.True(t, ok, "balanced mode: opt-out")
	assert.Equal(t, ReasonDefaultOptOut, r)
}

func TestStoreTenantIsolation(t *testing.T) {
	s, _ := testStore(t, &fakeBackend{}, func(c *Config) { c.Mode = ModeStrict })
	_, err := s.Update(context.Background(), Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"analytics": true}})
	require.NoError(t, err)
	an, _ := s.PurposeIndex("analytics")
	ok, _ := s.Check("t1", "a", an)
	assert.True(t, ok)
	ok, r := s.Check("t2", "a", an)
	assert.False(t, ok, "a grant in t1 says nothing about t2")
	assert.Equal(t, ReasonDefaultOptIn, r)
	assert.Equal(t, "none", s.Get("t2", "a").Purposes["analytics"].Status)
}

func TestStoreUpdateWritesThrough(t *testing.T) {
	b := &fakeBackend{}
	s, clk := testStore(t, b, func(c *Config) { c.Mode = ModeStrict })
	ctx := context.Background()
	got, err := s.Update(ctx, Update{Tenant: "t1", UserID: "a", Actor: "k1", Source: "cookie-banner", PolicyVersion: "v3",
		Purposes: map[string]bool{"analytics": true, "performance": false}})
	require.NoError(t, err)
	assert.Equal(t, PurposeState{Consented: true, Status: "granted", UpdatedAt: ptr(t0), Source: "cookie-banner", PolicyVersion: "v3"}, got.Purposes["analytics"])
	assert.Equal(t, "denied", got.Purposes["performance"].Status)
	assert.Equal(t, PurposeState{Status: "none", DefaultApplies: true}, got.Purposes["diagnostics"])
	assert.Equal(t, "opt_in", got.DefaultPolicy)

	// Same millisecond: the withdrawal is still ordered after the grant.
	got, err = s.Update(ctx, Update{Tenant: "t1", UserID: "a", Actor: "k1", Source: "settings", Purposes: map[string]bool{"analytics": false}})
	require.NoError(t, err)
	assert.Equal(t, "withdrawn", got.Purposes["analytics"].Status)
	assert.Equal(t, ms(t0)+1, got.Purposes["analytics"].UpdatedAt.UnixMilli())

	clk.add(time.Second)
	_, err = s.Update(ctx, Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"performance": false}})
	require.NoError(t, err)

	require.Len(t, b.history, 4)
	h := b.history
	assert.Equal(t, []string{"analytics", "performance", "analytics", "performance"}, []string{h[0].purpose, h[1].purpose, h[2].purpose, h[3].purpose})
	assert.Equal(t, []Status{StatusNone, StatusNone, StatusGranted, StatusDenied}, []Status{h[0].previous, h[1].previous, h[2].previous, h[3].previous})
	assert.Equal(t, []string{"granted", "denied", "withdrawn", "denied"}, []string{h[0].status, h[1].status, h[2].status, h[3].status})
	assert.Equal(t, "k1", h[0].actor)

	// A restarted store sees what the first one wrote.
	s2, _ := testStore(t, b, func(c *Config) { c.Mode = ModeStrict })
	assert.Equal(t, s.Get("t1", "a"), s2.Get("t1", "a"))
}

func ptr[T any](v T) *T { return &v }

func TestStoreUpdateFailureChangesNothing(t *testing.T) {
	b := &fakeBackend{writeErr: errBoom}
	s, _ := testStore(t, b)
	_, err := s.Update(context.Background(), Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"analytics": false}})
	require.ErrorIs(t, err, ErrStorage)
	an, _ := s.PurposeIndex("analytics")
	ok, r := s.Check("t1", "a", an)
	assert.True(t, ok)
	assert.Equal(t, ReasonDefaultOptOut, r)

	_, err = s.Update(context.Background(), Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"marketing": true}})
	require.ErrorIs(t, err, ErrUnknownPurpose)
}

func TestStoreRefreshConverges(t *testing.T) {
	b := &fakeBackend{}
	s1, clk1 := testStore(t, b)
	s2, clk2 := testStore(t, b)
	ctx := context.Background()
	an, _ := s1.PurposeIndex("analytics")

	_, err := s1.Update(ctx, Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"analytics": false}})
	require.NoError(t, err)
	ok, _ := s2.Check("t1", "a", an)
	assert.True(t, ok, "s2 has not refreshed yet")
	clk2.add(2 * time.Second)
	require.NoError(t, s2.refresh(ctx))
	ok, r := s2.Check("t1", "a", an)
	assert.False(t, ok)
	assert.Equal(t, ReasonDenied, r)

	// A row stamped by a lagging clock (30s behind) is still read thanks to the lookback.
	b.put(row{tenant: "t1", user: "late", purpose: "analytics", status: "denied", updated: ms(t0) - 30_000})
	clk1.add(2 * time.Second)
	require.NoError(t, s1.refresh(ctx))
	ok, _ = s1.Check("t1", "late", an)
	assert.False(t, ok)

	// An older version read again later does not undo a newer one.
	b.put(row{tenant: "t1", user: "a", purpose: "analytics", status: "granted", updated: ms(t0) - 1})
	require.NoError(t, s2.refresh(ctx))
	ok, _ = s2.Check("t1", "a", an)
	assert.False(t, ok)
}

func TestStoreRefreshErrorKeepsState(t *testing.T) {
	b := &fakeBackend{}
	b.put(row{tenant: "t1", user: "a", purpose: "analytics", status: "denied", updated: ms(t0)})
	s, _ := testStore(t, b)
	b.loadErr = errBoom
	require.ErrorIs(t, s.refresh(context.Background()), errBoom)
	require.ErrorIs(t, s.reload(context.Background()), errBoom)
	an, _ := s.PurposeIndex("analytics")
	ok, _ := s.Check("t1", "a", an)
	assert.False(t, ok, "the last known state stays enforced")
}

func TestStoreStartFailsWhenUnreadable(t *testing.T) {
	cfg := createDefaultConfig()
	s := newStore(cfg, &fakeBackend{loadErr: errBoom}, zapNop(), nopTel(t))
	require.ErrorIs(t, s.start(context.Background()), errBoom)
	// No table yet (the exporter has not migrated): start empty.
	s = newStore(cfg, &fakeBackend{noTable: true}, zapNop(), nopTel(t))
	require.NoError(t, s.start(context.Background()))
	require.NoError(t, s.shutdown())
}

func TestStoreReloadDropsDeletedAndKeepsConcurrentChanges(t *testing.T) {
	b := &fakeBackend{}
	b.put(row{tenant: "t1", user: "gone", purpose: "analytics", status: "denied", updated: ms(t0)})
	s, _ := testStore(t, b)
	an, _ := s.PurposeIndex("analytics")
	b.rows = nil // erased in ClickHouse

	// A change applied while the full read runs must survive the swap.
	s.cache.beginReload()
	s.cache.apply([]change{{tenant: "t1", user: "new", purpose: uint8(an), status: StatusDenied, updated: ms(t0)}}, nil)
	next := newTable()
	s.cache.finishReload(next, false)

	ok, _ := s.Check("t1", "gone", an)
	assert.True(t, ok, "erased record no longer applies")
	ok, _ = s.Check("t1", "new", an)
	assert.False(t, ok, "change made during the reload kept")
	assert.Equal(t, 1, s.Entries())
}

func TestStoreMaxEntriesFailsClosed(t *testing.T) {
	b := &fakeBackend{}
	for i := range 3 {
		b.put(row{tenant: "t1", user: fmt.Sprint("u", i), purpose: "analytics", status: "granted", updated: ms(t0)})
	}
	s, _ := testStore(t, b, func(c *Config) { c.MaxEntries = 2 })
	an, _ := s.PurposeIndex("analytics")
	assert.Equal(t, 2, s.Entries())
	ok, r := s.Check("t1", "someone-else", an)
	assert.False(t, ok, "balanced, but the store may miss this user's denial")
	assert.Equal(t, ReasonStoreIncomplete, r)
	_, err := s.Update(context.Background(), Update{Tenant: "t1", UserID: "x", Purposes: map[string]bool{"analytics": true}})
	require.ErrorIs(t, err, ErrStoreFull)
	// Changing an existing entry needs no room.
	_, err = s.Update(context.Background(), Update{Tenant: "t1", UserID: "u0", Purposes: map[string]bool{"analytics": false}})
	require.NoError(t, err)

	// Once ClickHouse holds few enough, a full reload clears the flag.
	b.rows = b.rows[:1]
	require.NoError(t, s.reload(context.Background()))
	ok, r = s.Check("t1", "someone-else", an)
	assert.True(t, ok)
	assert.Equal(t, ReasonDefaultOptOut, r)
}

func TestStoreLoop(t *testing.T) {
	b := &fakeBackend{}
	cfg := createDefaultConfig()
	cfg.Sync.RefreshInterval = 10 * time.Millisecond
	cfg.Sync.FullReloadInterval = 30 * time.Millisecond
	s := newStore(cfg, b, zapNop(), nopTel(t))
	require.NoError(t, s.start(context.Background()))
	b.put(row{tenant: "t1", user: "a", purpose: "analytics", status: "denied", updated: time.Now().UnixMilli()})
	an, _ := s.PurposeIndex("analytics")
	assert.Eventually(t, func() bool { ok, _ := s.Check("t1", "a", an); return !ok }, 2*time.Second, 5*time.Millisecond)
	assert.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		full := 0
		for _, f := range b.loads {
			if f {
				full++
			}
		}
		return full >= 2 && len(b.loads) > full
	}, 2*time.Second, 5*time.Millisecond, "both incremental and full reads run")
	require.NoError(t, s.shutdown())
}
