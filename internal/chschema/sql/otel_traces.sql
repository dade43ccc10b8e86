{{- /* telemetry_spans under the contrib clickhouse exporter's names, types and value spellings,
       which Grafana's ClickHouse datasource (OTel mode) and ClickStack/HyperDX expect. A plain view:
       filters are pushed into telemetry_spans, which keeps partition pruning, the primary key and
       the trace_id bloom filter. No column is named trace_id, trace_start or trace_end (the
       plugin's WITH names in v4.20.0). */ -}}
CREATE VIEW IF NOT EXISTS {{.Qual "otel_traces"}}{{.OnCluster}}
AS SELECT
    timestamp AS Timestamp,
    trace_id AS TraceId,
    span_id AS SpanId,
    parent_span_id AS ParentSpanId,
    trace_state AS TraceState,
    span_name AS SpanName,
    CAST(transform(toInt8(span_kind), [1, 2, 3, 4, 5], ['Internal', 'Server', 'Client', 'Producer', 'Consumer'], 'Unspecified'), 'LowCardinality(String)') AS SpanKind,
    service_name AS ServiceName,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    attributes AS SpanAttributes,
    duration_ns AS Duration,
    CAST(transform(toInt8(status_code), [1, 2], ['Ok', 'Error'], 'Unset'), 'LowCardinality(String)') AS StatusCode,
    status_message AS StatusMessage,
    events.timestamp AS `Events.Timestamp`,
    events.name AS `Events.Name`,
    events.attributes AS `Events.Attributes`,
    links.trace_id AS `Links.TraceId`,
    links.span_id AS `Links.SpanId`,
    links.trace_state AS `Links.TraceState`,
    links.attributes AS `Links.Attributes`,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM {{.Qual "telemetry_spans"}}
