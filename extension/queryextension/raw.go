package queryextension

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// rawRequest is one parsed /metrics (or /metrics/export) request.
type rawRequest struct {
	selection
	names  []string
	limit  int
	cursor *cursor
}

// cursor continues a /metrics listing after the last row of a page: the row's sort key, how many
// rows with exactly that key the pages so far held, and a digest of the selection it belongs to.
type cursor struct {
	Name    string  `json:"n"`
	Service string  `json:"s"`
	Hash    string  `json:"h"` // uint64 as decimal: JSON numbers lose its low bits
	TS      int64   `json:"t"`
	Value   float64 `json:"v"`
	Skip    int     `json:"k"`
	Sel     string  `json:"q"`
}

func parseRaw(v url.Values, l limits, now time.Time, tenant string, export bool) (*rawRequest, error) {
	p := newParams(v)
	sel, err := p.selection(l, now)
	if err != nil {
		return nil, err
	}
	r := &rawRequest{selection: sel}
	if r.names, err = p.names("metric_names", true); err != nil {
		return nil, err
	}
	if export {
		if r.limit, err = p.intParam("max_rows", l.maxExport, l.maxExport); err != nil {
			return nil, err
		}
		if _, err := p.one("format"); err != nil { // read by the export handler
			return nil, err
		}
		return r, p.unknown()
	}
	if r.limit, err = p.intParam("limit", min(defaultPageSize, l.maxPageSize), l.maxPageSize); err != nil {
		return nil, err
	}
	cs, err := p.one("cursor")
	if err != nil {
		return nil, err
	}
	if cs != "" {
		c, ok := decodeCursor(cs)
		if !ok || c.Sel != r.digest(tenant) {
			return nil, badParam("cursor", "is not a cursor of this query (pass next_cursor back with the same other parameters)")
		}
		r.cursor = c
	}
	return r, p.unknown()
}

