package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPoolServer serves n fake sessions, each answering with respond.
func newPoolServer(t *testing.T, n int, respond func(sql, format string) (result, error)) ([]*fakeEngine, *httptest.Server) {
	t.Helper()
	fakes := make([]*fakeEngine, n)
	engs := make([]engine, n)
	for i := range fakes {
		fakes[i] = &fakeEngine{respond: respond}
		engs[i] = fakes[i]
	}
	ts := httptest.NewServer(newServer(t.TempDir(), slog.New(slog.DiscardHandler), engs...).routes())
	t.Cleanup(ts.Close)
	return fakes, ts
}

// Two statements run at once on two sessions: each waits until the other
// has started, which one session would never allow.
func TestSessionsRunInParallel(t *testing.T) {
	var started sync.WaitGroup
	started.Add(2)
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	fakes, ts := newPoolServer(t, 2, func(sql, format string) (result, error) {
		started.Done()
		select {
		case <-both:
			return echo(sql, format)
		case <-time.After(10 * time.Second):
			return result{}, errTest("the other statement never started")
		}
	})
	var wg sync.WaitGroup
	for _, db := range []string{"a", "b"} {
		wg.Go(func() {
			res, body := post(t, ts.URL+"/?database="+db+"&max_threads=1", strings.NewReader("SELECT 1"), nil)
			assert.Equal(t, http.StatusOK, res.StatusCode, body)
		})
	}
	wg.Wait()
	// Each request's USE, SET, statement and reset ran on one session, in order.
	for _, f := range fakes {
		stmts := f.statements()
		require.Len(t, stmts, 4)
		assert.True(t, strings.HasPrefix(stmts[0], "USE "), stmts[0])
		assert.Equal(t, []string{"SET max_threads = 1", "SELECT 1", "SET max_threads = DEFAULT"}, stmts[1:])
	}
}

// Requests with query parameters take turns even with sessions free.
func TestParamRequestsTakeTurns(t *testing.T) {
	var running, most atomic.Int32
	_, ts := newPoolServer(t, 4, func(sql, format string) (result, error) {
		if strings.Contains(sql, "{x:") {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(20 * time.Millisecond)
		}
		return echo(sql, format)
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			res, body := post(t, ts.URL+"/?param_x=1", strings.NewReader("SELECT {x:UInt8}"), nil)
			assert.Equal(t, http.StatusOK, res.StatusCode, body)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), most.Load())
}

type errTest string

func (e errTest) Error() string { return string(e) }
