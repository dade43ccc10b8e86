package consentextension

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fillCache adds users × purposes granted entries for tenant t1 directly (no backend), with user
// ids shaped like real ones (a 36-byte UUID-like string).
func fillCache(c *cache, users, purposes int) []string {
	ids := make([]string, users)
	batch := make([]change, 0, applyBatch)
	for u := range users {
		ids[u] = fmt.Sprintf("%08x-0000-4000-8000-%012d", u, u)
		for p := range purposes {
			batch = append(batch, change{tenant: "t1", user: ids[u], purpose: uint8(p), status: StatusGranted,
				updated: int64(1_700_000_000_000 + u), source: "cookie-banner", policyVersion: "v1"})
			if len(batch) == cap(batch) {
				c.apply(batch, nil)
				batch = batch[:0]
			}
		}
	}
	c.apply(batch, nil)
	return ids
}

// BenchmarkCheckHit is the per-record cost of the consent processor's lookup on a cache hit, in a
// store of 100k users × 3 purposes. The user id is a string taken from pdata: no copy, no key
// building.
func BenchmarkCheckHit(b *testing.B) {
	cfg := createDefaultConfig()
	s := newStore(cfg, memoryBackend{}, nil, nil)
	ids := fillCache(s.cache, 100_000, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if ok, _ := s.Check("t1", ids[i%len(ids)], 2); !ok {
			b.Fatal("want consented")
		}
	}
}

// BenchmarkCheckHitParallel shows the read lock under concurrent pipelines.
func BenchmarkCheckHitParallel(b *testing.B) {
	s := newStore(createDefaultConfig(), memoryBackend{}, nil, nil)
	ids := fillCache(s.cache, 100_000, 3)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Check("t1", ids[i%len(ids)], 1)
			i++
		}
	})
}

// BenchmarkCheckMiss: a user without a record (default policy).
func BenchmarkCheckMiss(b *testing.B) {
	s := newStore(createDefaultConfig(), memoryBackend{}, nil, nil)
	fillCache(s.cache, 100_000, 3)
	miss := "ffffffff-0000-4000-8000-999999999999"
	b.ReportAllocs()
	for b.Loop() {
		s.Check("t1", miss, 0)
	}
}

func TestCheckDoesNotAllocate(t *testing.T) {
	s := newStore(createDefaultConfig(), memoryBackend{}, nil, nil)
	ids := fillCache(s.cache, 1000, 3)
	allocs := testing.AllocsPerRun(1000, func() { s.Check("t1", ids[7], 1) })
	assert.Zero(t, allocs)
}

// TestMemoryOneMillion measures the heap held by 1M consent entries (1M users × 1 purpose) and by
// 1M users × 3 purposes, for the README. Goal: ≤ 200 MB for 1M entries.
func TestMemoryOneMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~1 GB transiently (-short)")
	}
	measure := func(users, purposes int) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := newCache(10_000_000)
		fillCache(c, users, purposes) // the id slice it returns is garbage: the cache holds its own references
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(c)
		return after.HeapAlloc - before.HeapAlloc
	}
	start := time.Now()
	one := measure(1_000_000, 1)
	three := measure(1_000_000, 3)
	t.Logf("1M entries (1M users × 1 purpose): %.1f MB (%d B/entry)", float64(one)/1e6, one/1_000_000)
	t.Logf("3M entries (1M users × 3 purposes): %.1f MB (%d B/user)", float64(three)/1e6, three/1_000_000)
	t.Logf("measured in %s; user ids are 36 bytes", time.Since(start))
	assert.LessOrEqual(t, one, uint64(200_000_000), "1M entries must fit in 200 MB")
}
