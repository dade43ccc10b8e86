package queryextension

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testLimits() limits { return limitsOf(createDefaultConfig()) }

func TestParseAggregate(t *testing.T) {
	ok := func(q string) *aggRequest {
		t.Helper()
		v, err := url.ParseQuery(q)
		require.NoError(t, err)
		r, err := parseAggregate(v, testLimits(), testNow)
		require.NoError(t, err, q)
		return r
	}
	r := ok("metric_name=api_requests&aggregation=sum&group_by=endpoint&interval=1h")
	assert.Equal(t, testNow.Add(-time.Hour).UnixMilli(), r.start, "default: the last hour")
	assert.Equal(t, testNow.UnixMilli(), r.end)
	assert.Equal(t, []string{"endpoint"}, r.groupBy)
	assert.Equal(t, interval{text: "1h", n: 1, unit: "HOUR", nominal: time.Hour}, r.interval)
	assert.Equal(t, "UTC", r.tz)
	assert.Equal(t, 25, r.limit)
	assert.Equal(t, fillNone, r.fill)
	assert.Equal(t, sourceMetrics, r.source)

	r = ok("metric_name=x&aggregation=p99&start_time=2026-02-01T00:00:00Z&end_time=1772323200000&interval=auto")
	assert.Equal(t, "3h", r.interval.text, "28 days / 300 buckets rounds up to 3h")
	r = ok("metric_name=x&aggregation=count&group_by=service,endpoint&group_by=http.route&attr.region=eu&attr.k8s.pod=a%20b&service=shop&tz=Europe/Berlin&limit=100&fill=zero")
	assert.Equal(t, []string{"service", "endpoint", "http.route"}, r.groupBy)
	assert.Equal(t, []filter{{"k8s.pod", "a b"}, {"region", "eu"}}, r.filters)
	assert.True(t, r.hasService)
	r = ok("source=events&aggregation=unique_users&event_name=a,b&event_name=a&group_by=event_name&interval=1w&start_time=2026-01-01T00:00:00Z")
	assert.Equal(t, []string{"a", "b"}, r.eventNames)
	assert.Equal(t, "WEEK", r.interval.unit)
	r = ok("source=events&aggregation=count&interval=all&tenant=acme")
	assert.True(t, r.interval.all)

	bad := []struct{ q, field string }{
		{"aggregation=sum", "metric_name"},
		{"metric_name=x", "aggregation"},
		{"metric_name=x&aggregation=median", "aggregation"},
		{"metric_name=x&aggregation=sum&aggregation=avg", "aggregation"},
		{"source=events&aggregation=sum", "aggregation"},
		{"source=traces&aggregation=count", "source"},
		{"metric_name=x&aggregation=sum&interval=0m", "interval"},
		{"metric_name=x&aggregation=sum&interval=30s", "interval"},
		{"metric_name=x&aggregation=sum&interval=32d", "interval"},
		{"metric_name=x&aggregation=sum&interval=1h%20--", "interval"},
		{"metric_name=x&aggregation=sum&interval=1m&start_time=2026-01-01T00:00:00Z", "interval"},
		{"metric_name=x&aggregation=sum&start_time=2026-03-02T00:00:00Z", "start_time"},
		{"metric_name=x&aggregation=sum&start_time=2020-01-01T00:00:00Z", "start_time"},
		{"metric_name=x&aggregation=sum&end_time=soon", "end_time"},
		{"metric_name=x&aggregation=sum&end_time=-5", "end_time"},
		{"metric_name=x&aggregation=sum&group_by=a,b,c,d,e,f", "group_by"},
		{"metric_name=x&aggregation=sum&group_by=a,a", "group_by"},
		{"metric_name=x&aggregation=sum&group_by=event_name%27", "group_by"},
		{"metric_name=x&aggregation=sum&group_by=1abc", "group_by"},
		{"metric_name=x&aggregation=sum&attr.a%27b=1", "attr.a'b"},
		{"metric_name=x&aggregation=sum&attr.a=%00", "attr.a"},
		{"metric_name=x&aggregation=sum&tz=Mars/Base", "tz"},
		{"metric_name=x&aggregation=sum&tz=Local", "tz"},
		{"metric_name=x&aggregation=sum&tz=UTC%27)", "tz"},
		{"metric_name=x&aggregation=sum&limit=101", "limit"},
		{"metric_name=x&aggregation=sum&limit=-1", "limit"},
		{"metric_name=x&aggregation=sum&fill=previous", "fill"},
		{"metric_name=x&aggregation=sum&groupby=a", "groupby"},
		{"metric_name=" + strings.Repeat("x", 300) + "&aggregation=sum", "metric_name"},
		{"metric_name=%ff&aggregation=sum", "metric_name"},
	}
	for _, b := range bad {
		v, err := url.ParseQuery(b.q)
		require.NoError(t, err, b.q)
		_, err = parseAggregate(v, testLimits(), testNow)
		var pe *paramError
		require.True(t, errors.As(err, &pe), "%s: %v", b.q, err)
		assert.Equal(t, b.field, pe.field, "%s: %v", b.q, err)
	}

	l := testLimits()
	l.groupAllowed = func(k string) bool { return k == "endpoint" }
	v, _ := url.ParseQuery("metric_name=x&aggregation=sum&group_by=service,endpoint")
	_, err := parseAggregate(v, l, testNow)
	require.NoError(t, err, "service is always allowed")
	v, _ = url.ParseQuery("metric_name=x&aggregation=sum&group_by=user.id")
	_, err = parseAggregate(v, l, testNow)
	require.ErrorContains(t, err, "not an allowed group key")
}

