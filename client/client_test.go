package client

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConfigFromEnv(t *testing.T) {
	f := func(env map[string]string, check func(Config), errPart string) {
		t.Helper()
		c, err := configFrom(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if errPart != "" {
			require.ErrorContains(t, err, errPart)
			return
		}
		require.NoError(t, err)
		check(c)
	}
	f(nil, func(c Config) { assert.Equal(t, DefaultConfig(), c) }, "")
	f(map[string]string{"TELEMETRY_ENDPOINT": "http://127.0.0.1:8080", "TELEMETRY_API_KEY": "k", "TELEMETRY_ENABLED": "no",
		"TELEMETRY_SAMPLE_RATE": "1", "TELEMETRY_BATCH_SIZE": "7", "TELEMETRY_FLUSH_INTERVAL": "0.5", "OTEL_SERVICE_NAME": "shop"},
		func(c Config) {
			assert.Equal(t, "http://127.0.0.1:8080", c.Endpoint)
			assert.Equal(t, "k", c.APIKey)
			assert.False(t, c.Enabled)
			assert.Equal(t, 1.0, c.SampleRate)
			assert.Equal(t, 7, c.BatchSize)
			assert.Equal(t, 500*time.Millisecond, c.FlushInterval)
			assert.Equal(t, "shop", c.ServiceName)
		}, "")
	f(map[string]string{"TELEMETRY_FLUSH_INTERVAL": "1m30s"}, func(c Config) { assert.Equal(t, 90*time.Second, c.FlushInterval) }, "")
	f(map[string]string{"TELEMETRY_SAMPLE_RATE": "1.5"}, nil, `TELEMETRY_SAMPLE_RATE="1.5"`)
	f(map[string]string{"TELEMETRY_BATCH_SIZE": "0"}, nil, "TELEMETRY_BATCH_SIZE")
	f(map[string]string{"TELEMETRY_ENABLED": "maybe"}, nil, "TELEMETRY_ENABLED")
	f(map[string]string{"TELEMETRY_FLUSH_INTERVAL": "-1"}, nil, "TELEMETRY_FLUSH_INTERVAL")

	_, err := New(DefaultConfig())
	require.ErrorContains(t, err, "Endpoint")
	cfg := DefaultConfig()
	cfg.Enabled = false
	c, err := New(cfg)
	require.NoError(t, err, "a disabled client needs no endpoint")
	require.NoError(t, c.TrackEvent(context.Background(), Event{Name: "x"}))
	require.NoError(t, c.Close(context.Background()))
	assert.Equal(t, Stats{}, c.Stats())
}

// fakeServer answers each batch request with the next of its answers (the last one repeats).
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	answers  []func(w http.ResponseWriter, events int)
	requests []http.Header
	events   [][]map[string]any
	times    []time.Time
}

func newFake(t *testing.T, answers ...func(w http.ResponseWriter, events int)) *fakeServer {
	f := &fakeServer{answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body = zr
		}
		var b struct{ Events []map[string]any }
		if err := json.NewDecoder(body).Decode(&b); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, r.Header.Clone())
		f.events = append(f.events, b.Events)
		f.times = append(f.times, time.Now())
		a := f.answers[min(len(f.requests)-1, len(f.answers)-1)]
		f.mu.Unlock()
		a(w, len(b.Events))
	}))
	t.Cleanup(f.Close)
	return f
}

