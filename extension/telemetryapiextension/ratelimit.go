package telemetryapiextension

import (
	"sync"
	"time"
)

// maxTrackedAddrs bounds the limiter's memory when many addresses fail (a spoofing-free TCP
// client set is large but finite; past this, expired windows are swept, at most once per
// sweepEvery, and, if still full, one arbitrary entry is evicted).
const maxTrackedAddrs = 100_000

// failureLimiter counts failed authentications per client address in fixed windows. An address
// with MaxFailures failures is refused (429) until its window ends, valid key or not, so a brute
// force learns nothing while throttled.
type failureLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu        sync.Mutex
	entries   map[string]*failWindow
	nextSweep time.Time // of expired windows, once the map is full
}

// sweepEvery bounds how often a full limiter walks its entries for expired windows.
const sweepEvery = time.Second

type failWindow struct {
	start time.Time
	count int
}

func newFailureLimiter(cfg RateLimitConfig, now func() time.Time) *failureLimiter {
	return &failureLimiter{max: cfg.MaxFailures, window: cfg.Window, now: now, entries: map[string]*failWindow{}}
}

// blocked reports whether addr is throttled and for how long.
func (l *failureLimiter) blocked(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.blockedLocked(addr, l.now())
}

func (l *failureLimiter) blockedLocked(addr string, now time.Time) (time.Duration, bool) {
	w, ok := l.entries[addr]
	if !ok {
		return 0, false
	}
	end := w.start.Add(l.window)
	if !now.Before(end) {
		delete(l.entries, addr)
		return 0, false
	}
	return end.Sub(now), w.count >= l.max
}

// fail records a failure of addr and reports whether addr is now throttled.
func (l *failureLimiter) fail(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.blockedLocked(addr, now) // forgets an ended window
	w, ok := l.entries[addr]
	if !ok {
		l.makeRoom(now)
		w = &failWindow{start: now}
		l.entries[addr] = w
	}
	w.count++
	return l.blockedLocked(addr, now)
}

func (l *failureLimiter) makeRoom(now time.Time) {
	if len(l.entries) < maxTrackedAddrs {
		return
	}
	// The sweep walks every entry under the mutex every authentication takes; at most once per
	// sweepEvery, so a flood of wrong keys from new addresses cannot stall valid callers.
	if !now.Before(l.nextSweep) {
		l.nextSweep = now.Add(sweepEvery)
		for a, w := range l.entries {
			if !now.Before(w.start.Add(l.window)) {
				delete(l.entries, a)
			}
		}
	}
	for a := range l.entries {
		if len(l.entries) < maxTrackedAddrs {
			return
		}
		delete(l.entries, a)
	}
}
