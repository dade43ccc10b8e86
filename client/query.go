package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The query side mirrors the spec's TelemetryService: GetMetrics (get_metrics), GetAggregatedMetrics
// (get_aggregated_metrics) and ExportMetrics, over GET /api/v1/telemetry/metrics, /metrics/aggregate
// and /metrics/export (extension/queryextension/README.md). The client's APIKey needs the viewer
// role (analyst for exports); an ingest-only key is refused with 403.

// ErrInvalidQuery matches (errors.Is) an *APIError answering 400: a parameter was refused; the
// APIError's Field names it.
var ErrInvalidQuery = errors.New("invalid query")

// APIError is a non-2xx answer of the telemetry API.
type APIError struct {
	Status  int
	Code    string // error.code: invalid_parameter, forbidden, not_found, query_too_large, ...
	Message string
	Field   string // the offending parameter of a 400
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message) }

// Is makes errors.Is(err, ErrInvalidQuery) true for a 400.
func (e *APIError) Is(target error) bool {
	return target == ErrInvalidQuery && e.Status == http.StatusBadRequest
}

// Selection is what every query filters on. Zero times leave the server's default: the last hour.
type Selection struct {
	StartTime, EndTime time.Time
	// Service keeps only points of this service.name.
	Service string
	// Attributes keeps only points whose attributes have these values (attr.<key>=<value>).
	Attributes map[string]string
	// Tenant is for operator keys only: the tenant to read. Everyone else reads the key's tenant.
	Tenant string
}

func (s Selection) values(q url.Values) {
	if !s.StartTime.IsZero() {
		q.Set("start_time", s.StartTime.UTC().Format(time.RFC3339Nano))
	}
	if !s.EndTime.IsZero() {
		q.Set("end_time", s.EndTime.UTC().Format(time.RFC3339Nano))
	}
	if s.Service != "" {
		q.Set("service", s.Service)
	}
	for k, v := range s.Attributes {
		q.Set("attr."+k, v)
	}
	if s.Tenant != "" {
		q.Set("tenant", s.Tenant)
	}
}

// Point is one [time, value] of a series; Null marks a value the server could not compute (an
// average of nothing, an empty bucket with fill=null).
type Point struct {
	Time  time.Time
	Value float64
	Null  bool
}

// UnmarshalJSON reads [epoch_ms, value|null].
func (p *Point) UnmarshalJSON(b []byte) error {
	var raw [2]*float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw[0] == nil {
		return errors.New("point without a time")
	}
	p.Time = time.UnixMilli(int64(*raw[0])).UTC()
	if raw[1] == nil {
		p.Value, p.Null = math.NaN(), true
	} else {
		p.Value = *raw[1]
	}
	return nil
}

// MetricsRequest selects raw points (GET /metrics).
type MetricsRequest struct {
	Selection
	MetricNames []string
	// Limit is the page size (server default 1000). Cursor is the NextCursor of the previous page.
	Limit  int
	Cursor string
}

// MetricsResult is one page of raw points.
type MetricsResult struct {
	Tenant     string    `json:"tenant"`
	StartTime  time.Time `json:"start_time"`
	EndTime    time.Time `json:"end_time"`
	Series     []Series  `json:"series"`
	Points     int       `json:"points"`
	NextCursor string    `json:"next_cursor"`
}

// Series is one metric series: value per point, and observation counts for histograms and summaries.
type Series struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Temporality string            `json:"temporality"`
	Unit        string            `json:"unit"`
	Service     string            `json:"service"`
	Labels      map[string]string `json:"labels"`
	Points      []Point           `json:"points"`
	Counts      []Point           `json:"counts"`
}

// AggregateRequest asks for one aggregation per bucket and group (GET /metrics/aggregate).
type AggregateRequest struct {
	Selection
	// Source is "metrics" (default) or "events".
	Source string
	// MetricName (metrics) or EventNames (events, optional).
	MetricName string
	EventNames []string
	// Aggregation: sum, avg, min, max, count, rate, p50, p90, p95, p99 (metrics); count,
	// unique_users (events).
	Aggregation string
	GroupBy     []string
	// Interval: 1m ... 31d, 1w, auto (default) or all. TZ aligns buckets (IANA, default UTC).
	Interval string
	TZ       string
	// Limit of groups (server default 25; the rest are folded into one Other series).
	Limit int
	// Fill: none (default), zero, null.
	Fill string
}

// AggregateResult is the answer of GetAggregatedMetrics.
type AggregateResult struct {
	Tenant      string            `json:"tenant"`
	Source      string            `json:"source"`
	MetricName  string            `json:"metric_name"`
	MetricType  string            `json:"metric_type"`
	Unit        string            `json:"unit"`
	EventNames  []string          `json:"event_names"`
	Aggregation string            `json:"aggregation"`
	Exact       bool              `json:"exact"`
	DistinctBy  string            `json:"distinct_by"`
	Notes       []string          `json:"notes"`
	GroupBy     []string          `json:"group_by"`
	Interval    string            `json:"interval"`
	TZ          string            `json:"tz"`
	StartTime   time.Time         `json:"start_time"`
	EndTime     time.Time         `json:"end_time"`
	Series      []AggregateSeries `json:"series"`
}

