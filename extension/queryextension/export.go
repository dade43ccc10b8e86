package queryextension

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/ClickHouse/clickhouse-go/v2"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/csvsafe"
)

// Export formats.
const (
	formatCSV    = "csv"
	formatNDJSON = "ndjson"
	formatJSON   = "json"
)

var exportColumns = []string{"timestamp", "metric_name", "metric_type", "unit", "service", "labels", "value", "count"}

// exportRow is one exported point (NDJSON and JSON objects; CSV columns in exportColumns order).
type exportRow struct {
	Timestamp string            `json:"timestamp"`
	Name      string            `json:"metric_name"`
	Type      string            `json:"metric_type"`
	Unit      string            `json:"unit"`
	Service   string            `json:"service"`
	Labels    map[string]string `json:"labels"`
	Value     any               `json:"value"`
	Count     uint64            `json:"count"`
}

// rowWriter writes one format; flushEvery rows are buffered between flushes to the client.
type rowWriter interface {
	begin() error
	row(*exportRow) error
	end(truncated bool, rows int) error
	flush() error // hand buffered rows to the underlying writer
}

const flushEvery = 1000

// contentType is the Content-Type of an export format ("" for an unknown format).
func contentType(format string) string {
	switch format {
	case formatCSV:
		return "text/csv; charset=utf-8"
	case formatNDJSON:
		return "application/x-ndjson"
	case formatJSON:
		return "application/json"
	}
	return ""
}

