package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// TraceSearch is GET /traces: the newest traces with a span matching every set field.
type TraceSearch struct {
	Selection
	SpanName string
	// Route is the span's http.route attribute.
	Route string
	// Status is ok, error or unset.
	Status string
	// MinDuration and MaxDuration bound the matching span's duration (0: no bound).
	MinDuration, MaxDuration time.Duration
	TraceID                  string
	// Limit is the most traces to list (server default 20, at most 200).
	Limit int
}

// TraceSummary is one trace of a TraceSearch answer.
type TraceSummary struct {
	TraceID     string   `json:"trace_id"`
	RootName    string   `json:"root_name"`
	RootService string   `json:"root_service"`
	RootFound   bool     `json:"root_found"`
	StartTime   string   `json:"start_time"`
	DurationMs  float64  `json:"duration_ms"`
	SpanCount   int      `json:"span_count"`
	ErrorCount  int      `json:"error_count"`
	SampleRate  float64  `json:"sample_rate"`
	Services    []string `json:"services"`
}

// Span is one span of a Trace.
type Span struct {
	SpanID        string            `json:"span_id"`
	ParentSpanID  string            `json:"parent_span_id"`
	Name          string            `json:"name"`
	Kind          string            `json:"kind"`
	Service       string            `json:"service"`
	StartUs       int64             `json:"start_us"`
	DurationMs    float64           `json:"duration_ms"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"status_message"`
	Attributes    map[string]string `json:"attributes"`
	Resource      map[string]string `json:"resource"`
	SampleRate    float64           `json:"sample_rate"`
	Events        []struct {
		TimeUs     int64             `json:"time_us"`
		Name       string            `json:"name"`
		Attributes map[string]string `json:"attributes"`
	} `json:"events"`
	Links []struct {
		TraceID    string            `json:"trace_id"`
		SpanID     string            `json:"span_id"`
		Attributes map[string]string `json:"attributes"`
	} `json:"links"`
}

// Trace is GET /traces/{trace_id}: its spans, oldest first; Truncated when it has more than the
// server returns.
type Trace struct {
	TraceID   string `json:"trace_id"`
	Truncated bool   `json:"truncated"`
	Spans     []Span `json:"spans"`
}

// SearchTraces lists traces (viewer role).
func (c *Client) SearchTraces(ctx context.Context, req TraceSearch) ([]TraceSummary, error) {
	q := url.Values{}
	req.Selection.values(q)
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("span_name", req.SpanName)
	set("route", req.Route)
	set("status", req.Status)
	set("trace_id", req.TraceID)
	if req.MinDuration > 0 {
		q.Set("min_duration_ms", strconv.FormatFloat(float64(req.MinDuration)/1e6, 'f', -1, 64))
	}
	if req.MaxDuration > 0 {
		q.Set("max_duration_ms", strconv.FormatFloat(float64(req.MaxDuration)/1e6, 'f', -1, 64))
	}
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	var out struct {
		Traces []TraceSummary `json:"traces"`
	}
	if err := c.getJSON(ctx, "/traces", q, &out); err != nil {
		return nil, err
	}
	return out.Traces, nil
}

// GetTrace reads one trace whole (viewer role). Zero sel times search the longest range allowed.
func (c *Client) GetTrace(ctx context.Context, traceID string, sel Selection) (*Trace, error) {
	q := url.Values{}
	sel.values(q)
	var out Trace
	if err := c.getJSON(ctx, "/traces/"+url.PathEscape(traceID), q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// LogSearch is GET /logs: records newest first.
type LogSearch struct {
	Selection
	// Severity keeps records of this severity or higher: trace, debug, info, warn, error, fatal.
	Severity string
	// Text must occur in the body (every word of it as a whole word).
	Text    string
	TraceID string
	// Before continues after a previous page (its NextBefore).
	Before string
	Limit  int
}

// LogRecord is one record of a LogPage.
type LogRecord struct {
	Time           string            `json:"time"`
	TimeUnixNano   string            `json:"time_unix_nano"`
	ObservedTime   string            `json:"observed_time"`
	Service        string            `json:"service"`
	SeverityText   string            `json:"severity_text"`
	SeverityNumber int               `json:"severity_number"`
	Body           string            `json:"body"`
	TraceID        string            `json:"trace_id"`
	SpanID         string            `json:"span_id"`
	Attributes     map[string]string `json:"attributes"`
	Resource       map[string]string `json:"resource"`
}

// LogPage is one page of a log search; NextBefore is empty on the last page.
type LogPage struct {
	Logs       []LogRecord `json:"logs"`
	NextBefore string      `json:"next_before"`
}

// SearchLogs reads one page of log records (viewer role).
func (c *Client) SearchLogs(ctx context.Context, req LogSearch) (*LogPage, error) {
	q := url.Values{}
	req.Selection.values(q)
	for k, v := range map[string]string{"severity": req.Severity, "q": req.Text, "trace_id": req.TraceID, "before": req.Before} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	var out LogPage
	if err := c.getJSON(ctx, "/logs", q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
