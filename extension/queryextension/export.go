package queryextension

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
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
}

const flushEvery = 1000

func (h *handlers) export(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	tenant := tenantOf(r)
	q := r.URL.Query()
	req, err := parseRaw(q, h.limits, h.now(), tenant, true)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	format := q.Get("format")
	if format == "" {
		format = formatCSV
	}
	var ctype string
	switch format {
	case formatCSV:
		ctype = "text/csv; charset=utf-8"
	case formatNDJSON:
		ctype = "application/x-ndjson"
	case formatJSON:
		ctype = "application/json"
	default:
		h.fail(w, r, routeExport, badParam("format", "must be csv, ndjson or json"))
		return
	}
	total, err := h.countPoints(r.Context(), tenant, req)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	sql, args, err := h.pointsQuery(tenant, req, req.limit)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	ctx, cancel := h.q.ctx(r.Context(), true)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, args...)
	if err != nil && !errors.Is(classify(err), errNoTables) {
		h.fail(w, r, routeExport, classify(err))
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
	var out io.Writer = w
	var gz *gzip.Writer
	if acceptsGzip(r) {
		hdr.Set("Content-Encoding", "gzip")
		hdr.Add("Vary", "Accept-Encoding")
		gz = gzip.NewWriter(w)
		out = gz
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(h.q.exportTO))
	w.WriteHeader(http.StatusOK)

	rw := newRowWriter(format, out)
	n, werr := 0, rw.begin()
	if rows != nil {
		defer rows.Close()
		var row rawRow
		er := exportRow{}
		for werr == nil && rows.Next() {
			if werr = scanRaw(rows, &row); werr != nil {
				break
			}
			er = exportRow{Timestamp: time.Unix(0, row.ts).UTC().Format(time.RFC3339Nano), Name: row.name,
				Type: row.typ, Unit: row.unit, Service: row.service, Labels: row.attrs, Value: jsonNum(row.value), Count: row.count}
			if er.Labels == nil {
				er.Labels = map[string]string{}
			}
			if werr = rw.row(&er); werr != nil {
				break
			}
			n++
			if n%flushEvery == 0 {
				if gz != nil {
					_ = gz.Flush()
				}
				_ = rc.Flush()
			}
		}
		if werr == nil {
			werr = rows.Err()
		}
	}
	if werr == nil {
		werr = rw.end(truncated, n)
	}
	if gz != nil {
		if err := gz.Close(); werr == nil {
			werr = err
		}
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
	return &csvWriter{w: csv.NewWriter(w)}
}

type csvWriter struct {
	w   *csv.Writer
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

func (j *jsonWriter) end(truncated bool, rows int) error {
	if j.lines {
		return nil
	}
	_, err := fmt.Fprintf(j.w, `],"truncated":%t,"row_count":%d}`+"\n", truncated, rows)
	return err
}
