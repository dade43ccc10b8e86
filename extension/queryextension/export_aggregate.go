package queryextension

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/csvsafe"
)

// aggExportRow is one bucket of one group of an aggregate export.
type aggExportRow struct {
	Bucket string            `json:"bucket"`
	Group  map[string]string `json:"group"`
	Other  bool              `json:"other"`
	Value  any               `json:"value"`
}

var aggExportColumns = []string{"bucket", "group", "other", "value"}

// exportAggregate answers /metrics/export with aggregate parameters: the series of
// /metrics/aggregate as rows. The aggregate is computed before the first byte is written, so the
// truncation headers are exact.
func (h *handlers) exportAggregate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := parseAggregateFor(q, h.limits, h.now(), true)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	format, ctype, err := exportFormat(q)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	p, err := h.sources[req.source].plan(r.Context(), h.q, tenantOf(r), req)
	if err != nil {
		h.fail(w, r, routeExport, err)
		return
	}
	series := []*aggSeries{}
	if p.sql != "" {
		if series, err = h.runAggregate(r.Context(), req, p); err != nil {
			h.fail(w, r, routeExport, err)
			return
		}
	}
	total := 0
	for _, s := range series {
		total += len(s.Points)
	}
	rows := min(total, req.maxRows)
	hdr := w.Header()
	hdr.Set("Content-Type", ctype)
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="aggregate-%s-%s.%s"`, fileTime(req.start), fileTime(req.end), format))
	hdr.Set("X-Export-Total-Rows", strconv.Itoa(total))
	hdr.Set("X-Export-Truncated", strconv.FormatBool(total > rows))
	hdr.Set("X-Export-Max-Rows", strconv.Itoa(req.maxRows))
	hdr.Set("Trailer", "X-Export-Rows")
	out, finish := compressed(w, r)
	w.WriteHeader(http.StatusOK)
	err = writeAggRows(out, format, series, rows, total > rows)
	if err == nil {
		err = finish()
	}
	if err != nil {
		h.done(r, routeExport, "error", 0)
		return
	}
	hdr.Set("X-Export-Rows", strconv.Itoa(rows))
	h.done(r, routeExport, "ok", rows)
}

func writeAggRows(w io.Writer, format string, series []*aggSeries, rows int, truncated bool) error {
	n := 0
	var cw *csvsafe.Writer
	enc := json.NewEncoder(w)
	switch format {
	case formatCSV:
		cw = csvsafe.NewWriter(w)
		if err := cw.Write(aggExportColumns); err != nil {
			return err
		}
	case formatJSON:
		if _, err := io.WriteString(w, `{"rows":[`); err != nil {
			return err
		}
	}
	for _, s := range series {
		for _, p := range s.Points {
			if n == rows {
				break
			}
			row := aggExportRow{Bucket: time.UnixMilli(p[0].(int64)).UTC().Format(time.RFC3339), Group: s.Group, Other: s.Other, Value: p[1]}
			var err error
			switch format {
			case formatCSV:
				group, _ := json.Marshal(row.Group)
				v := ""
				if f, ok := row.Value.(float64); ok {
					v = strconv.FormatFloat(f, 'g', -1, 64)
				}
				err = cw.Write([]string{row.Bucket, string(group), strconv.FormatBool(row.Other), v})
			case formatJSON:
				if n > 0 {
					_, err = io.WriteString(w, ",")
				}
				if err == nil {
					err = enc.Encode(row)
				}
			default:
				err = enc.Encode(row)
			}
			if err != nil {
				return err
			}
			n++
		}
	}
	switch format {
	case formatCSV:
		cw.Flush()
		return cw.Error()
	case formatJSON:
		_, err := fmt.Fprintf(w, `],"truncated":%t,"row_count":%d}`+"\n", truncated, n)
		return err
	}
	return nil
}
