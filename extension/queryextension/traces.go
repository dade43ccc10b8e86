package queryextension

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Bounds of the trace routes.
const (
	defaultTraces = 20
	maxTraces     = 200
	// maxTraceSpans is the most spans /traces/{trace_id} returns; a larger trace is truncated
	// (truncated: true), oldest spans first.
	maxTraceSpans = 10_000
)

var (
	traceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	statusValues   = map[string]string{"ok": "ok", "error": "error", "unset": "unset"}
)

// traceSearch is one parsed GET /traces.
type traceSearch struct {
	selection
	spanName, route, status, traceID string
	minNs, maxNs                     int64
	limit                            int
}

func parseTraceSearch(v url.Values, l limits, now time.Time) (*traceSearch, error) {
	p := newParams(v)
	sel, err := p.selection(l, now)
	if err != nil {
		return nil, err
	}
	r := &traceSearch{selection: sel}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"span_name", &r.spanName}, {"route", &r.route}} {
		if *f.dst, err = p.one(f.name); err != nil {
			return nil, err
		}
		if err := checkText(f.name, *f.dst, maxNameLen); err != nil {
			return nil, err
		}
	}
	st, err := p.one("status")
	if err != nil {
		return nil, err
	}
	if st != "" {
		if r.status = statusValues[strings.ToLower(st)]; r.status == "" {
			return nil, badParam("status", "must be ok, error or unset")
		}
	}
	if r.traceID, err = traceIDParam(p, "trace_id", false); err != nil {
		return nil, err
	}
	if r.minNs, err = durationParam(p, "min_duration_ms"); err != nil {
		return nil, err
	}
	if r.maxNs, err = durationParam(p, "max_duration_ms"); err != nil {
		return nil, err
	}
	if r.minNs > 0 && r.maxNs > 0 && r.minNs > r.maxNs {
		return nil, badParam("min_duration_ms", "must not exceed max_duration_ms")
	}
	if r.limit, err = p.intParam("limit", defaultTraces, maxTraces); err != nil {
		return nil, err
	}
	return r, p.unknown()
}

// traceIDParam reads a trace id: 32 hex digits (upper case accepted, answered in lower case).
func traceIDParam(p *params, name string, required bool) (string, error) {
	s, err := p.one(name)
	if err != nil {
		return "", err
	}
	if s == "" {
		if required {
			return "", badParam(name, "is required")
		}
		return "", nil
	}
	return checkTraceID(name, s)
}

func checkTraceID(name, s string) (string, error) {
	s = strings.ToLower(s)
	if !traceIDPattern.MatchString(s) || s == strings.Repeat("0", 32) {
		return "", badParam(name, "must be 32 hexadecimal digits (not all zero)")
	}
	return s, nil
}

// durationParam reads milliseconds (fractions allowed) as nanoseconds; 0 when absent.
func durationParam(p *params, name string) (int64, error) {
	s, err := p.one(name)
	if err != nil || s == "" {
		return 0, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e12 || f != f {
		return 0, badParam(name, "must be a number of milliseconds between 0 and 1e12")
	}
	return int64(f * 1e6), nil
}

// traceSummary is one row of GET /traces.
type traceSummary struct {
	TraceID     string   `json:"trace_id"`
	RootName    string   `json:"root_name"`
	RootService string   `json:"root_service"`
	RootFound   bool     `json:"root_found"`
	StartTime   string   `json:"start_time"`
	StartUs     int64    `json:"start_us"`
	DurationMs  float64  `json:"duration_ms"`
	Spans       uint64   `json:"span_count"`
	Errors      uint64   `json:"error_count"`
	SampleRate  float64  `json:"sample_rate"`
	Services    []string `json:"services"`
}

func (h *handlers) traces(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	req, err := parseTraceSearch(r.URL.Query(), h.limits, h.now())
	if err != nil {
		h.fail(w, r, routeTraces, err)
		return
	}
	out, err := h.searchTraces(r.Context(), tenantOf(r), req)
	if err != nil {
		h.fail(w, r, routeTraces, err)
		return
	}
	h.ok(w, r, routeTraces, len(out), map[string]any{
		"tenant": tenantOf(r), "start_time": msTime(req.start), "end_time": msTime(req.end),
		"limit": req.limit, "traces": out,
	})
}

func (h *handlers) searchTraces(ctx context.Context, tenant string, req *traceSearch) ([]traceSummary, error) {
	s := shape{File: "traces_search.sql", Table: h.q.spans, Service: req.hasService, NFilters: len(req.filters),
		SpanName: req.spanName != "", Route: req.route != "", Status: req.status != "", MinDur: req.minNs > 0,
		MaxDur: req.maxNs > 0, TraceID: req.traceID != ""}
	sql, err := h.q.r.render(s)
	if err != nil {
		return nil, err
	}
	args := append(selectionArgs(tenant, req.selection),
		clickhouse.Named("span_name", req.spanName), clickhouse.Named("route", req.route),
		clickhouse.Named("status", req.status), clickhouse.Named("min_ns", req.minNs), clickhouse.Named("max_ns", req.maxNs),
		clickhouse.Named("trace_id", req.traceID), clickhouse.Named("limit", req.limit))
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, args...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return []traceSummary{}, nil
		}
		return nil, err
	}
	defer rows.Close()
	out := []traceSummary{}
	for rows.Next() {
		var t traceSummary
		var firstName string
		var startNs, endNs int64
		if err := rows.Scan(&t.TraceID, &t.RootName, &t.RootService, &t.RootFound, &firstName, &startNs, &endNs,
			&t.Spans, &t.Errors, &t.SampleRate, &t.Services); err != nil {
			return nil, classify(err)
		}
		if !t.RootFound {
			t.RootName = firstName // the root span is missing (not sent yet, or sampled apart)
		}
		t.StartTime = time.Unix(0, startNs).UTC().Format(time.RFC3339Nano)
		t.StartUs = startNs / 1000
		t.DurationMs = float64(endNs-startNs) / 1e6
		out = append(out, t)
	}
	return out, classify(rows.Err())
}

