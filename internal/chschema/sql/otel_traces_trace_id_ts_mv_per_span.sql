{{- /* Migration 12: the trace-id view writes one row per span, without its GROUP BY (migration 10's
       first form). The AggregatingMergeTree already collapses a block's rows of one trace when it
       writes the part (optimize_on_insert), and the aggregation step cost more engine CPU per insert
       block than the rest of the view (bench/grafana: 1.4-2.4 µs per span with it, 0.8-1.0 without).
       MODIFY QUERY swaps the query atomically (no insert goes uncounted) and is idempotent. */ -}}
ALTER TABLE {{.Qual "otel_traces_trace_id_ts_mv"}}{{.OnCluster}} MODIFY QUERY
SELECT
    tenant_id AS TenantId,
    trace_id AS TraceId,
    toDateTime(timestamp) AS Start,
    toDateTime(timestamp) AS End
FROM {{.Local "telemetry_spans"}}
WHERE trace_id != ''
