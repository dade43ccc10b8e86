package queryextension

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// aggSeries is one group of an aggregate answer.
type aggSeries struct {
	Group  map[string]string `json:"group"`
	Other  bool              `json:"other,omitempty"`
	Points [][2]any          `json:"points"`
	Bounds [][3]any          `json:"bounds,omitempty"`

	total float64
	byB   map[int64]int // bucket -> index in Points
}

// aggRow is one row of an aggregate query.
type aggRow struct {
	b       int64
	grp     []string
	other   bool
	val     float64
	hbs     []uint64
	hbd     []float64
	nbounds uint64
	hmin    *float64
	hmax    *float64
	qv      float64
}

func (h *handlers) aggregate(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	req, err := parseAggregate(r.URL.Query(), h.limits, h.now())
	if err != nil {
		h.fail(w, r, routeAggregate, err)
		return
	}
	tenant := tenantOf(r)
	src := h.sources[req.source]
	p, err := src.plan(r.Context(), h.q, tenant, req)
	if err != nil {
		h.fail(w, r, routeAggregate, err)
		return
	}
	series := []*aggSeries{}
	if p.sql != "" {
		series, err = h.runAggregate(r.Context(), req, p)
		if err != nil {
			h.fail(w, r, routeAggregate, err)
			return
		}
	}
	groupBy := req.groupBy
	if groupBy == nil {
		groupBy = []string{}
	}
	out := map[string]any{
		"tenant":      tenant,
		"source":      req.source,
		"aggregation": req.aggregation,
		"exact":       p.exact,
		"group_by":    groupBy,
		"interval":    req.interval.text,
		"tz":          req.tz,
		"start_time":  msTime(req.start),
		"end_time":    msTime(req.end),
		"series":      series,
	}
	for k, v := range p.meta {
		out[k] = v
	}
	points := 0
	for _, s := range series {
		points += len(s.Points)
	}
	h.ok(w, r, routeAggregate, points, out)
}

func (h *handlers) runAggregate(ctx context.Context, req *aggRequest, p *aggPlan) ([]*aggSeries, error) {
	rows, err := h.readAggregate(ctx, p)
	if errors.Is(err, errNoTables) {
		return []*aggSeries{}, nil
	}
	if err != nil {
		return nil, err
	}
	var buckets []int64 // bucket starts in the range, then the first start after it
	if !req.interval.all && (p.rate || req.fill != fillNone) {
		if buckets, err = h.buckets(ctx, req); err != nil {
			return nil, err
		}
	}
	seconds := func(b int64) float64 {
		end := req.end
		if !req.interval.all {
			i, found := slices.BinarySearch(buckets, b)
			if found && i+1 < len(buckets) {
				end = min(buckets[i+1], req.end)
			}
		}
		return float64(end-max(b, req.start)) / 1000
	}
	bySeries := map[string]*aggSeries{}
	var list []*aggSeries
	for _, row := range rows {
		key := strings.Join(row.grp, "\x00")
		if row.other {
			key = "\x01other"
		}
		s := bySeries[key]
		if s == nil {
			s = &aggSeries{Group: map[string]string{}, Other: row.other, byB: map[int64]int{}}
			for i, k := range req.groupBy {
				if !row.other && i < len(row.grp) {
					s.Group[k] = row.grp[i]
				} else {
					s.Group[k] = ""
				}
			}
			bySeries[key] = s
			list = append(list, s)
		}
		v := row.val
		if p.expQ {
			v = row.qv
			if row.val == 0 { // no observation in this bucket
				v = math.NaN()
			}
		} else if p.quantile > 0 {
			var lo, hi float64
			v, lo, hi = histQuantile(p.quantile, row.hbs, row.hbd, row.hmin, row.hmax, row.nbounds)
			s.Bounds = append(s.Bounds, [3]any{row.b, jsonNum(lo), jsonNum(hi)})
		} else if p.rate {
			if sec := seconds(row.b); sec > 0 {
				v /= sec
			} else {
				v = math.NaN()
			}
		}
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			s.total += v
		}
		s.byB[row.b] = len(s.Points)
		s.Points = append(s.Points, [2]any{row.b, jsonNum(v)})
	}
	if req.fill != fillNone {
		for _, s := range list {
			fill(s, buckets, req)
		}
	}
	// Largest first by the sum of points; the folded "other" group last.
	slices.SortStableFunc(list, func(a, b *aggSeries) int {
		switch {
		case a.Other != b.Other:
			if a.Other {
				return 1
			}
			return -1
		case a.total > b.total:
			return -1
		case a.total < b.total:
			return 1
		}
		return 0
	})
	if list == nil {
		list = []*aggSeries{}
	}
	return list, nil
}

func (h *handlers) readAggregate(ctx context.Context, p *aggPlan) ([]aggRow, error) {
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, p.sql, p.args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []aggRow
	for rows.Next() {
		var a aggRow
		dest := []any{&a.b, &a.grp, &a.other, &a.val}
		if p.quantile > 0 {
			dest = append(dest, &a.hbs, &a.hbd, &a.nbounds, &a.hmin, &a.hmax)
		}
		if p.expQ {
			dest = append(dest, &a.qv)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, classify(err)
		}
		out = append(out, a)
	}
	return out, classify(rows.Err())
}

// buckets lists the bucket starts of the range as ClickHouse aligns them, plus the next start.
func (h *handlers) buckets(ctx context.Context, req *aggRequest) ([]int64, error) {
	step := min(req.interval.nominal, time.Hour).Milliseconds()
	sql, err := h.q.r.render(shape{File: "buckets.sql", Unit: req.interval.unit})
	if err != nil {
		return nil, err
	}
	probeEnd := req.end + req.interval.nominal.Milliseconds() + step
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, clickhouse.Named("start", req.start), clickhouse.Named("probe_end", probeEnd),
		clickhouse.Named("step", step), clickhouse.Named("n", req.interval.n), clickhouse.Named("tz", req.tz))
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, classify(err)
		}
		out = append(out, b)
		if b >= req.end {
			break // the first start after the range ends the last bucket
		}
	}
	return out, classify(rows.Err())
}

// fill inserts the empty buckets of the range into s (fill=zero: 0, fill=null: null).
func fill(s *aggSeries, buckets []int64, req *aggRequest) {
	var v any
	if req.fill == fillZero {
		v = 0.0
	}
	pts := make([][2]any, 0, len(buckets))
	for _, b := range buckets {
		if b >= req.end {
			break
		}
		if i, ok := s.byB[b]; ok {
			pts = append(pts, s.Points[i])
		} else {
			pts = append(pts, [2]any{b, v})
		}
	}
	s.Points = pts
}

// jsonNum is v, or nil (JSON null) where v is not a number.
func jsonNum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func msTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }
