package eventsreceiver

import "sync"

// gate lets Shutdown wait for requests that are handing events to the pipeline. Routes
// registered with the API extension cannot be removed and outlive the receiver, and the
// collector stops processors and exporters right after the receiver: a request still in
// ConsumeLogs when Shutdown returned would reach a stopped pipeline after its 202 was promised.
type gate struct {
	mu      sync.Mutex
	stopped bool
	n       int           // requests inside
	idle    chan struct{} // closed once stopped and n is 0
}

// enter admits a request; false after stop.
func (g *gate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.n++
	return true
}

func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	// After stop no request enters, so n reaches 0 once.
	if g.n == 0 && g.stopped {
		close(g.idle)
	}
}

// stop refuses new requests and returns a channel closed when the last admitted one has left;
// safe to call more than once.
func (g *gate) stop() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.stopped {
		g.stopped = true
		g.idle = make(chan struct{})
		if g.n == 0 {
			close(g.idle)
		}
	}
	return g.idle
}
