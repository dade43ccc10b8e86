package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// send delivers one batch, retrying what may succeed later; every event ends up in exactly one of
// Sent, Rejected or Failed.
func (c *Client) send(ctx context.Context, batch [][]byte) {
	body, err := c.encode(batch)
	if err != nil { // cannot happen with events marshalled by TrackEvent; count rather than lose silently
		c.fail(int64(len(batch)), err)
		return
	}
	for attempt := 0; ; attempt++ {
		res, retryAfter, err := c.post(ctx, body)
		switch {
		case err == nil:
			c.sent.Add(int64(res.Accepted))
			c.rejected.Add(int64(res.Rejected))
			return
		case errors.Is(err, errTooLarge) && len(batch) > 1:
			half := len(batch) / 2
			c.send(ctx, batch[:half])
			c.send(ctx, batch[half:])
			return
		case !retryable(err) || attempt >= c.cfg.MaxRetries:
			c.fail(int64(len(batch)), err)
			return
		}
		delay := c.backoff(attempt)
		if retryAfter > 0 {
			delay = min(retryAfter, c.cfg.MaxRetryAfter)
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
			c.retries.Add(1)
		case <-ctx.Done():
			t.Stop()
			c.fail(int64(len(batch)), fmt.Errorf("giving up on retry: %w (last error: %v)", ctx.Err(), err))
			return
		}
	}
}

func (c *Client) fail(n int64, err error) {
	c.failed.Add(n)
	c.lastErr.Store(&err)
}

// backoff is exponential from MinBackoff up to MaxBackoff, with "equal jitter": half fixed, half
// random, so synchronized clients spread out but never retry at once.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.MaxBackoff
	if attempt < 30 {
		d = min(c.cfg.MinBackoff<<attempt, c.cfg.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

func (c *Client) encode(batch [][]byte) ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(`{"events":[`)
	for i, e := range batch {
		if i > 0 {
			raw.WriteByte(',')
		}
		raw.Write(e)
	}
	raw.WriteString(`]}`)
	if !c.cfg.Gzip {
		return raw.Bytes(), nil
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

type batchResult struct {
	Accepted int `json:"accepted"`
	Rejected int `json:"rejected"`
}

// statusError is a non-202 answer.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

var errTooLarge = errors.New("request too large")

func (e *statusError) Is(target error) bool {
	return target == errTooLarge && e.status == http.StatusRequestEntityTooLarge
}

// retryable: transport errors, 408, 429 and 5xx except 501; other answers will not change.
func retryable(err error) bool {
	var se *statusError
	if !errors.As(err, &se) {
		return true
	}
	switch se.status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented:
		return false
	}
	return se.status >= 500
}

// post sends one request; retryAfter is the server's Retry-After, 0 when absent.
func (c *Client) post(ctx context.Context, body []byte) (res batchResult, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return res, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "otelcol-telemetry-go-client/1")
	if c.cfg.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	if c.cfg.ServiceName != "" {
		req.Header.Set("X-Service-Name", c.cfg.ServiceName)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return res, 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusAccepted {
		if err := json.Unmarshal(raw, &res); err != nil {
			return res, 0, fmt.Errorf("unreadable 202 answer: %w", err)
		}
		return res, 0, nil
	}
	if resp.StatusCode == http.StatusBadRequest {
		// a batch whose every event was invalid: count them as rejected, not failed
		if json.Unmarshal(raw, &res) == nil && res.Rejected > 0 {
			return res, 0, nil
		}
	}
	return res, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), &statusError{resp.StatusCode, string(bytes.TrimSpace(raw))}
}

// parseRetryAfter reads delay-seconds or an HTTP-date (RFC 9110 10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
