{{- /* Spans stored before the materialized view existed. Runs after the view is created, so a span
       inserted meanwhile may be counted twice, which min/max make harmless; for the same reason a
       migration interrupted and run again is harmless. Large groupings spill to disk. */ -}}
INSERT INTO {{.Qual "otel_traces_trace_id_ts"}} (TenantId, TraceId, Start, End)
SELECT tenant_id, trace_id, min(toDateTime(timestamp)), max(toDateTime(timestamp))
FROM {{.Qual "telemetry_spans"}}
WHERE trace_id != ''
GROUP BY tenant_id, trace_id
SETTINGS max_bytes_before_external_group_by = 536870912