func TestParseRawAndCursor(t *testing.T) {
	v, _ := url.ParseQuery("metric_names=b,a&metric_names=a&limit=10&attr.x=1")
	r, err := parseRaw(v, testLimits(), testNow, "acme", false)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, r.names)
	c := &cursor{Name: "a", Service: "s", Hash: "18446744073709551615", TS: 5, Value: 1.5, Skip: 2, Sel: r.digest("acme")}
	v.Set("cursor", c.encode())
	r2, err := parseRaw(v, testLimits(), testNow, "acme", false)
	require.NoError(t, err)
	assert.Equal(t, c, r2.cursor)

	// The same cursor is refused for another tenant or another selection.
	_, err = parseRaw(v, testLimits(), testNow, "globex", false)
	require.ErrorContains(t, err, "cursor")
	v.Set("attr.x", "2")
	_, err = parseRaw(v, testLimits(), testNow, "acme", false)
	require.ErrorContains(t, err, "cursor")
	for _, bad := range []string{"x", "eyJ9", strings.Repeat("A", 5000)} {
		v.Set("cursor", bad)
		_, err = parseRaw(v, testLimits(), testNow, "acme", false)
		require.ErrorContains(t, err, "cursor")
	}

	v, _ = url.ParseQuery("metric_names=a&max_rows=5&format=csv")
	r, err = parseRaw(v, testLimits(), testNow, "acme", true)
	require.NoError(t, err)
	assert.Equal(t, 5, r.limit)
	v, _ = url.ParseQuery("metric_names=a&limit=5")
	_, err = parseRaw(v, testLimits(), testNow, "acme", true)
	require.ErrorContains(t, err, "limit: unknown parameter", "exports cap with max_rows")
}

// FuzzParseAggregate: any query string gets a request within the limits or a paramError naming a
// parameter; never a panic, never a key or value that is not what the checks allow.
func FuzzParseAggregate(f *testing.F) {
	for _, s := range []string{
		"metric_name=api_requests&aggregation=sum&group_by=endpoint&interval=1h",
		"source=events&aggregation=unique_users&group_by=event_name,plan&interval=1d&tz=Europe/Berlin&limit=3&fill=zero",
		"metric_name=x&aggregation=p99&attr.a=b&service=s&start_time=0&end_time=1772323200000&interval=auto",
		"metric_name=x&aggregation=sum&group_by=a%27%5D%20OR%201=1&tz=UTC%27)--",
		"metric_names=a,b&limit=5&cursor=eyJuIjoiYSJ9",
	} {
		f.Add(s)
	}
	l := testLimits()
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r, err := parseAggregate(v, l, testNow)
		if err != nil {
			var pe *paramError
			if !errors.As(err, &pe) || pe.field == "" {
				t.Fatalf("%q: error without a parameter: %v", q, err)
			}
		} else {
			if r.start >= r.end || time.Duration(r.end-r.start)*time.Millisecond > l.maxRange {
				t.Fatalf("%q: range %d..%d", q, r.start, r.end)
			}
			if len(r.groupBy) > maxGroupBy || len(r.filters) > maxFilters || r.limit < 1 || r.limit > l.maxGroups {
				t.Fatalf("%q: bounds %+v", q, r)
			}
			for _, k := range r.groupBy {
				if k != groupService && k != groupEventName && !validKey(k) {
					t.Fatalf("%q: group key %q", q, k)
				}
			}
			for _, fl := range r.filters {
				if !validKey(fl.key) || !utf8.ValidString(fl.value) {
					t.Fatalf("%q: filter %q", q, fl.key)
				}
			}
			if !r.interval.all && (int64(time.Duration(r.end-r.start)*time.Millisecond/r.interval.nominal)+1 > int64(l.maxPoints)) {
				t.Fatalf("%q: too many buckets", q)
			}
		}
		if _, err := parseRaw(v, l, testNow, "t", false); err != nil {
			var pe *paramError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: raw error without a parameter: %v", q, err)
			}
		}
	})
}
