package queryextension

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/queryextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Route names in the component's metrics.
const (
	routeMetrics   = "metrics"
	routeAggregate = "aggregate"
	routeExport    = "export"
	routeTraces    = "traces"
	routeTrace     = "trace"
	routeLogs      = "logs"
	routeNames     = "names"
)

// maxAuditQuery bounds the query string kept in an audit record.
const maxAuditQuery = 2048

// handlers serve the routes of one started extension.
type handlers struct {
	q       *querier
	regions *regionQueriers // residency: the querier of a tenant's region (residency.go)
	limits  limits
	sources map[string]aggSource
	tel     *metadata.TelemetryBuilder
	logger  *zap.Logger
	now     func() time.Time
	// chunkRows is the rows of one export query (export::chunk_rows).
	chunkRows  int
	grafanaCfg GrafanaConfig
}

func (h *handlers) routes() []telemetryapi.Route {
	return []telemetryapi.Route{
		{Method: http.MethodGet, Path: "/metrics", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.metrics)},
		{Method: http.MethodGet, Path: "/metrics/aggregate", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.aggregate)},
		{Method: http.MethodGet, Path: "/metrics/export", Role: telemetryapi.RoleAnalyst, Handler: http.HandlerFunc(h.export)},
		{Method: http.MethodGet, Path: "/traces", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.traces)},
		{Method: http.MethodGet, Path: "/traces/{trace_id}", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.trace)},
		{Method: http.MethodGet, Path: "/logs", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.logs)},
		{Method: http.MethodGet, Path: "/names", Role: telemetryapi.RoleViewer, Handler: http.HandlerFunc(h.names)},
		{Method: http.MethodPost, Path: "/admin/grafana", Role: telemetryapi.RoleAdmin, Handler: http.HandlerFunc(h.grafana)},
	}
}

// tenantOf is the tenant a request reads: the key's, or the one an admin named. The extension has
// resolved it before the handler runs; ?tenant=* is refused there for these routes.
func tenantOf(r *http.Request) string { return telemetryapi.EffectiveTenant(r) }

// ok answers 200 with v and records the rows in the metrics and the audit trail.
func (h *handlers) ok(w http.ResponseWriter, r *http.Request, route string, rows int, v any) {
	h.done(r, route, "ok", rows)
	telemetryapi.WriteJSON(w, http.StatusOK, v)
}

// done counts a finished request and adds what it read to the audit record.
func (h *handlers) done(r *http.Request, route, result string, rows int) {
	ctx := r.Context()
	h.tel.Requests.Add(ctx, 1, metric.WithAttributes(attribute.String("route", route), attribute.String("result", result)))
	if rows > 0 {
		h.tel.Rows.Add(ctx, int64(rows), metric.WithAttributes(attribute.String("route", route)))
	}
	telemetryapi.AddAuditDetail(ctx, "query", auditQuery(r.URL.RawQuery))
	telemetryapi.AddAuditDetail(ctx, "rows", strconv.Itoa(rows))
}

func (h *handlers) fail(w http.ResponseWriter, r *http.Request, route string, err error) {
	var pe *paramError
	var se *storageError
	result := "error"
	switch {
	case errors.As(err, &pe):
		result = "invalid"
	case errors.As(err, &se) && se.code == "query_too_large":
		result = "too_large"
	default:
		h.logger.Warn("query failed", zap.String("route", route), zap.Error(err))
	}
	h.done(r, route, result, 0)
	writeError(w, err)
}
