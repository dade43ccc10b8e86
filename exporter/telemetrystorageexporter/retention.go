package telemetrystorageexporter

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

const day = 24 * time.Hour

// Retention is a data lifetime written either as a number of days (`30`,
// `"30"`, `30d`, what TELEMETRY_RETENTION_DAYS provides) or as a Go duration
// (`720h`). 0 keeps data forever.
type Retention time.Duration

var _ confmap.ScalarUnmarshaler = (*Retention)(nil)

// UnmarshalScalar accepts integers (days) and strings (days, `Nd` or a duration).
func (r *Retention) UnmarshalScalar(v confmap.ScalarValue) error {
	switch raw := v.GetRaw().(type) {
	case nil:
		return confmap.ErrValueNotApplicable
	case int:
		return r.setDays(int64(raw))
	case int64:
		return r.setDays(raw)
	case uint64:
		if raw > math.MaxInt64 {
			return fmt.Errorf("retention %d days is out of range", raw)
		}
		return r.setDays(int64(raw))
	case float64:
		if raw != math.Trunc(raw) {
			return fmt.Errorf("retention %v: days must be a whole number (use a duration like 36h)", raw)
		}
		return r.setDays(int64(raw))
	case string:
		return r.parse(raw)
	default:
		return fmt.Errorf("retention: want days or a duration, got %T", raw)
	}
}

func (r *Retention) parse(s string) error {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return r.setDays(n)
	}
	if num, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.ParseInt(num, 10, 64); err == nil {
			return r.setDays(n)
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("retention %q: want days (30, 30d) or a duration (720h)", s)
	}
	*r = Retention(d)
	return nil
}

// maxDays keeps the duration inside int64 nanoseconds.
const maxDays = math.MaxInt64 / int64(day)

func (r *Retention) setDays(n int64) error {
	if n > maxDays || n < -maxDays {
		return fmt.Errorf("retention %d days is out of range", n)
	}
	*r = Retention(time.Duration(n) * day)
	return nil
}

// Duration returns the retention as a time.Duration.
func (r Retention) Duration() time.Duration { return time.Duration(r) }

// MarshalText renders whole days as `Nd`, anything else as a duration, so
// printed configuration round-trips.
func (r Retention) MarshalText() ([]byte, error) {
	d := time.Duration(r)
	if d%day == 0 {
		return []byte(strconv.FormatInt(int64(d/day), 10) + "d"), nil
	}
	return []byte(d.String()), nil
}
