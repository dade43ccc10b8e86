{{- /* Fills the trace-id lookup table from every span insert (in cluster mode per shard, local to
       local: spans and the lookup table are both sharded by trace id). One row per span, no GROUP BY:
       the AggregatingMergeTree already collapses a block's rows of one trace when it writes the part
       (optimize_on_insert), and an aggregation step in the view cost more CPU per insert block than
       the whole rest of the view (bench/grafana). */ -}}
CREATE MATERIALIZED VIEW IF NOT EXISTS {{.Qual "otel_traces_trace_id_ts_mv"}}{{.OnCluster}}
TO {{.Local "otel_traces_trace_id_ts"}}
AS SELECT
    tenant_id AS TenantId,
    trace_id AS TraceId,
    toDateTime(timestamp) AS Start,
    toDateTime(timestamp) AS End
FROM {{.Local "telemetry_spans"}}
WHERE trace_id != ''
