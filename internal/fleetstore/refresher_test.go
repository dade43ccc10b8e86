package fleetstore

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRefresherSchedule(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var sinces []time.Time
	var fail error
	r := NewRefresher(Schedule{Interval: time.Second, Lookback: time.Minute, FullReload: time.Hour},
		func(_ context.Context, since time.Time) error {
			sinces = append(sinces, since)
			return fail
		}, func() time.Time { return clock })
	// f advances the clock by d, runs op and checks the since it read with (zero: everything).
	f := func(d time.Duration, op func(context.Context) error, want time.Time) {
		t.Helper()
		clock = clock.Add(d)
		sinces = nil
		require.NoError(t, op(t.Context()))
		require.Len(t, sinces, 1)
		assert.Equal(t, want, sinces[0])
	}
	start := clock
	f(0, r.Incremental, time.Time{}) // nothing read yet: everything
	f(10*time.Second, r.Refresh, start.Add(-time.Minute))
	f(10*time.Second, r.Refresh, start.Add(10*time.Second-time.Minute))
	// A failed read leaves the watermark where it was.
	fail = errors.New("engine away")
	clock = clock.Add(10 * time.Second)
	require.Error(t, r.Refresh(t.Context()))
	fail = nil
	f(10*time.Second, r.Refresh, start.Add(20*time.Second-time.Minute))
	// FullReload after the last complete read: everything again; Full at any time.
	f(time.Hour, r.Refresh, time.Time{})
	f(time.Second, r.Refresh, clock.Add(-time.Minute)) // since the complete read (the clock as f is called)
	f(time.Second, r.Full, time.Time{})
	f(time.Second, r.Incremental, clock.Add(-time.Minute)) // since the Full read (the clock as f is called)
}

func TestRefresherLoopStops(t *testing.T) {
	var reads atomic.Int64
	var errs atomic.Int64
	r := NewRefresher(Schedule{Interval: 5 * time.Millisecond},
		func(ctx context.Context, since time.Time) error {
			if reads.Add(1)%2 == 0 {
				return errors.New("every other read fails")
			}
			return nil
		}, nil)
	r.Start(func(error) { errs.Add(1) })
	require.Eventually(t, func() bool { return reads.Load() >= 4 }, 5*time.Second, time.Millisecond)
	r.Stop()
	r.Stop() // idempotent
	assert.Positive(t, errs.Load(), "failed reads are reported")
	n := reads.Load()
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, n, reads.Load(), "no read after Stop")
}
