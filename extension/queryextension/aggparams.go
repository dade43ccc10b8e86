package queryextension

import (
	"net/url"
	"slices"
	"sync"
	"time"
)

// Sources, aggregations and fills of /metrics/aggregate.
const (
	sourceMetrics = "metrics"
	sourceEvents  = "events"
	sourceSpans   = "spans"
	sourceLogs    = "logs"

	fillNone = "none"
	fillZero = "zero"
	fillNull = "null"

	groupService   = "service"
	groupEventName = "event_name"
	groupSeverity  = "severity"
)

var (
	metricAggregations = []string{"sum", "avg", "min", "max", "count", "rate", "p50", "p90", "p95", "p99"}
	eventAggregations  = []string{"count", "unique_users", "weighted_count"}
	spanAggregations   = []string{"count", "traces", "errors", "weighted_count", "weighted_traces", "weighted_errors"}
	logAggregations    = []string{"count", "errors", "weighted_count"}
	fills              = []string{fillNone, fillZero, fillNull}
)

// aggRequest is one parsed /metrics/aggregate request.
type aggRequest struct {
	selection
	source      string
	metric      string   // source=metrics
	eventNames  []string // source=events, optional
	spanNames   []string // source=spans, optional
	aggregation string
	groupBy     []string
	interval    interval
	tz          string
	loc         *time.Location
	limit       int
	fill        string
	maxRows     int // exports only
}

func parseAggregate(v url.Values, l limits, now time.Time) (*aggRequest, error) {
	return parseAggregateFor(v, l, now, false)
}

// parseAggregateFor parses /metrics/aggregate, or with export an aggregate export (which also
// takes format and max_rows).
func parseAggregateFor(v url.Values, l limits, now time.Time, export bool) (*aggRequest, error) {
	p := newParams(v)
	sel, err := p.selection(l, now)
	if err != nil {
		return nil, err
	}
	r := &aggRequest{selection: sel}
	if r.source, err = p.one("source"); err != nil {
		return nil, err
	}
	if r.source == "" {
		r.source = sourceMetrics
	}
	allowedAggs := metricAggregations
	switch r.source {
	case sourceMetrics:
		if r.metric, err = p.one("metric_name"); err != nil {
			return nil, err
		}
		if r.metric == "" {
			return nil, badParam("metric_name", "is required")
		}
		if err := checkText("metric_name", r.metric, maxNameLen); err != nil {
			return nil, err
		}
	case sourceEvents:
		allowedAggs = eventAggregations
		if r.eventNames, err = p.names("event_name", false); err != nil {
			return nil, err
		}
	case sourceSpans:
		allowedAggs = spanAggregations
		if r.spanNames, err = p.names("span_name", false); err != nil {
			return nil, err
		}
	case sourceLogs:
		allowedAggs = logAggregations
	default:
		return nil, badParam("source", "must be metrics, events, spans or logs")
	}
	if r.aggregation, err = p.one("aggregation"); err != nil {
		return nil, err
	}
	if r.aggregation == "" {
		return nil, badParam("aggregation", "is required")
	}
	if !slices.Contains(allowedAggs, r.aggregation) {
		return nil, badParam("aggregation", "%q is not one of %v for source=%s", r.aggregation, allowedAggs, r.source)
	}
	r.groupBy = p.list("group_by")
	if len(r.groupBy) > maxGroupBy {
		return nil, badParam("group_by", "at most %d keys", maxGroupBy)
	}
	for i, k := range r.groupBy {
		switch {
		case slices.Index(r.groupBy, k) != i:
			return nil, badParam("group_by", "%q is listed twice", k)
		case k == groupService || (k == groupEventName && r.source == sourceEvents):
		case r.source == sourceSpans && spanColumnKey(k) != "":
		case r.source == sourceLogs && k == groupSeverity:
		case !validKey(k):
			return nil, badParam("group_by", "key must be 1-128 of A-Z a-z 0-9 _ . - / : starting with a letter or _")
		case l.groupAllowed != nil && !l.groupAllowed(k):
			return nil, badParam("group_by", "%q is not an allowed group key", k)
		}
	}
	ivText, err := p.one("interval")
	if err != nil {
		return nil, err
	}
	if r.interval, err = chooseInterval(ivText, r.end-r.start, l.maxPoints); err != nil {
		return nil, err
	}
	if r.tz, err = p.one("tz"); err != nil {
		return nil, err
	}
	if r.tz == "" {
		r.tz = "UTC"
	}
	if len(r.tz) > 64 || !tzPattern.MatchString(r.tz) {
		return nil, badParam("tz", "must be an IANA time zone such as Europe/Berlin")
	}
	if r.loc, err = loadLocation(r.tz); err != nil || r.tz == "Local" {
		return nil, badParam("tz", "unknown time zone %q", r.tz)
	}
	if r.limit, err = p.intParam("limit", min(defaultGroups, l.maxGroups), l.maxGroups); err != nil {
		return nil, err
	}
	if r.fill, err = p.one("fill"); err != nil {
		return nil, err
	}
	if r.fill == "" {
		r.fill = fillNone
	}
	if !slices.Contains(fills, r.fill) {
		return nil, badParam("fill", "must be none, zero or null")
	}
	if export {
		if r.maxRows, err = p.intParam("max_rows", l.maxExport, l.maxExport); err != nil {
			return nil, err
		}
		if _, err := p.one("format"); err != nil {
			return nil, err
		}
	}
	return r, p.unknown()
}

// locations caches time zones: time.LoadLocation reads the zone database on every call. Only valid
// names are kept, so the cache holds at most the IANA zones.
var locations sync.Map

func loadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}