// selectionArgs are the values of the range and filters placeholders.
func selectionArgs(tenant string, s selection) []any {
	args := []any{clickhouse.Named("tenant", tenant), clickhouse.Named("start", s.start), clickhouse.Named("end", s.end),
		clickhouse.Named("service", s.service)}
	for i, f := range s.filters {
		args = append(args, clickhouse.Named("f"+strconv.Itoa(i)+"k", f.key), clickhouse.Named("f"+strconv.Itoa(i)+"v", f.value))
	}
	return args
}

// spanOut is one span of GET /traces/{trace_id}. Times are microseconds since the epoch (exact in
// a JSON number), durations milliseconds.
type spanOut struct {
	SpanID        string            `json:"span_id"`
	ParentSpanID  string            `json:"parent_span_id"`
	Name          string            `json:"name"`
	Kind          string            `json:"kind"`
	Service       string            `json:"service"`
	StartUs       int64             `json:"start_us"`
	DurationMs    float64           `json:"duration_ms"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"status_message,omitempty"`
	Attributes    map[string]string `json:"attributes"`
	Resource      map[string]string `json:"resource"`
	SampleRate    float64           `json:"sample_rate"`
	Events        []spanEvent       `json:"events"`
	Links         []spanLink        `json:"links"`
}

type spanEvent struct {
	TimeUs     int64             `json:"time_us"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes"`
}

type spanLink struct {
	TraceID    string            `json:"trace_id"`
	SpanID     string            `json:"span_id"`
	Attributes map[string]string `json:"attributes"`
}

func (h *handlers) trace(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	id, err := checkTraceID("trace_id", r.PathValue("trace_id"))
	if err != nil {
		h.fail(w, r, routeTrace, err)
		return
	}
	// The range defaults to the longest allowed ending an hour from now: a trace id alone finds it.
	v := r.URL.Query()
	p := newParams(v)
	if !v.Has("start_time") {
		end := h.now().Add(time.Hour)
		if e := v.Get("end_time"); e != "" {
			if ms, err := parseTime("end_time", e); err == nil {
				end = time.UnixMilli(ms)
			}
		}
		v.Set("start_time", strconv.FormatInt(end.Add(-h.limits.maxRange).UnixMilli(), 10))
		if !v.Has("end_time") {
			v.Set("end_time", strconv.FormatInt(end.UnixMilli(), 10))
		}
	}
	sel, err := p.selection(h.limits, h.now())
	if err == nil && (sel.hasService || len(sel.filters) > 0) {
		err = badParam("service", "a trace is read whole: no service or attr. filters")
	}
	if err == nil {
		err = p.unknown()
	}
	if err != nil {
		h.fail(w, r, routeTrace, err)
		return
	}
	spans, truncated, err := h.traceSpans(r.Context(), tenantOf(r), id, sel)
	if err != nil {
		h.fail(w, r, routeTrace, err)
		return
	}
	if len(spans) == 0 {
		h.done(r, routeTrace, "not_found", 0)
		writeError(w, &storageError{status: http.StatusNotFound, code: "not_found", msg: "no span of this trace in the range", err: errors.New("trace not found")})
		return
	}
	h.ok(w, r, routeTrace, len(spans), map[string]any{"tenant": tenantOf(r), "trace_id": id, "truncated": truncated,
		"max_spans": maxTraceSpans, "spans": spans})
}

func (h *handlers) traceSpans(ctx context.Context, tenant, id string, sel selection) ([]spanOut, bool, error) {
	sql, err := h.q.r.render(shape{File: "trace_spans.sql", Table: h.q.spans})
	if err != nil {
		return nil, false, err
	}
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, append(selectionArgs(tenant, sel),
		clickhouse.Named("trace_id", id), clickhouse.Named("limit", maxTraceSpans+1))...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return nil, false, nil
		}
		return nil, false, err
	}
	defer rows.Close()
	var out []spanOut
	for rows.Next() {
		var s spanOut
		var startNs int64
		var dur uint64
		var evTimes []int64
		var evNames []string
		var evAttrs, linkAttrs []map[string]string
		var linkTraces, linkSpans []string
		if err := rows.Scan(&s.SpanID, &s.ParentSpanID, &s.Name, &s.Kind, &s.Service, &startNs, &dur, &s.Status,
			&s.StatusMessage, &s.Attributes, &s.Resource, &s.SampleRate, &evTimes, &evNames, &evAttrs,
			&linkTraces, &linkSpans, &linkAttrs); err != nil {
			return nil, false, classify(err)
		}
		s.StartUs, s.DurationMs = startNs/1000, float64(dur)/1e6
		s.Events, s.Links = []spanEvent{}, []spanLink{}
		for i := range evNames {
			s.Events = append(s.Events, spanEvent{TimeUs: evTimes[i] / 1000, Name: evNames[i], Attributes: evAttrs[i]})
		}
		for i := range linkTraces {
			s.Links = append(s.Links, spanLink{TraceID: linkTraces[i], SpanID: linkSpans[i], Attributes: linkAttrs[i]})
		}
		out = append(out, s)
	}
	if err := classify(rows.Err()); err != nil {
		return nil, false, err
	}
	truncated := len(out) > maxTraceSpans
	if truncated {
		out = out[:maxTraceSpans]
	}
	return out, truncated, nil
}