// digest identifies the selection a cursor belongs to.
func (r *rawRequest) digest(tenant string) string {
	h := sha256.New()
	w := func(s string) { _ = binary.Write(h, binary.LittleEndian, uint32(len(s))); h.Write([]byte(s)) }
	w(tenant)
	for _, n := range r.names {
		w(n)
	}
	w(strconv.FormatInt(r.start, 10))
	w(strconv.FormatInt(r.end, 10))
	w(strconv.FormatBool(r.hasService))
	w(r.service)
	for _, f := range r.filters {
		w(f.key)
		w(f.value)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

func decodeCursor(s string) (*cursor, bool) {
	if len(s) > 4096 {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil || c.Skip < 0 {
		return nil, false
	}
	if _, err := strconv.ParseUint(c.Hash, 10, 64); err != nil {
		return nil, false
	}
	return &c, true
}

func (c *cursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// rawRow is one point as points.sql returns it.
type rawRow struct {
	name, typ, temporality, unit, service string
	attrs                                 map[string]string
	hash                                  uint64
	ts                                    int64 // ns
	value                                 float64
	count                                 uint64
}

func (a *rawRow) sameKey(b *rawRow) bool {
	return a.name == b.name && a.service == b.service && a.hash == b.hash && a.ts == b.ts && a.value == b.value
}

func (a *rawRow) sameSeries(b *rawRow) bool {
	return a.name == b.name && a.service == b.service && a.hash == b.hash
}

// rawSeries is one series of a /metrics answer.
type rawSeries struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Temporality string            `json:"temporality"`
	Unit        string            `json:"unit"`
	Service     string            `json:"service"`
	Labels      map[string]string `json:"labels"`
	Points      [][2]any          `json:"points"`
	Counts      [][2]any          `json:"counts,omitempty"`
}

// pointsQuery renders points.sql for r and returns it with its arguments.
func (h *handlers) pointsQuery(tenant string, r *rawRequest, limit int) (string, []any, error) {
	s := shape{File: "points.sql", Table: h.q.metrics, Service: r.hasService, NFilters: len(r.filters),
		After: r.cursor != nil, Limit: limit > 0}
	sql, err := h.q.r.render(s)
	if err != nil {
		return "", nil, err
	}
	args := []any{
		clickhouse.Named("tenant", tenant), clickhouse.Named("names", r.names),
		clickhouse.Named("start", r.start), clickhouse.Named("end", r.end),
		clickhouse.Named("service", r.service), clickhouse.Named("limit", limit),
	}
	for i, f := range r.filters {
		args = append(args, clickhouse.Named(fmt.Sprintf("f%dk", i), f.key), clickhouse.Named(fmt.Sprintf("f%dv", i), f.value))
	}
	if c := r.cursor; c != nil {
		args = append(args, clickhouse.Named("c_name", c.Name), clickhouse.Named("c_service", c.Service),
			clickhouse.Named("c_hash", c.Hash), clickhouse.Named("c_ts", c.TS), clickhouse.Named("c_value", c.Value))
	}
	return sql, args, nil
}

func scanRaw(rows driver.Rows, row *rawRow) error {
	return rows.Scan(&row.name, &row.typ, &row.temporality, &row.unit, &row.service, &row.attrs, &row.hash, &row.ts, &row.value, &row.count)
}

func (h *handlers) metrics(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	tenant := tenantOf(r)
	req, err := parseRaw(r.URL.Query(), h.limits, h.now(), tenant, false)
	if err != nil {
		h.fail(w, r, routeMetrics, err)
		return
	}
	page, next, err := h.page(r.Context(), tenant, req)
	if err != nil {
		h.fail(w, r, routeMetrics, err)
		return
	}
	series := []*rawSeries{}
	var cur *rawSeries
	var last *rawRow
	for i := range page {
		row := &page[i]
		if last == nil || !row.sameSeries(last) {
			cur = &rawSeries{Name: row.name, Type: row.typ, Temporality: row.temporality, Unit: row.unit,
				Service: row.service, Labels: row.attrs, Points: [][2]any{}}
			if cur.Labels == nil {
				cur.Labels = map[string]string{}
			}
			series = append(series, cur)
		}
		ms := row.ts / int64(time.Millisecond)
		cur.Points = append(cur.Points, [2]any{ms, jsonNum(row.value)})
		if row.typ != typeGauge && row.typ != typeSum {
			cur.Counts = append(cur.Counts, [2]any{ms, row.count})
		}
		last = row
	}
	out := map[string]any{
		"tenant":     tenant,
		"start_time": msTime(req.start),
		"end_time":   msTime(req.end),
		"series":     series,
		"points":     len(page),
	}
	if next != "" {
		out["next_cursor"] = next
	}
	h.ok(w, r, routeMetrics, len(page), out)
}

// page reads one page of req and the cursor of the next ("" when this is the last).
func (h *handlers) page(ctx context.Context, tenant string, req *rawRequest) ([]rawRow, string, error) {
	skip := 0
	if req.cursor != nil {
		skip = req.cursor.Skip
	}
	// One row more than the page tells whether another page exists.
	sql, args, err := h.pointsQuery(tenant, req, skip+req.limit+1)
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, args...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return nil, "", nil
		}
		return nil, "", err
	}
	defer rows.Close()
	var out []rawRow
	for rows.Next() {
		var row rawRow
		if err := scanRaw(rows, &row); err != nil {
			return nil, "", classify(err)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, "", classify(err)
	}
	// The first rows equal to the cursor's key were on earlier pages.
	if c := req.cursor; c != nil {
		key := rawRow{name: c.Name, service: c.Service, ts: c.TS, value: c.Value}
		key.hash, _ = strconv.ParseUint(c.Hash, 10, 64)
		n := 0
		for n < skip && n < len(out) && out[n].sameKey(&key) {
			n++
		}
		out = out[n:]
	}
	if len(out) <= req.limit {
		return out, "", nil
	}
	out = out[:req.limit]
	last := &out[len(out)-1]
	ties := 0
	for i := len(out) - 1; i >= 0 && out[i].sameKey(last); i-- {
		ties++
	}
	if c := req.cursor; c != nil && ties == len(out) && c.Name == last.name && c.Service == last.service &&
		c.Hash == strconv.FormatUint(last.hash, 10) && c.TS == last.ts && c.Value == last.value {
		ties += c.Skip
	}
	next := &cursor{Name: last.name, Service: last.service, Hash: strconv.FormatUint(last.hash, 10),
		TS: last.ts, Value: last.value, Skip: ties, Sel: req.digest(tenant)}
	return out, next.encode(), nil
}
