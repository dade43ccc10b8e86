package datarightsextension

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eachTable runs the selected tables' statements together: each call here waits until every
// selected one has started, which calls made one after another never would.
func TestEachTableRunsTogether(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	tables := make([]bound, len(names))
	for i, n := range names {
		tables[i] = bound{t: &target{name: n}}
	}
	selected := func(tg *target) bool { return tg.name != "c" }
	var started sync.WaitGroup
	started.Add(3)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var mu sync.Mutex
	var ran []int
	err := eachTable(3, tables, selected, func(i int, b bound) error {
		mu.Lock()
		ran = append(ran, i)
		mu.Unlock()
		started.Done()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			return errors.New("ran one after another")
		}
		if b.t.name == "d" {
			return errors.New("d failed")
		}
		return nil
	})
	require.EqualError(t, err, "d failed")
	assert.ElementsMatch(t, []int{0, 1, 3}, ran, "only the selected tables, with their indexes")
	assert.NoError(t, eachTable(3, tables, func(*target) bool { return false }, func(int, bound) error { return errors.New("called") }))
}

// eachTable runs at most parallel statements at once (parallel_statements), and every selected one.
func TestEachTableBounded(t *testing.T) {
	tables := make([]bound, 6)
	for i := range tables {
		tables[i] = bound{t: &target{name: string(rune('a' + i))}}
	}
	f := func(parallel int, want int32) {
		t.Helper()
		var running, most, calls atomic.Int32
		require.NoError(t, eachTable(parallel, tables, func(*target) bool { return true }, func(int, bound) error {
			calls.Add(1)
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
			return nil
		}))
		assert.EqualValues(t, len(tables), calls.Load())
		assert.Equal(t, want, most.Load(), "at once with parallel %d", parallel)
	}
	f(2, 2)
	f(1, 1)
	f(0, 1)
	f(10, 6)
}

// The erasure's statements carry max_threads when it is set, without changing the shared settings.
func TestStatementThreads(t *testing.T) {
	f := func(threads int, want clickhouse.Settings) {
		t.Helper()
		s := &chStore{threads: threads}
		assert.Equal(t, want, s.settings(patchSettings))
	}
	f(0, patchSettings)
	f(1, clickhouse.Settings{"max_threads": 1, "lightweight_delete_mode": "lightweight_update_force", "mutations_sync": 0, "lightweight_deletes_sync": 0, "max_query_size": maxQuerySize})
	assert.NotContains(t, patchSettings, "max_threads")
}
