package queryextension

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Bounds of GET /logs.
const (
	defaultLogs = 100
	maxLogs     = 1000
	// maxLogTies bounds a page grown by records sharing its last timestamp.
	maxLogTies = 5000
	maxTokens  = 8
	maxTextLen = 256
)

// severities are the lowest severity_number of each severity name (OTLP SeverityNumber ranges).
var severities = map[string]uint8{"trace": 1, "debug": 5, "info": 9, "warn": 13, "error": 17, "fatal": 21}

// logSearch is one parsed GET /logs.
type logSearch struct {
	selection
	minSeverity uint8
	text        string
	tokens      []string
	traceID     string
	before      int64 // epoch ns; 0: from end_time
	limit       int
}

func parseLogSearch(v url.Values, l limits, now time.Time) (*logSearch, error) {
	p := newParams(v)
	sel, err := p.selection(l, now)
	if err != nil {
		return nil, err
	}
	r := &logSearch{selection: sel}
	sev, err := p.one("severity")
	if err != nil {
		return nil, err
	}
	if sev != "" {
		n, ok := severities[strings.ToLower(sev)]
		if !ok {
			return nil, badParam("severity", "must be trace, debug, info, warn, error or fatal (that severity or higher)")
		}
		r.minSeverity = n
	}
	if r.text, err = p.one("q"); err != nil {
		return nil, err
	}
	if err := checkText("q", r.text, maxTextLen); err != nil {
		return nil, err
	}
	r.text = strings.TrimSpace(r.text)
	r.tokens = tokens(r.text)
	if len(r.tokens) > maxTokens {
		return nil, badParam("q", "at most %d words", maxTokens)
	}
	if r.traceID, err = traceIDParam(p, "trace_id", false); err != nil {
		return nil, err
	}
	b, err := p.one("before")
	if err != nil {
		return nil, err
	}
	if b != "" {
		if r.before, err = strconv.ParseInt(b, 10, 64); err != nil || r.before <= 0 {
			return nil, badParam("before", "must be the next_before of a previous page (epoch nanoseconds)")
		}
	}
	if r.limit, err = p.intParam("limit", defaultLogs, maxLogs); err != nil {
		return nil, err
	}
	return r, p.unknown()
}

// tokens splits text as ClickHouse's hasToken does: runs of ASCII letters and digits (and any
// non-ASCII byte), lower-cased.
func tokens(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r < 0x80 && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	seen := map[string]bool{}
	var out []string
	for _, t := range f {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// logOut is one record of GET /logs.
type logOut struct {
	Time           string            `json:"time"`
	TimeNs         string            `json:"time_unix_nano"` // a string: nanoseconds exceed a JSON number's precision
	ObservedTime   string            `json:"observed_time"`
	Service        string            `json:"service"`
	SeverityText   string            `json:"severity_text"`
	SeverityNumber uint8             `json:"severity_number"`
	Body           string            `json:"body"`
	TraceID        string            `json:"trace_id"`
	SpanID         string            `json:"span_id"`
	Attributes     map[string]string `json:"attributes"`
	Resource       map[string]string `json:"resource"`
}

func (h *handlers) logs(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	req, err := parseLogSearch(r.URL.Query(), h.limits, h.now())
	if err != nil {
		h.fail(w, r, routeLogs, err)
		return
	}
	out, last, err := h.searchLogs(r.Context(), tenantOf(r), req)
	if err != nil {
		h.fail(w, r, routeLogs, err)
		return
	}
	resp := map[string]any{"tenant": tenantOf(r), "start_time": msTime(req.start), "end_time": msTime(req.end),
		"limit": req.limit, "logs": out,
		"index": "tokenbf_v1 on lower(body): q is split into words (letters and digits), each must occur as a whole word; the whole q must then occur in the body (case-insensitive)"}
	if len(out) >= req.limit {
		resp["next_before"] = strconv.FormatInt(last, 10)
	}
	h.ok(w, r, routeLogs, len(out), resp)
}

func (h *handlers) searchLogs(ctx context.Context, tenant string, req *logSearch) ([]logOut, int64, error) {
	s := shape{File: "logs_search.sql", Table: h.q.logs, Service: req.hasService, NFilters: len(req.filters),
		Before: req.before > 0, MinSeverity: req.minSeverity > 0, TraceID: req.traceID != "",
		NTokens: len(req.tokens), Text: req.text != ""}
	sql, err := h.q.r.render(s)
	if err != nil {
		return nil, 0, err
	}
	args := append(selectionArgs(tenant, req.selection), clickhouse.Named("before", req.before),
		clickhouse.Named("min_severity", req.minSeverity), clickhouse.Named("trace_id", req.traceID),
		clickhouse.Named("text", req.text), clickhouse.Named("limit", req.limit), clickhouse.Named("hard", maxLogTies))
	for i, t := range req.tokens {
		args = append(args, clickhouse.Named("t"+strconv.Itoa(i), t))
	}
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, args...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return []logOut{}, 0, nil
		}
		return nil, 0, err
	}
	defer rows.Close()
	out := []logOut{}
	var last int64
	for rows.Next() {
		var l logOut
		var ts, obs int64
		if err := rows.Scan(&ts, &obs, &l.Service, &l.SeverityText, &l.SeverityNumber, &l.Body, &l.TraceID, &l.SpanID,
			&l.Attributes, &l.Resource); err != nil {
			return nil, 0, classify(err)
		}
		l.Time = time.Unix(0, ts).UTC().Format(time.RFC3339Nano)
		l.TimeNs = strconv.FormatInt(ts, 10)
		l.ObservedTime = time.Unix(0, obs).UTC().Format(time.RFC3339Nano)
		last = ts
		out = append(out, l)
	}
	return out, last, classify(rows.Err())
}
