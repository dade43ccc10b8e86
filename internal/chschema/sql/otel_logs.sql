{{- /* telemetry_logs and telemetry_events (log records with an event name, EventName set) under
       the contrib clickhouse exporter's names. TimestampTime is the seconds column of the plugin's
       "1.2.9" log map (plugin 4.14-4.19). ScopeAttributes are not stored: always empty. */ -}}
{{define "otel_log_columns"}}
    timestamp AS Timestamp,
    toDateTime(timestamp) AS TimestampTime,
    trace_id AS TraceId,
    span_id AS SpanId,
    trace_flags AS TraceFlags,
    severity_text AS SeverityText,
    severity_number AS SeverityNumber,
    service_name AS ServiceName,
    body AS Body,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    CAST(map(), 'Map(LowCardinality(String), String)') AS ScopeAttributes,
    attributes AS LogAttributes,
{{- end -}}
CREATE VIEW IF NOT EXISTS {{.Qual "otel_logs"}}{{.OnCluster}}
AS SELECT{{template "otel_log_columns"}}
    CAST('', 'LowCardinality(String)') AS EventName,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM {{.Qual "telemetry_logs"}}
UNION ALL
SELECT{{template "otel_log_columns"}}
    event_name AS EventName,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM {{.Qual "telemetry_events"}}