func exportFormat(q url.Values) (string, string, error) {
	format := q.Get("format")
	if format == "" {
		format = formatCSV
	}
	ctype := contentType(format)
	if ctype == "" {
		return "", "", badParam("format", "must be csv, ndjson or json")
	}
	return format, ctype, nil
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	tenant := tenantOf(r)
	q := r.URL.Query()
	if q.Has("aggregation") {
		h.exportAggregate(w, r)
		return
	}
	req, err := parseRaw(q, h.limits, h.now(), tenant, true)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	format, ctype, err := exportFormat(q)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	total, err := h.countPoints(r.Context(), tenant, req)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	truncated := total > uint64(req.limit)
	hdr := w.Header()
	hdr.Set("Content-Type", ctype)
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="metrics-%s-%s.%s"`,
		fileTime(req.start), fileTime(req.end), format))
	hdr.Set("X-Export-Total-Rows", strconv.FormatUint(total, 10))
	hdr.Set("X-Export-Truncated", strconv.FormatBool(truncated))
	hdr.Set("X-Export-Max-Rows", strconv.Itoa(req.limit))
	hdr.Set("Trailer", "X-Export-Rows")
	out, finish := compressed(w, r)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(h.q.exportTO))
	w.WriteHeader(http.StatusOK)

	rw := newRowWriter(format, out)
	n, werr := 0, rw.begin()
	if werr == nil {
		werr = h.exportRows(r.Context(), tenant, req, func(row *rawRow) error {
			er := exportRow{Timestamp: time.Unix(0, row.ts).UTC().Format(time.RFC3339Nano), Name: row.name,
				Type: row.typ, Unit: row.unit, Service: row.service, Labels: row.attrs, Value: jsonNum(row.value), Count: row.count}
			if er.Labels == nil {
				er.Labels = map[string]string{}
			}
			if err := rw.row(&er); err != nil {
				return err
			}
			n++
			if n%flushEvery == 0 {
				_ = rw.flush()
				if f, ok := out.(interface{ Flush() error }); ok {
					_ = f.Flush()
				}
				_ = rc.Flush()
			}
			return nil
		})
	}
	if werr == nil {
		werr = rw.end(truncated, n)
	}
	if err := finish(); werr == nil {
		werr = err
	}
	hdr.Set("X-Export-Rows", strconv.Itoa(n))
	if werr != nil {
		// The status is sent; the missing trailer and the cut body tell the client.
		hdr.Del("X-Export-Rows")
		h.logger.Warn("export ended early")
		h.done(r, routeExport, "error", n)
		return
	}
	h.done(r, routeExport, "ok", n)
}

// exportRows reads the export's points in chunks of chunkRows, one query each: clickhouse-go over
// HTTP keeps a copy of everything one query returns until the query ends, so a single query would
// hold a whole export in the collector's memory. Chunks follow the primary key (name, service,
// time), which ClickHouse reads in order and stops at the limit. Rows sharing the last key of a
// full chunk are left to the next chunk, which starts at that key, so no key is ever split between
// two queries (rows of one key have no order between queries); a key with more rows than a chunk
// is read on its own.
func (h *handlers) exportRows(ctx context.Context, tenant string, req *rawRequest, emit func(*rawRow) error) error {
	var renderErr error
	render := func(s shape) string {
		s.File, s.Table, s.Service, s.NFilters = "export_points.sql", h.q.metrics, req.hasService, len(req.filters)
		sql, err := h.q.r.render(s)
		renderErr = errors.Join(renderErr, err)
		return sql
	}
	first, from, after, exact := render(shape{Limit: true}), render(shape{After: true, Limit: true}),
		render(shape{After: true, Strict: true, Limit: true}), render(shape{Exact: true})
	if renderErr != nil {
		return renderErr
	}
	_, base, err := h.pointsQuery(tenant, &rawRequest{selection: req.selection, names: req.names}, 0)
	if err != nil {
		return err
	}
	args := func(extra ...any) []any { return append(base[:len(base):len(base)], extra...) }
	keyArgs := func(k *rawRow) []any {
		return []any{clickhouse.Named("c_name", k.name), clickhouse.Named("c_service", k.service), clickhouse.Named("c_ts", k.ts)}
	}
	written := 0
	write := func(rows []rawRow) error {
		for i := range rows {
			if written == req.limit {
				return nil
			}
			if err := emit(&rows[i]); err != nil {
				return err
			}
			written++
		}
		return nil
	}
	sql, cur := first, args()
	for written < req.limit {
		chunk := h.chunkRows
		rows, err := h.readRows(ctx, sql, append(cur, clickhouse.Named("limit", chunk))...)
		if err != nil {
			return err
		}
		if len(rows) < chunk {
			return write(rows)
		}
		last := rows[len(rows)-1]
		cut := len(rows)
		for cut > 0 && sameTimeKey(&rows[cut-1], &last) {
			cut--
		}
		if cut == 0 { // one key fills the chunk: read all of it, then go on after it
			if rows, err = h.readRows(ctx, exact, args(keyArgs(&last)...)...); err != nil {
				return err
			}
			if err := write(rows); err != nil {
				return err
			}
			sql, cur = after, args(keyArgs(&last)...)
			continue
		}
		if err := write(rows[:cut]); err != nil {
			return err
		}
		sql, cur = from, args(keyArgs(&last)...)
	}
	return nil
}

func sameTimeKey(a, b *rawRow) bool {
	return a.name == b.name && a.service == b.service && a.ts == b.ts
}

// readRows runs one export query and returns its rows (at most a chunk, or one key's).
func (h *handlers) readRows(ctx context.Context, sql string, args ...any) ([]rawRow, error) {
	ctx, cancel := h.q.ctx(ctx, true)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, args...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return nil, nil
		}
		return nil, err
	}
	defer rows.Close()
	var out []rawRow
	for rows.Next() {
		var row rawRow
		if err := scanRaw(rows, &row); err != nil {
			return nil, classify(err)
		}
		out = append(out, row)
	}
	return out, classify(rows.Err())
}

func (h *handlers) countPoints(ctx context.Context, tenant string, req *rawRequest) (uint64, error) {
	sql, err := h.q.r.render(shape{File: "count_points.sql", Table: h.q.metrics, Service: req.hasService, NFilters: len(req.filters)})
	if err != nil {
		return 0, err
	}
	_, args, err := h.pointsQuery(tenant, req, 0)
	if err != nil {
		return 0, err
	}
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	var n uint64
	if err := h.q.conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return 0, nil
		}
		return 0, err
	}
	return n, nil
}

// compressed is w, gzip-compressed when the client accepts it (headers set here, before the
// status); finish completes the compressed stream.
func compressed(w http.ResponseWriter, r *http.Request) (io.Writer, func() error) {
	if !acceptsGzip(r) {
		return w, func() error { return nil }
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	gz := gzip.NewWriter(w)
	return gz, gz.Close
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

func fileTime(ms int64) string { return time.UnixMilli(ms).UTC().Format("20060102T150405Z") }

func newRowWriter(format string, w io.Writer) rowWriter {
	switch format {
	case formatNDJSON:
		return &jsonWriter{w: w, enc: json.NewEncoder(w), lines: true}
	case formatJSON:
		return &jsonWriter{w: w, enc: json.NewEncoder(w)}
	}
	return &csvWriter{w: csvsafe.NewWriter(w)}
}

// csvWriter neutralises cells a spreadsheet would run as formulas (csvsafe): metric names, units,
// services and labels come from clients.
type csvWriter struct {
	w   *csvsafe.Writer
	rec []string
}

func (c *csvWriter) begin() error { return c.w.Write(exportColumns) }

func (c *csvWriter) row(r *exportRow) error {
	labels, err := json.Marshal(r.Labels)
	if err != nil {
		return err
	}
	v := ""
	if f, ok := r.Value.(float64); ok {
		v = strconv.FormatFloat(f, 'g', -1, 64)
	}
	c.rec = append(c.rec[:0], r.Timestamp, r.Name, r.Type, r.Unit, r.Service, string(labels), v, strconv.FormatUint(r.Count, 10))
	return c.w.Write(c.rec)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

func (c *csvWriter) end(bool, int) error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter writes NDJSON (lines) or {"rows": [...], "truncated": t, "row_count": n}.
type jsonWriter struct {
	w     io.Writer
	enc   *json.Encoder
	lines bool
	n     int
}

func (j *jsonWriter) begin() error {
	if j.lines {
		return nil
	}
	_, err := io.WriteString(j.w, `{"rows":[`)
	return err
}

func (j *jsonWriter) row(r *exportRow) error {
	if !j.lines && j.n > 0 {
		if _, err := io.WriteString(j.w, ","); err != nil {
			return err
		}
	}
	j.n++
	return j.enc.Encode(r) // Encode ends each object with a newline: NDJSON, and valid inside an array
}

func (j *jsonWriter) flush() error { return nil }

func (j *jsonWriter) end(truncated bool, rows int) error {
	if j.lines {
		return nil
	}
	_, err := fmt.Fprintf(j.w, `],"truncated":%t,"row_count":%d}`+"\n", truncated, rows)
	return err
}
