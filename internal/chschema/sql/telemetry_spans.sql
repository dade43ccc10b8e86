{{- /* One row per span; events and links are Nested columns of the span row. */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id           LowCardinality(String) CODEC(ZSTD(1)),
    timestamp           DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    duration_ns         UInt64 CODEC(ZSTD(1)),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    parent_span_id      String CODEC(ZSTD(1)),
    trace_state         String CODEC(ZSTD(1)),
    span_name           LowCardinality(String) CODEC(ZSTD(1)),
    span_kind           Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5),
    service_name        LowCardinality(String) CODEC(ZSTD(1)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    status_code         Enum8('unset' = 0, 'ok' = 1, 'error' = 2),
    status_message      String CODEC(ZSTD(1)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name          LowCardinality(String) CODEC(ZSTD(1)),
    scope_version       LowCardinality(String) CODEC(ZSTD(1)),
    events Nested
    (
        timestamp  DateTime64(9),
        name       LowCardinality(String),
        attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    links Nested
    (
        trace_id    String,
        span_id     String,
        trace_state String,
        attributes  Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration duration_ns TYPE minmax GRANULARITY 1
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, service_name, span_name, timestamp)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