func accept(w http.ResponseWriter, n int) {
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"accepted":%d,"rejected":0,"errors":[]}`, n)
}

func status(code int, retryAfter string) func(http.ResponseWriter, int) {
	return func(w http.ResponseWriter, _ int) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		fmt.Fprint(w, `{"error":{"code":"x","message":"no"}}`)
	}
}

func testConfig(url string) Config {
	c := DefaultConfig()
	c.Endpoint = url
	c.SampleRate = 1
	c.BatchSize = 10
	c.FlushInterval = time.Hour
	c.MinBackoff, c.MaxBackoff = 10*time.Millisecond, 40*time.Millisecond
	return c
}

func track(t *testing.T, c *Client, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, c.TrackEvent(context.Background(), Event{Name: n}))
	}
}

func TestHeadersGzipAndBatching(t *testing.T) {
	srv := newFake(t, accept)
	cfg := testConfig(srv.URL + "/")
	cfg.APIKey, cfg.ServiceName, cfg.BatchSize = "secret", "shop", 2
	c, err := New(cfg)
	require.NoError(t, err)
	ts := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	require.NoError(t, c.TrackEvent(context.Background(), Event{Name: "a", UserID: "u", Timestamp: ts,
		Properties: map[string]any{"n": 1}, Context: &Context{IP: "10.0.0.1", Extra: map[string]any{"locale": "de"}}}))
	require.Eventually(t, func() bool { return c.Stats().Buffered == 1 }, time.Second, time.Millisecond)
	track(t, c, "b") // the batch is full: sent without waiting for the interval
	require.Eventually(t, func() bool { return c.Stats().Sent == 2 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, c.Close(context.Background()))

	require.Len(t, srv.requests, 1)
	h := srv.requests[0]
	assert.Equal(t, "gzip", h.Get("Content-Encoding"))
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	assert.Equal(t, "Bearer secret", h.Get("Authorization"))
	assert.Equal(t, "shop", h.Get("X-Service-Name"))
	assert.Equal(t, map[string]any{"event_name": "a", "user_id": "u", "timestamp": "2025-01-02T03:04:05.000000006Z",
		"properties": map[string]any{"n": 1.0}, "context": map[string]any{"ip": "10.0.0.1", "locale": "de"}}, srv.events[0][0])
	assert.Equal(t, Stats{Tracked: 2, Sent: 2}, c.Stats())
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	srv := newFake(t, status(503, "1"), status(500, ""), accept)
	c, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	track(t, c, "a", "b")
	start := time.Now()
	require.NoError(t, c.Flush(context.Background()))
	assert.Equal(t, Stats{Tracked: 2, Sent: 2, Retries: 2}, c.Stats())
	require.Len(t, srv.times, 3)
	assert.GreaterOrEqual(t, srv.times[1].Sub(srv.times[0]), time.Second, "Retry-After: 1")
	assert.Less(t, srv.times[2].Sub(srv.times[1]), 500*time.Millisecond, "then the backoff")
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	require.NoError(t, c.Close(context.Background()))
}

func TestRetriesGiveUp(t *testing.T) {
	f := func(answer func(http.ResponseWriter, int), requests int, stats Stats) {
		t.Helper()
		srv := newFake(t, answer)
		cfg := testConfig(srv.URL)
		cfg.MaxRetries = 3
		c, err := New(cfg)
		require.NoError(t, err)
		track(t, c, "a", "b")
		require.NoError(t, c.Flush(context.Background()))
		require.NoError(t, c.Close(context.Background()))
		assert.Equal(t, stats, c.Stats())
		assert.Len(t, srv.requests, requests)
		if stats.Failed > 0 {
			assert.Error(t, c.LastError())
		}
	}
	f(status(503, ""), 4, Stats{Tracked: 2, Failed: 2, Retries: 3})
	f(status(429, ""), 4, Stats{Tracked: 2, Failed: 2, Retries: 3})
	f(status(401, ""), 1, Stats{Tracked: 2, Failed: 2})
	f(status(415, ""), 1, Stats{Tracked: 2, Failed: 2})
	f(func(w http.ResponseWriter, n int) { // every event invalid: rejected, not retried
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"accepted":0,"rejected":%d,"errors":[]}`, n)
	}, 1, Stats{Tracked: 2, Rejected: 2})
}

func TestTooLargeSplits(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, n int) {
		if n > 2 {
			status(413, "")(w, n)
			return
		}
		accept(w, n)
	})
	c, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	track(t, c, "a", "b", "c", "d", "e")
	require.NoError(t, c.Flush(context.Background()))
	require.NoError(t, c.Close(context.Background()))
	assert.Equal(t, Stats{Tracked: 5, Sent: 5}, c.Stats())
}

// blockingServer holds every request until release is called.
func blockingServer(t *testing.T) (*fakeServer, func()) {
	ch := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(ch) }) }
	srv := newFake(t, func(w http.ResponseWriter, n int) {
		<-ch
		accept(w, n)
	})
	t.Cleanup(release)
	return srv, release
}

