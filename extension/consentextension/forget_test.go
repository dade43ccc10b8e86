package consentextension

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// TestCacheForgetDuringReload: an erasure while a full reload reads ClickHouse (which may still hold
// the user's rows) is not undone by the reload's swap.
func TestCacheForgetDuringReload(t *testing.T) {
	c := newCache(100)
	grant := change{tenant: "t", user: "u", purpose: 0, status: StatusGranted, updated: 1}
	other := change{tenant: "t", user: "v", purpose: 0, status: StatusGranted, updated: 1}
	c.apply([]change{grant, other}, nil)
	c.beginReload()
	next := newTable()
	next.apply(grant, 0, 0, 100) // read before the rows were deleted
	next.apply(other, 0, 0, 100)
	c.forget("t", "u")
	if st, _ := c.lookup("t", "u", 0); st != StatusNone {
		t.Fatalf("right after forget: %v", st)
	}
	c.finishReload(next, false)
	if st, _ := c.lookup("t", "u", 0); st != StatusNone {
		t.Errorf("after the reload: %v, want none", st)
	}
	if st, _ := c.lookup("t", "v", 0); st != StatusGranted {
		t.Errorf("another user: %v, want granted", st)
	}
	if n := c.entries(); n != 1 {
		t.Errorf("entries %d, want 1", n)
	}
}

// TestGetHidesConsentsOlderThanAnErasure: another collector accepted the user's erasure (this one
// learns it from the suppression list, not by Forget): consents given before it are reported as
// none, a grant after it (a new relationship) stands, other users and tenants are untouched.
func TestGetHidesConsentsOlderThanAnErasure(t *testing.T) {
	s, clk := testStore(t, &fakeBackend{}, func(c *Config) { c.Mode = ModeStrict })
	ctx := context.Background()
	for _, u := range []Update{
		{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"analytics": true, "performance": true}},
		{Tenant: "t1", UserID: "b", Purposes: map[string]bool{"analytics": true}},
		{Tenant: "t2", UserID: "a", Purposes: map[string]bool{"analytics": true}},
	} {
		_, err := s.Update(ctx, u)
		require.NoError(t, err)
	}
	list, err := suppression.NewList([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	s.erased.list.Store(list)
	clk.add(time.Second)
	list.Put(suppression.Entry{Tenant: "t1", Subject: list.Subject("a"), RequestID: "del-1", Since: ms(clk.now())})

	got := s.Get("t1", "a")
	for _, p := range []string{"analytics", "performance"} {
		assert.Equal(t, PurposeState{Status: "none", DefaultApplies: true}, got.Purposes[p], p)
	}
	assert.Equal(t, "granted", s.Get("t1", "b").Purposes["analytics"].Status, "another user")
	assert.Equal(t, "granted", s.Get("t2", "a").Purposes["analytics"].Status, "the same id in another tenant")

	clk.add(time.Second)
	_, err = s.Update(ctx, Update{Tenant: "t1", UserID: "a", Purposes: map[string]bool{"analytics": true}})
	require.NoError(t, err)
	got = s.Get("t1", "a")
	assert.True(t, got.Purposes["analytics"].Consented, "a grant after the erasure stands")
	assert.Equal(t, "none", got.Purposes["performance"].Status)
}
