package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Overflow says which event a full buffer gives up.
type Overflow int

const (
	// DropOldest evicts the oldest buffered event to make room: recent events win.
	DropOldest Overflow = iota
	// DropNewest refuses the new event (TrackEvent returns ErrBufferFull).
	DropNewest
)

// Config of a Client. Start from DefaultConfig or ConfigFromEnv; the zero value is not usable.
type Config struct {
	// Endpoint is the collector's base URL, e.g. http://127.0.0.1:8080 (TELEMETRY_ENDPOINT).
	Endpoint string
	// APIKey is sent as "Authorization: Bearer <key>" when set (TELEMETRY_API_KEY).
	APIKey string
	// Enabled false turns TrackEvent into a no-op (TELEMETRY_ENABLED). Default: true.
	Enabled bool
	// SampleRate is the share of events kept, 0.0-1.0 (TELEMETRY_SAMPLE_RATE). Default: 0.1, as the
	// spec says; set 1 to keep every event.
	SampleRate float64
	// BatchSize sends a batch as soon as this many events wait (TELEMETRY_BATCH_SIZE). Requests carry
	// at most MaxRequestEvents events. Default: 100.
	BatchSize int
	// FlushInterval sends whatever waits at least this often (TELEMETRY_FLUSH_INTERVAL, seconds or a
	// Go duration). Default: 60s.
	FlushInterval time.Duration
	// BufferSize bounds the events waiting to be sent. Default: 10000.
	BufferSize int
	// Overflow is the policy of a full buffer. Default: DropOldest.
	Overflow Overflow
	// MaxRetries is how often a refused batch is retried before its events count as Failed. Default: 5.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff (with jitter) between retries; a
	// Retry-After from the server replaces it, up to MaxRetryAfter. Defaults: 500ms, 30s, 5m.
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
	// RequestTimeout bounds one HTTP request. Default: 10s.
	RequestTimeout time.Duration
	// Gzip compresses request bodies. Default: true.
	Gzip bool
	// ServiceName is sent as X-Service-Name and becomes the events' service.name (OTEL_SERVICE_NAME).
	ServiceName string
	// HTTPClient sends the requests. Default: a client with RequestTimeout.
	HTTPClient *http.Client
}

// MaxRequestEvents is the most events one request carries: the receiver's default max_batch_events.
const MaxRequestEvents = 1000

// DefaultConfig returns the defaults documented on Config, without an endpoint.
func DefaultConfig() Config {
	return Config{
		Enabled:        true,
		SampleRate:     0.1,
		BatchSize:      100,
		FlushInterval:  60 * time.Second,
		BufferSize:     10000,
		Overflow:       DropOldest,
		MaxRetries:     5,
		MinBackoff:     500 * time.Millisecond,
		MaxBackoff:     30 * time.Second,
		MaxRetryAfter:  5 * time.Minute,
		RequestTimeout: 10 * time.Second,
		Gzip:           true,
	}
}

// ConfigFromEnv returns DefaultConfig overridden by the TELEMETRY_* variables (and
// OTEL_SERVICE_NAME); a malformed variable is an error naming it.
func ConfigFromEnv() (Config, error) {
	return configFrom(os.LookupEnv)
}

func configFrom(lookup func(string) (string, bool)) (Config, error) {
	c := DefaultConfig()
	var errs []error
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	bad := func(name, v, want string) { errs = append(errs, fmt.Errorf("%s=%q: %s", name, v, want)) }
	if v, ok := get("TELEMETRY_ENDPOINT"); ok {
		c.Endpoint = v
	}
	if v, ok := get("TELEMETRY_API_KEY"); ok {
		c.APIKey = v
	}
	if v, ok := get("OTEL_SERVICE_NAME"); ok {
		c.ServiceName = v
	}
	if v, ok := get("TELEMETRY_ENABLED"); ok {
		switch strings.ToLower(v) {
		case "true", "1", "yes", "on":
			c.Enabled = true
		case "false", "0", "no", "off":
			c.Enabled = false
		default:
			bad("TELEMETRY_ENABLED", v, "must be true or false")
		}
	}
	if v, ok := get("TELEMETRY_SAMPLE_RATE"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 {
			bad("TELEMETRY_SAMPLE_RATE", v, "must be a number from 0.0 to 1.0")
		} else {
			c.SampleRate = f
		}
	}
	if v, ok := get("TELEMETRY_BATCH_SIZE"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			bad("TELEMETRY_BATCH_SIZE", v, "must be an integer from 1 to 1000000")
		} else {
			c.BatchSize = n
		}
	}
	if v, ok := get("TELEMETRY_FLUSH_INTERVAL"); ok {
		d, err := parseSeconds(v)
		if err != nil || d <= 0 || d > 24*time.Hour {
			bad("TELEMETRY_FLUSH_INTERVAL", v, "must be seconds (60, 0.5) or a Go duration (1m30s) up to 24h")
		} else {
			c.FlushInterval = d
		}
	}
	return c, errors.Join(errs...)
}

// parseSeconds reads "60" or "0.5" as seconds, anything else as a Go duration.
func parseSeconds(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}

func (c *Config) validate() error {
	var errs []error
	if c.Enabled {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("Endpoint %q must be an http(s) base URL such as http://127.0.0.1:8080", c.Endpoint))
		}
	}
	if c.SampleRate < 0 || c.SampleRate > 1 {
		errs = append(errs, fmt.Errorf("SampleRate must be from 0.0 to 1.0, got %v", c.SampleRate))
	}
	if c.BatchSize < 1 {
		errs = append(errs, fmt.Errorf("BatchSize must be positive, got %d", c.BatchSize))
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("FlushInterval must be positive, got %s", c.FlushInterval))
	}
	if c.BufferSize < 1 {
		errs = append(errs, fmt.Errorf("BufferSize must be positive, got %d", c.BufferSize))
	}
	if c.Overflow != DropOldest && c.Overflow != DropNewest {
		errs = append(errs, fmt.Errorf("Overflow must be DropOldest or DropNewest, got %d", c.Overflow))
	}
	if c.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("MaxRetries must not be negative, got %d", c.MaxRetries))
	}
	if c.MinBackoff <= 0 || c.MaxBackoff < c.MinBackoff || c.MaxRetryAfter < 0 {
		errs = append(errs, errors.New("backoff must satisfy 0 < MinBackoff <= MaxBackoff and MaxRetryAfter >= 0"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("RequestTimeout must be positive, got %s", c.RequestTimeout))
	}
	return errors.Join(errs...)
}
