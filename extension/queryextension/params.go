package queryextension

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// paramError is a 400 naming the offending query parameter.
type paramError struct{ field, msg string }

func (e *paramError) Error() string { return e.field + ": " + e.msg }

func badParam(field, format string, a ...any) *paramError {
	return &paramError{field: field, msg: fmt.Sprintf(format, a...)}
}

// Limits of the request contract (README "Common parameters").
const (
	maxNames        = 20
	maxFilters      = 10
	maxGroupBy      = 5
	maxNameLen      = 256
	maxValueLen     = 1024
	defaultPageSize = 1000
	defaultGroups   = 25
	autoBuckets     = 300
	attrPrefix      = "attr."
)

// keyPattern: attribute keys usable in group_by and attr.<key> filters.
var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-/:]{0,127}$`)

func validKey(k string) bool { return keyPattern.MatchString(k) }

// limits are the configured bounds the parser enforces.
type limits struct {
	maxRange     time.Duration
	maxPoints    int
	maxGroups    int
	maxPageSize  int
	maxExport    int
	groupAllowed func(string) bool
}

func limitsOf(c *Config) limits {
	l := limits{maxRange: c.MaxRange, maxPoints: c.MaxPointsPerSeries, maxGroups: c.MaxGroups,
		maxPageSize: c.MaxPageSize, maxExport: c.Export.MaxRows}
	if len(c.GroupKeys) > 0 {
		allowed := slices.Clone(c.GroupKeys)
		l.groupAllowed = func(k string) bool { return slices.Contains(allowed, k) }
	}
	return l
}

type filter struct{ key, value string }

// selection is what every route filters on.
type selection struct {
	start, end int64 // epoch ms, [start, end)
	service    string
	hasService bool
	filters    []filter
}

// params reads url.Values once, remembering which names were consumed so that unknown ones are
// reported (a typo such as group-by must not silently widen the answer).
type params struct {
	v    url.Values
	used map[string]bool
}

func newParams(v url.Values) *params { return &params{v: v, used: map[string]bool{"tenant": true}} }

// one returns the single value of name ("" when absent); a repeated parameter is an error.
func (p *params) one(name string) (string, error) {
	p.used[name] = true
	vs := p.v[name]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", badParam(name, "given %d times, expected once", len(vs))
}

// list returns the values of a repeatable, comma-separable parameter, empty entries dropped.
func (p *params) list(name string) []string {
	p.used[name] = true
	var out []string
	for _, v := range p.v[name] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (p *params) unknown() error {
	var names []string
	for k := range p.v {
		// An empty name ("a=1&=x", "a=1&&b=2" from careless URL building) names nothing to reject.
		if k != "" && !p.used[k] && !strings.HasPrefix(k, attrPrefix) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return badParam(names[0], "unknown parameter")
}

func checkText(field, v string, max int) error {
	switch {
	case len(v) > max:
		return badParam(field, "must be at most %d bytes", max)
	case !utf8.ValidString(v):
		return badParam(field, "must be valid UTF-8")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return badParam(field, "must not contain control characters")
		}
	}
	return nil
}

// parseTime accepts RFC 3339 or epoch milliseconds.
func parseTime(field, s string) (int64, error) {
	if s == "" {
		return 0, badParam(field, "must not be empty")
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < 0 || ms > maxEpochMs {
			return 0, badParam(field, "epoch milliseconds must be between 0 and %d", int64(maxEpochMs))
		}
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, badParam(field, "must be RFC 3339 (2026-03-01T12:00:00Z) or epoch milliseconds")
	}
	ms := t.UnixMilli()
	if t.Year() < 1970 || ms > maxEpochMs {
		return 0, badParam(field, "must be between 1970 and 2262")
	}
	return ms, nil
}

// maxEpochMs is the last millisecond DateTime64(9) holds (2262-04-11).
const maxEpochMs = math.MaxInt64 / int64(time.Millisecond)

func (p *params) selection(l limits, now time.Time) (selection, error) {
	var s selection
	startS, err := p.one("start_time")
	if err != nil {
		return s, err
	}
	endS, err := p.one("end_time")
	if err != nil {
		return s, err
	}
	s.end = now.UnixMilli()
	if endS != "" {
		if s.end, err = parseTime("end_time", endS); err != nil {
			return s, err
		}
	}
	s.start = s.end - time.Hour.Milliseconds()
	if startS != "" {
		if s.start, err = parseTime("start_time", startS); err != nil {
			return s, err
		}
	}
	if s.start >= s.end {
		return s, badParam("start_time", "must be before end_time")
	}
	if time.Duration(s.end-s.start)*time.Millisecond > l.maxRange {
		return s, badParam("start_time", "the range end_time - start_time exceeds the maximum of %s", l.maxRange)
	}
	if vs, ok := p.v["service"]; ok {
		if s.service, err = p.one("service"); err != nil {
			return s, err
		}
		if err := checkText("service", s.service, maxNameLen); err != nil {
			return s, err
		}
		s.hasService = len(vs) == 1
	}
	p.used["service"] = true
	var keys []string
	for k := range p.v {
		if strings.HasPrefix(k, attrPrefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) > maxFilters {
		return s, badParam(keys[maxFilters], "at most %d attr. filters", maxFilters)
	}
	for _, k := range keys {
		key := strings.TrimPrefix(k, attrPrefix)
		if !validKey(key) {
			return s, badParam(k, "attribute key must be 1-128 of A-Z a-z 0-9 _ . - / : starting with a letter or _")
		}
		v, err := p.one(k)
		if err != nil {
			return s, err
		}
		if err := checkText(k, v, maxValueLen); err != nil {
			return s, err
		}
		s.filters = append(s.filters, filter{key: key, value: v})
	}
	return s, nil
}

// names reads a list parameter of metric or event names.
func (p *params) names(field string, required bool) ([]string, error) {
	names := p.list(field)
	if len(names) == 0 && required {
		return nil, badParam(field, "is required")
	}
	if len(names) > maxNames {
		return nil, badParam(field, "at most %d names", maxNames)
	}
	for _, n := range names {
		if err := checkText(field, n, maxNameLen); err != nil {
			return nil, err
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// intParam reads an optional positive integer up to max.
func (p *params) intParam(field string, def, max int) (int, error) {
	s, err := p.one(field)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, badParam(field, "must be a positive integer")
	}
	if n > max {
		return 0, badParam(field, "must be at most %d", max)
	}
	return n, nil
}
