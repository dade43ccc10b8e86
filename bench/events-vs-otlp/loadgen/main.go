// Command loadgen sends the same product events to the telemetry_events receiver (its JSON format)
// and to the OTLP/HTTP receiver (as OTLP JSON logs, what the events receiver would produce) and
// prints events/s of both and their ratio. Loopback targets only; the request count and the run
// time are bounded.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// apiKey, from BENCH_API_KEY (an environment variable, so the key is not in the process list), is
// sent to both targets when the collector authenticates them (run.sh with BENCH_AUTH=1).
var apiKey = os.Getenv("BENCH_API_KEY")

func main() {
	eventsURL := flag.String("events-url", "http://127.0.0.1:18090/api/v1/telemetry/events/batch", "batch route of the events receiver")
	otlpURL := flag.String("otlp-url", "http://127.0.0.1:14318/v1/logs", "OTLP/HTTP logs route")
	requests := flag.Int("requests", 2000, "requests per target and round (at most 100000)")
	batch := flag.Int("batch", 100, "events per request (at most 1000)")
	conc := flag.Int("concurrency", 4, "concurrent requests")
	rounds := flag.Int("rounds", 3, "alternating rounds; the median round counts")
	maxDur := flag.Duration("max-duration", 60*time.Second, "stop a target's round after this long (at most 5m)")
	wait := flag.Duration("wait", 30*time.Second, "wait this long for both targets to listen")
	flag.Parse()
	if err := run(*eventsURL, *otlpURL, *requests, *batch, *conc, *rounds, *maxDur, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(eventsURL, otlpURL string, requests, batch, conc, rounds int, maxDur, wait time.Duration) error {
	switch {
	case requests < 1 || requests > 100000, batch < 1 || batch > 1000, conc < 1 || conc > 64,
		rounds < 1 || rounds > 11, maxDur <= 0 || maxDur > 5*time.Minute:
		return errors.New("flags out of range (see -h)")
	}
	for _, u := range []string{eventsURL, otlpURL} {
		if err := loopbackOnly(u); err != nil {
			return err
		}
		if err := waitListening(u, wait); err != nil {
			return err
		}
	}
	evBody, otlpBody := bodies(batch)
	targets := []target{
		{name: "telemetry_events", url: eventsURL, body: evBody, want: http.StatusAccepted},
		{name: "otlp (json)", url: otlpURL, body: otlpBody, want: http.StatusOK},
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}, Timeout: 30 * time.Second}
	// warm-up: connections, pools and JIT-free but GC-warm servers on both sides
	for i := range targets {
		if _, err := targets[i].round(hc, min(requests, 200), batch, conc, maxDur); err != nil {
			return err
		}
	}
	rates := make([][]float64, len(targets))
	for range rounds {
		for i := range targets {
			r, err := targets[i].round(hc, requests, batch, conc, maxDur)
			if err != nil {
				return err
			}
			rates[i] = append(rates[i], r)
		}
	}
	fmt.Printf("%d rounds x %d requests x %d events, concurrency %d; body bytes: events %d, otlp %d\n",
		rounds, requests, batch, conc, len(evBody), len(otlpBody))
	med := make([]float64, len(targets))
	for i, t := range targets {
		slices.Sort(rates[i])
		med[i] = rates[i][len(rates[i])/2]
		fmt.Printf("%-18s %10.0f events/s (median; rounds %v)\n", t.name, med[i], rounded(rates[i]))
	}
	fmt.Printf("ratio telemetry_events / otlp = %.2fx\n", med[0]/med[1])
	return nil
}

func rounded(fs []float64) []int {
	out := make([]int, len(fs))
	for i, f := range fs {
		out[i] = int(f)
	}
	return out
}

type target struct {
	name, url string
	body      []byte
	want      int
}

// round sends n requests with conc workers and returns events/s.
func (t *target) round(hc *http.Client, n, batch, conc int, maxDur time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), maxDur)
	defer cancel()
	var next, done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				if err := t.post(ctx, hc); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err })
					}
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, fmt.Errorf("%s: %w", t.name, firstErr)
	}
	if done.Load() == 0 {
		return 0, fmt.Errorf("%s: no request completed within %s", t.name, maxDur)
	}
	return float64(done.Load()*int64(batch)) / elapsed.Seconds(), nil
}

func (t *target) post(ctx context.Context, hc *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(t.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != t.want {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	return nil
}

func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s: only loopback targets", raw)
	}
	return nil
}

func waitListening(raw string, wait time.Duration) error {
	u, _ := url.Parse(raw)
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not listening after %s: %w", u.Host, wait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// bodies renders n events as an events batch and as the OTLP JSON logs the events receiver makes
// of them (same event names, attributes and timestamps).
func bodies(n int) (events, otlp []byte) {
	var b bytes.Buffer
	b.WriteString(`{"events":[`)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "unknown_service")
	rl.Resource().Attributes().PutStr("tenant.id", "default")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver")
	base := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ts := base.Add(time.Duration(i) * time.Millisecond)
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(ts))
		a := lr.Attributes()
		if i%2 == 0 {
			fmt.Fprintf(&b, `{"event_name":"user_action","properties":{"action":"checkout","value":%d.99,"currency":"USD","items":[{"sku":"A-%d","qty":2}]},"user_id":"user%d","timestamp":%d}`,
				i, i, i, ts.UnixMilli())
			lr.SetEventName("user_action")
			a.PutStr("event.name", "user_action")
			a.PutStr("action", "checkout")
			a.PutDouble("value", float64(i)+0.99)
			a.PutStr("currency", "USD")
			item := a.PutEmptySlice("items").AppendEmpty().SetEmptyMap()
			item.PutStr("sku", fmt.Sprintf("A-%d", i))
			item.PutInt("qty", 2)
			a.PutStr("user.id", fmt.Sprintf("user%d", i))
		} else {
			fmt.Fprintf(&b, `{"event_name":"api_call","properties":{"endpoint":"/api/users","method":"GET","duration_ms":%d},"user_id":"user%d","context":{"ip":"192.168.1.%d","user_agent":"Mozilla/5.0 (X11; Linux x86_64)","session_id":"sess%d"},"timestamp":%d}`,
				i%500, i, i%250, i, ts.UnixMilli())
			lr.SetEventName("api_call")
			a.PutStr("event.name", "api_call")
			a.PutStr("endpoint", "/api/users")
			a.PutStr("method", "GET")
			a.PutInt("duration_ms", int64(i%500))
			a.PutStr("user.id", fmt.Sprintf("user%d", i))
			a.PutStr("client.address", fmt.Sprintf("192.168.1.%d", i%250))
			a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)")
			a.PutStr("session.id", fmt.Sprintf("sess%d", i))
		}
	}
	b.WriteString(`]}`)
	otlp, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		panic(err) // pdata marshals what it built
	}
	return b.Bytes(), otlp
}
