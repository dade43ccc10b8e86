package datarightsextension

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

var exportSettings = clickhouse.Settings{"max_block_size": 4096, "preferred_block_size_bytes": 4 << 20}

// requestsSection names the past deletion requests in an export.
const requestsSection = "deletion_requests"

// ExportHeader opens an export.
type ExportHeader struct {
	Tenant      string    `json:"tenant"`
	UserID      string    `json:"user_id"`
	Subject     string    `json:"subject"`
	GeneratedAt time.Time `json:"generated_at"`
	Sections    []string  `json:"sections"`
}

// exportWriter writes one export in NDJSON or as one JSON document, row by row: nothing but the
// current row is held in memory.
type exportWriter struct {
	w       *bufio.Writer
	json    bool
	section string
	first   bool // no row written yet in the current section
	rows    map[string]uint64
}

func (e *exportWriter) header(h ExportHeader) error {
	if e.json {
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.w, `{"header":%s,"sections":{`, b)
		return err
	}
	return e.line(map[string]any{"type": "header", "header": h})
}

func (e *exportWriter) line(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, _ = e.w.Write(b)
	return e.w.WriteByte('\n')
}

func (e *exportWriter) begin(section string, index int) error {
	e.section, e.first = section, true
	e.rows[section] = 0
	if !e.json {
		return nil
	}
	sep := ","
	if index == 0 {
		sep = ""
	}
	_, err := fmt.Fprintf(e.w, `%s%q:[`, sep, section)
	return err
}

func (e *exportWriter) row(row map[string]any) error {
	e.rows[e.section]++
	if !e.json {
		return e.line(map[string]any{"type": "row", "section": e.section, "row": row})
	}
	if !e.first {
		_ = e.w.WriteByte(',')
	}
	e.first = false
	b, err := json.Marshal(row)
	if err != nil {
		return err
	}
	_, err = e.w.Write(b)
	return err
}

// rawRow writes a row that is already one JSON object (ClickHouse's JSONEachRow).
func (e *exportWriter) rawRow(row []byte) error {
	e.rows[e.section]++
	if !e.json {
		fmt.Fprintf(e.w, `{"type":"row","section":%q,"row":`, e.section)
		_, _ = e.w.Write(row)
		_, err := e.w.WriteString("}\n")
		return err
	}
	if !e.first {
		_ = e.w.WriteByte(',')
	}
	e.first = false
	_, err := e.w.Write(row)
	return err
}

func (e *exportWriter) end() error {
	if e.json {
		_, _ = e.w.WriteString("]")
	}
	return nil
}

func (e *exportWriter) close(failure error) error {
	if e.json {
		trailer := map[string]any{"rows": e.rows}
		if failure != nil {
			trailer["error"] = failure.Error()
		}
		b, _ := json.Marshal(trailer)
		fmt.Fprintf(e.w, `},"trailer":%s}`+"\n", b)
	} else {
		t := map[string]any{"type": "trailer", "rows": e.rows}
		if failure != nil {
			t["error"] = failure.Error()
		}
		_ = e.line(t)
	}
	return e.w.Flush()
}

func (x *dataRights) handleExport(w http.ResponseWriter, r *http.Request, user string) {
	if msg := checkUserID(user); msg != "" {
		writeFieldError(w, "user_id", msg)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "ndjson" && format != "json" {
		writeFieldError(w, "format", fmt.Sprintf("format %q must be ndjson (default) or json", format))
		return
	}
	ctx := r.Context()
	if err := x.store.conn.Ping(ctx); err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "ClickHouse is not reachable; retry later")
		return
	}
	tenant := telemetryapi.EffectiveTenant(r)
	ids := newForms(x.list.Token, 0, 0, []string{""}, []string{user})
	h := ExportHeader{Tenant: tenant, UserID: user, Subject: x.list.Subject(user), GeneratedAt: x.now().UTC()}
	for _, t := range x.store.sql.targets {
		if !t.noExport {
			h.Sections = append(h.Sections, t.name)
		}
	}
	h.Sections = append(h.Sections, requestsSection)
	if format == "json" {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="export.`+map[bool]string{true: "json", false: "ndjson"}[format == "json"]+`"`)
	w.WriteHeader(http.StatusOK)
	e := &exportWriter{w: bufio.NewWriterSize(newProgressWriter(w), 64<<10), json: format == "json", rows: map[string]uint64{}}
	err := x.export(ctx, e, h, tenant, ids)
	if err != nil {
		x.logger.Warn("export ended early", zap.String("tenant", tenant), zap.Error(err))
	}
	_ = e.close(err)
}

func (x *dataRights) export(ctx context.Context, e *exportWriter, h ExportHeader, tenant string, ids *forms) error {
	if err := e.header(h); err != nil {
		return err
	}
	sections := 0
	for i := range x.store.sql.targets {
		st, t := x.targetFor(tenant, i)
		if t.noExport {
			continue
		}
		sections++
		if err := e.begin(t.name, sections-1); err != nil {
			return err
		}
		var err error
		if st.hx != nil {
			err = st.hx.stream(ctx, e, t.exportHTTP, t.httpParams(tenant, ids))
		} else {
			err = x.streamRows(ctx, e, st, t.export, t.args(tenant, ids))
		}
		if err != nil {
			_ = e.end()
			return fmt.Errorf("export %s: %w", t.name, err)
		}
		if err := e.end(); err != nil {
			return err
		}
	}
	if err := e.begin(requestsSection, sections); err != nil {
		return err
	}
	var err error
	if x.store.hx != nil {
		err = x.store.hx.stream(ctx, e, x.store.sql.subjectRequestsHTTP, map[string]string{"tenant": tenant, "subject": h.Subject})
	} else {
		err = x.streamRows(ctx, e, x.store, x.store.sql.subjectRequests, []any{tenant, h.Subject})
	}
	_ = e.end()
	return err
}

// streamRows writes every row of q as a column -> value object, in the columns' own Go types.
func (x *dataRights) streamRows(ctx context.Context, e *exportWriter, st *chStore, q string, args []any) error {
	// Small blocks: the driver decodes a whole block at a time, so the block size (not the row
	// count) bounds what an export holds in memory.
	rows, err := st.conn.Query(clickhouse.Context(ctx, clickhouse.WithSettings(exportSettings)), q, args...)
	if err != nil {
		if noTable(err) {
			return nil
		}
		return err
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	names := rows.Columns()
	for rows.Next() {
		dest := make([]any, len(cols))
		for i, c := range cols {
			dest[i] = reflect.New(c.ScanType()).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		row := make(map[string]any, len(cols))
		for i, n := range names {
			row[n] = reflect.ValueOf(dest[i]).Elem().Interface()
		}
		if err := e.row(row); err != nil {
			return err
		}
	}
	return rows.Err()
}