func TestOverflow(t *testing.T) {
	f := func(policy Overflow, wantNames []string) {
		t.Helper()
		srv, release := blockingServer(t)
		cfg := testConfig(srv.URL)
		cfg.BatchSize, cfg.BufferSize, cfg.Overflow = 1, 3, policy
		c, err := New(cfg)
		require.NoError(t, err)
		track(t, c, "first") // taken by the sender, which now hangs on the server
		require.Eventually(t, func() bool { return c.Stats().Buffered == 0 }, time.Second, time.Millisecond)
		track(t, c, "a", "b", "c")
		err = c.TrackEvent(context.Background(), Event{Name: "d"})
		if policy == DropNewest {
			require.ErrorIs(t, err, ErrBufferFull)
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, int64(1), c.Stats().Dropped)
		release()
		require.NoError(t, c.Close(context.Background()))
		var names []string
		for _, batch := range srv.events {
			for _, e := range batch {
				names = append(names, e["event_name"].(string))
			}
		}
		assert.Equal(t, wantNames, names)
		assert.Equal(t, Stats{Tracked: 5, Sent: 4, Dropped: 1}, c.Stats())
	}
	f(DropNewest, []string{"first", "a", "b", "c"})
	f(DropOldest, []string{"first", "b", "c", "d"})
}

func TestCloseDeadline(t *testing.T) {
	srv := newFake(t, status(503, "60")) // would keep the client waiting for a minute
	c, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	track(t, c, "a", "b", "c")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Close(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	st := c.Stats()
	assert.Equal(t, int64(3), st.Failed+st.Dropped, "every event accounted for: %+v", st)
	assert.ErrorIs(t, c.TrackEvent(context.Background(), Event{Name: "late"}), ErrClosed)
	assert.ErrorIs(t, c.Flush(context.Background()), ErrClosed)
	assert.NoError(t, c.Close(context.Background()), "Close twice is fine")
}

func TestFlushDeadline(t *testing.T) {
	srv, release := blockingServer(t)
	c, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	track(t, c, "a")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, c.Flush(ctx), context.DeadlineExceeded)
	release()
	require.NoError(t, c.Close(context.Background()))
}

func TestIntervalFlush(t *testing.T) {
	srv := newFake(t, accept)
	cfg := testConfig(srv.URL)
	cfg.FlushInterval = 50 * time.Millisecond
	c, err := New(cfg)
	require.NoError(t, err)
	track(t, c, "a")
	require.Eventually(t, func() bool { return c.Stats().Sent == 1 }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, c.Close(context.Background()))
}

func TestSamplingAndValidation(t *testing.T) {
	var posted atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { posted.Add(1); accept(w, 0) }))
	defer srv.Close()
	cfg := testConfig(srv.URL)
	cfg.SampleRate, cfg.BufferSize = 0.25, 100000
	c, err := New(cfg)
	require.NoError(t, err)
	for range 20000 {
		require.NoError(t, c.TrackEvent(context.Background(), Event{Name: "s"}))
	}
	st := c.Stats()
	assert.Equal(t, int64(20000), st.Tracked)
	assert.InDelta(t, 15000, st.SampledOut, 600, "about 75%% sampled out")

	c.cfg.SampleRate = 1 // an unmarshalable event must not hide behind sampling in this test
	require.ErrorIs(t, c.TrackEvent(context.Background(), Event{Name: "has space"}), ErrInvalidEvent)
	require.ErrorIs(t, c.TrackEvent(context.Background(), Event{Name: "ok", Properties: map[string]any{"f": func() {}}}), ErrInvalidEvent)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.True(t, errors.Is(c.TrackEvent(ctx, Event{Name: "ok"}), context.Canceled))
	require.NoError(t, c.Close(context.Background()))
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 3*time.Second, parseRetryAfter("3", now))
	assert.Equal(t, 90*time.Second, parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), parseRetryAfter("soon", now))
	assert.Equal(t, time.Duration(0), parseRetryAfter("", now))
}

func TestBackoffBounds(t *testing.T) {
	c := &Client{cfg: testConfig("http://x")}
	for attempt := range 40 {
		d := c.backoff(attempt)
		want := min(c.cfg.MinBackoff<<min(attempt, 29), c.cfg.MaxBackoff)
		assert.GreaterOrEqual(t, d, want/2)
		assert.LessOrEqual(t, d, want)
	}
}

// A Flush that runs out of time must not abort the batch it started: Flush's doc says the flush
// goes on in the background, so the event is delivered once the server answers.
func TestFlushDeadlineKeepsSending(t *testing.T) {
	srv, release := blockingServer(t)
	c, err := New(testConfig(srv.URL))
	require.NoError(t, err)
	track(t, c, "a")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, c.Flush(ctx), context.DeadlineExceeded)
	release()
	require.NoError(t, c.Close(context.Background()))
	assert.Equal(t, Stats{Tracked: 1, Sent: 1}, c.Stats())
}
