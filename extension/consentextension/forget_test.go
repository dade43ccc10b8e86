package consentextension

import "testing"

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
