package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrClosed is returned by TrackEvent after Close.
	ErrClosed = errors.New("telemetry client is closed")
	// ErrBufferFull is returned by TrackEvent when the buffer is full and Overflow is DropNewest.
	ErrBufferFull = errors.New("telemetry buffer is full, event dropped")
	// ErrInvalidEvent is returned by TrackEvent for an event the server would reject.
	ErrInvalidEvent = errors.New("invalid event")
)

// Stats counts what happened to tracked events.
type Stats struct {
	Tracked    int64 // given to TrackEvent while enabled
	SampledOut int64 // not kept by client-side sampling
	Dropped    int64 // lost to buffer overflow or to a Close deadline
	Sent       int64 // accepted by the server (202)
	Rejected   int64 // refused by the server as invalid: not retried
	Failed     int64 // given up after retries or a permanent error
	Retries    int64 // requests repeated
	Buffered   int   // waiting now
}

// Client buffers events and sends them in batches from one background goroutine.
type Client struct {
	cfg    Config
	http   *http.Client
	url    string
	mu     sync.Mutex
	buf    *ring
	closed bool
	// threshold is SampleRate as the t-value kept events carry (SamplingThresholdProperty).
	threshold string

	wake    chan struct{}      // a full batch waits
	flushes chan flushRequest  // Flush and Close
	stop    chan struct{}      // closed by Close: the loop exits
	life    context.Context    // cancelled when Close runs out of time
	cancel  context.CancelFunc // of life
	done    chan struct{}      // the loop has exited

	tracked, sampledOut, dropped, sent, rejected, failed, retries atomic.Int64
	lastErr                                                       atomic.Pointer[error]
}

type flushRequest struct {
	done  chan struct{}
	close bool
}

// New validates cfg and starts the sender goroutine; call Close to stop it.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("telemetry client: %w", err)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: cfg.RequestTimeout}
	}
	c := &Client{
		cfg: cfg, http: hc, url: trimSlash(cfg.Endpoint) + "/api/v1/telemetry/events/batch",
		buf: newRing(cfg.BufferSize), wake: make(chan struct{}, 1), flushes: make(chan flushRequest),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	c.threshold = samplingThreshold(cfg.SampleRate)
	c.life, c.cancel = context.WithCancel(context.Background())
	go c.loop()
	return c, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// TrackEvent queues ev and returns at once. It returns nil for events dropped by sampling or
// because the client is disabled, ErrInvalidEvent for a bad name or unmarshalable properties,
// ErrBufferFull under DropNewest overflow and ErrClosed after Close. ctx is not retained.
func (c *Client) TrackEvent(ctx context.Context, ev Event) error {
	if !c.cfg.Enabled {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validName(ev.Name) {
		return fmt.Errorf("%w: event name %q must be 1-128 characters of A-Z a-z 0-9 _ . : -", ErrInvalidEvent, ev.Name)
	}
	c.tracked.Add(1)
	if c.cfg.SampleRate < 1 && rand.Float64() >= c.cfg.SampleRate {
		c.sampledOut.Add(1)
		return nil
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = time.Now()
	}
	raw, err := ev.marshal(c.threshold)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	if c.buf.full() {
		if c.cfg.Overflow == DropNewest {
			c.mu.Unlock()
			c.dropped.Add(1)
			return ErrBufferFull
		}
		c.buf.dropOldest()
		c.dropped.Add(1)
	}
	c.buf.push(raw)
	ready := c.buf.len() >= c.cfg.BatchSize
	c.mu.Unlock()
	if ready {
		select {
		case c.wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
	return nil
}

// Flush sends every event buffered when it is called and returns once they are sent (or given up),
// or with ctx's error when its deadline comes first; the flush then goes on in the background.
func (c *Client) Flush(ctx context.Context) error {
	return c.request(ctx, false)
}

// Close stops accepting events, sends what is buffered within ctx's deadline and stops the
// sender. Events still unsent at the deadline are counted as Dropped and ctx's error is returned.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		<-c.done
		return nil
	}
	err := c.request(ctx, true)
	if err != nil {
		c.cancel() // abort the request or backoff in flight
	}
	close(c.stop)
	<-c.done
	c.cancel()
	c.mu.Lock()
	lost := c.buf.take(c.buf.len())
	c.mu.Unlock()
	c.dropped.Add(int64(len(lost)))
	return err
}

func (c *Client) request(ctx context.Context, close bool) error {
	req := flushRequest{done: make(chan struct{}), close: close}
	select {
	case c.flushes <- req:
	case <-c.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the counters; LastError the most recent send failure.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	n := c.buf.len()
	c.mu.Unlock()
	return Stats{Tracked: c.tracked.Load(), SampledOut: c.sampledOut.Load(), Dropped: c.dropped.Load(),
		Sent: c.sent.Load(), Rejected: c.rejected.Load(), Failed: c.failed.Load(), Retries: c.retries.Load(),
		Buffered: n}
}

// LastError is the most recent reason a batch was not delivered, or nil.
func (c *Client) LastError() error {
	if p := c.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *Client) loop() {
	defer close(c.done)
	tick := time.NewTicker(c.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.wake:
			c.drain(c.life, c.cfg.BatchSize)
		case <-tick.C:
			c.drain(c.life, 1)
		case req := <-c.flushes:
			// Not req.ctx: a Flush that runs out of time returns, but the batches it started go on
			// (aborting them would count delivered events as Failed). Close cancels c.life itself
			// when its deadline passes.
			c.drain(c.life, 1)
			close(req.done)
			if req.close {
				return
			}
		case <-c.stop:
			return
		}
	}
}

// drain sends batches while at least minEvents wait and ctx lives.
func (c *Client) drain(ctx context.Context, minEvents int) {
	size := min(c.cfg.BatchSize, MaxRequestEvents)
	for ctx.Err() == nil {
		c.mu.Lock()
		if n := c.buf.len(); n == 0 || n < minEvents {
			c.mu.Unlock()
			return
		}
		batch := c.buf.take(size)
		c.mu.Unlock()
		c.send(ctx, batch)
	}
}