// AggregateSeries is one group; Bounds are given for approximate (histogram) percentiles.
type AggregateSeries struct {
	Group  map[string]string `json:"group"`
	Other  bool              `json:"other"`
	Points []Point           `json:"points"`
	Bounds []Bound           `json:"bounds"`
}

// Bound is the interval [Lo, Hi] holding the true percentile of the bucket at Time.
type Bound struct {
	Time   time.Time
	Lo, Hi float64
}

// UnmarshalJSON reads [epoch_ms, lo, hi].
func (b *Bound) UnmarshalJSON(raw []byte) error {
	var v [3]*float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	if v[0] == nil {
		return errors.New("bound without a time")
	}
	b.Time = time.UnixMilli(int64(*v[0])).UTC()
	b.Lo, b.Hi = math.NaN(), math.NaN()
	if v[1] != nil {
		b.Lo = *v[1]
	}
	if v[2] != nil {
		b.Hi = *v[2]
	}
	return nil
}

// ExportRequest selects points to export (GET /metrics/export).
type ExportRequest struct {
	Selection
	MetricNames []string
	// Format: csv (default), ndjson, json.
	Format string
	// MaxRows caps the export (server default and maximum: its export::max_rows).
	MaxRows int
	// Gzip asks for a compressed transfer; ExportMetrics writes the decompressed body either way.
	Gzip bool
}

// ExportResult says what an export held.
type ExportResult struct {
	Filename  string
	Rows      int // rows written (the X-Export-Rows trailer)
	TotalRows int // rows the selection matched
	Truncated bool
}

// GetMetrics reads one page of raw points; pass result.NextCursor as req.Cursor for the next.
func (c *Client) GetMetrics(ctx context.Context, req MetricsRequest) (*MetricsResult, error) {
	q := url.Values{}
	req.Selection.values(q)
	q.Set("metric_names", strings.Join(req.MetricNames, ","))
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	if req.Cursor != "" {
		q.Set("cursor", req.Cursor)
	}
	var out MetricsResult
	return &out, c.getJSON(ctx, "/metrics", q, &out)
}

// GetAggregatedMetrics reads one aggregation per bucket and group.
func (c *Client) GetAggregatedMetrics(ctx context.Context, req AggregateRequest) (*AggregateResult, error) {
	q := url.Values{}
	req.Selection.values(q)
	for k, v := range map[string]string{"source": req.Source, "metric_name": req.MetricName, "aggregation": req.Aggregation,
		"interval": req.Interval, "tz": req.TZ, "fill": req.Fill} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(req.EventNames) > 0 {
		q.Set("event_name", strings.Join(req.EventNames, ","))
	}
	if len(req.GroupBy) > 0 {
		q.Set("group_by", strings.Join(req.GroupBy, ","))
	}
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(req.Limit))
	}
	var out AggregateResult
	return &out, c.getJSON(ctx, "/metrics/aggregate", q, &out)
}

// ExportMetrics streams an export into w. A truncated export is reported in the result, never
// silently: check Truncated.
func (c *Client) ExportMetrics(ctx context.Context, req ExportRequest, w io.Writer) (*ExportResult, error) {
	q := url.Values{}
	req.Selection.values(q)
	q.Set("metric_names", strings.Join(req.MetricNames, ","))
	if req.Format != "" {
		q.Set("format", req.Format)
	}
	if req.MaxRows > 0 {
		q.Set("max_rows", strconv.Itoa(req.MaxRows))
	}
	resp, err := c.get(ctx, "/metrics/export", q, req.Gzip)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// The transport decompresses transparently when it asked for gzip itself (req.Gzip).
	if _, err := io.Copy(w, resp.Body); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	res := &ExportResult{Truncated: resp.Header.Get("X-Export-Truncated") == "true"}
	res.TotalRows, _ = strconv.Atoi(resp.Header.Get("X-Export-Total-Rows"))
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		res.Filename = params["filename"]
	}
	rows := resp.Trailer.Get("X-Export-Rows")
	if rows == "" {
		return res, errors.New("export: the answer ended without its X-Export-Rows trailer (cut short)")
	}
	res.Rows, _ = strconv.Atoi(rows)
	return res, nil
}

func (c *Client) getJSON(ctx context.Context, path string, q url.Values, out any) error {
	resp, err := c.get(ctx, path, q, false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("unreadable answer of %s: %w", path, err)
	}
	return nil
}

// get sends one query; a non-2xx answer is an *APIError.
func (c *Client) get(ctx context.Context, path string, q url.Values, gzip bool) (*http.Response, error) {
	if c.cfg.Endpoint == "" {
		return nil, errors.New("telemetry client: Endpoint is not set")
	}
	u := trimSlash(c.cfg.Endpoint) + "/api/v1/telemetry" + path + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "otelcol-telemetry-go-client/1")
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	if !gzip {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var body struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	apiErr := &APIError{Status: resp.StatusCode, Code: "http_error", Message: string(bytes.TrimSpace(raw))}
	if json.Unmarshal(raw, &body) == nil && body.Error.Code != "" {
		apiErr.Code, apiErr.Message, apiErr.Field = body.Error.Code, body.Error.Message, body.Error.Field
	}
	return nil, apiErr
}
