{{- /* Fills the trace-id lookup table from every span insert (in cluster mode per shard, local to
       local: spans and the lookup table are both sharded by trace id). */ -}}
CREATE MATERIALIZED VIEW IF NOT EXISTS {{.Qual "otel_traces_trace_id_ts_mv"}}{{.OnCluster}}
TO {{.Local "otel_traces_trace_id_ts"}}
AS SELECT
    tenant_id AS TenantId,
    trace_id AS TraceId,
    min(toDateTime(timestamp)) AS Start,
    max(toDateTime(timestamp)) AS End
FROM {{.Local "telemetry_spans"}}
WHERE trace_id != ''
GROUP BY TenantId, TraceId
