package fleetstore // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"

import (
	"context"
	"sync"
	"time"
)

// Schedule is how a collector keeps up with what the rest of its fleet writes to ClickHouse. Every
// fleet-refreshed state follows it: the admin state (keys, privacy policies) in Store, the consent
// store and the suppression list.
type Schedule struct {
	// Interval between reads of changes.
	Interval time.Duration
	// Lookback is re-read on every read, to catch rows written by collectors whose clock is behind
	// or whose insert became visible late.
	Lookback time.Duration
	// FullReload is the period of complete reads (which also drop what was deleted in ClickHouse);
	// 0 reads everything only the first time.
	FullReload time.Duration
}

// ReadFunc reads the changes made at or after since and applies them; a zero since means
// everything (a complete read, replacing what is known).
type ReadFunc func(ctx context.Context, since time.Time) error

// Refresher runs a Schedule over a ReadFunc: it keeps the watermark of the last successful read,
// serialises reads and runs the loop. It holds no state of its own beyond that.
type Refresher struct {
	sched Schedule
	read  ReadFunc
	now   func() time.Time

	mu       sync.Mutex // one read at a time
	lastRead time.Time  // start of the last successful read
	lastFull time.Time

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// NewRefresher returns a refresher; now is the clock (time.Now when nil).
func NewRefresher(s Schedule, read ReadFunc, now func() time.Time) *Refresher {
	if now == nil {
		now = time.Now
	}
	return &Refresher{sched: s, read: read, now: now}
}

// Refresh reads what changed since the last successful read minus Lookback, or everything when
// nothing was read yet or FullReload has passed since the last complete read.
func (r *Refresher) Refresh(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	full := r.lastRead.IsZero() || (r.sched.FullReload > 0 && r.now().Sub(r.lastFull) >= r.sched.FullReload)
	return r.readLocked(ctx, full)
}

// Incremental reads what changed since the last successful read minus Lookback (everything when
// nothing was read yet), whatever the schedule says.
func (r *Refresher) Incremental(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readLocked(ctx, r.lastRead.IsZero())
}

// Full reads everything now.
func (r *Refresher) Full(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readLocked(ctx, true)
}

func (r *Refresher) readLocked(ctx context.Context, full bool) error {
	start := r.now()
	var since time.Time
	if !full {
		since = r.lastRead.Add(-r.sched.Lookback)
	}
	if err := r.read(ctx, since); err != nil {
		return err
	}
	r.lastRead = start
	if full {
		r.lastFull = start
	}
	return nil
}

// Start refreshes every Interval in the background until Stop; onErr is told of each failed read
// (not of the one Stop interrupts).
func (r *Refresher) Start(onErr func(error)) {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		t := time.NewTicker(r.sched.Interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := r.Refresh(ctx); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}()
}

// Stop ends the loop (aborting a read in flight) and waits for it; idempotent, and a no-op before
// Start.
func (r *Refresher) Stop() {
	r.once.Do(func() {
		if r.cancel != nil {
			r.cancel()
			<-r.done
		}
	})
}
