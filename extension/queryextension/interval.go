package queryextension

import (
	"regexp"
	"strconv"
	"time"
)

// interval is a bucket width: n units, aligned by ClickHouse's toStartOfInterval in the request's
// time zone, or the whole range as one bucket.
type interval struct {
	text    string        // as answered: "1h", "all"
	n       int           // units per bucket
	unit    string        // MINUTE, HOUR, DAY, WEEK
	nominal time.Duration // n units (days and weeks nominally 24h and 7d)
	all     bool
}

var intervalPattern = regexp.MustCompile(`^([1-9][0-9]{0,5})([mhdw])$`)

var units = map[string]struct {
	sql string
	d   time.Duration
}{
	"m": {"MINUTE", time.Minute},
	"h": {"HOUR", time.Hour},
	"d": {"DAY", 24 * time.Hour},
	"w": {"WEEK", 7 * 24 * time.Hour},
}

const (
	minInterval = time.Minute
	maxInterval = 31 * 24 * time.Hour
)

// autoLadder are the widths interval=auto picks from, smallest first.
var autoLadder = []string{"1m", "5m", "10m", "15m", "30m", "1h", "3h", "6h", "12h", "1d", "1w"}

func parseInterval(s string) (interval, bool) {
	if s == "all" {
		return interval{text: s, all: true}, true
	}
	m := intervalPattern.FindStringSubmatch(s)
	if m == nil {
		return interval{}, false
	}
	n, _ := strconv.Atoi(m[1])
	u := units[m[2]]
	d := time.Duration(n) * u.d
	if d < minInterval || d > maxInterval {
		return interval{}, false
	}
	return interval{text: s, n: n, unit: u.sql, nominal: d}, true
}

// chooseInterval resolves interval=<text> for a range of rangeMs, checking the bucket count.
func chooseInterval(text string, rangeMs int64, maxPoints int) (interval, error) {
	span := time.Duration(rangeMs) * time.Millisecond
	if text == "" || text == "auto" {
		var iv interval
		for _, c := range autoLadder {
			iv, _ = parseInterval(c)
			if span/iv.nominal <= autoBuckets {
				break
			}
		}
		text = iv.text
	}
	iv, ok := parseInterval(text)
	if !ok {
		return iv, badParam("interval", "must be <n>m, <n>h, <n>d or <n>w between 1m and 31d, auto or all")
	}
	if !iv.all {
		// +1: a range not aligned to the buckets touches one more.
		if buckets := int64(span/iv.nominal) + 1; buckets > int64(maxPoints) {
			return iv, badParam("interval", "%s over the range gives %d buckets, more than the %d points per series allowed; use a longer interval or a shorter range", iv.text, buckets, maxPoints)
		}
	}
	return iv, nil
}

// tzPattern keeps zone names to what the IANA database uses before asking the loader.
var tzPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$`)
