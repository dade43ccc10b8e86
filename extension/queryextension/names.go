package queryextension

import (
	"context"
	"errors"
	"net/http"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// maxNamesListed bounds each list of GET /names.
const maxNamesListed = 1000

// names answers GET /names: the metric, event and span names seen in the range (optionally of one
// service), each list sorted and at most maxNamesListed long, for the dashboard's suggestions.
func (h *handlers) names(w http.ResponseWriter, r *http.Request) {
	h = h.forTenant(tenantOf(r))
	p := newParams(r.URL.Query())
	sel, err := p.selection(h.limits, h.now())
	if err == nil {
		err = p.unknown()
	}
	if err != nil {
		h.fail(w, r, routeNames, err)
		return
	}
	out := map[string]any{"tenant": tenantOf(r), "start_time": msTime(sel.start), "end_time": msTime(sel.end), "limit": maxNamesListed}
	rows := 0
	for _, l := range []struct{ key, table, column string }{
		{"metrics", h.q.metrics, "metric_name"}, {"events", h.q.events, "event_name"}, {"spans", h.q.spans, "span_name"},
	} {
		list, err := h.listNames(r.Context(), tenantOf(r), sel, l.table, l.column)
		if err != nil {
			h.fail(w, r, routeNames, err)
			return
		}
		out[l.key] = list
		rows += len(list)
	}
	h.ok(w, r, routeNames, rows, out)
}

func (h *handlers) listNames(ctx context.Context, tenant string, sel selection, table, column string) ([]string, error) {
	sql, err := h.q.r.render(shape{File: "names.sql", Table: table, Column: column, Service: sel.hasService, NFilters: len(sel.filters)})
	if err != nil {
		return nil, err
	}
	ctx, cancel := h.q.ctx(ctx, false)
	defer cancel()
	rows, err := h.q.conn.Query(ctx, sql, append(selectionArgs(tenant, sel), clickhouse.Named("limit", maxNamesListed))...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return []string{}, nil
		}
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var name string
		var n uint64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, classify(err)
		}
		out = append(out, name)
	}
	return out, classify(rows.Err())
}
