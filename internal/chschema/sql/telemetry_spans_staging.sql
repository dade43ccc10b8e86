{{- /* Every span of the traces pipeline as the telemetry_storage exporter received it (the same columns
       as telemetry_spans), until the in-ClickHouse tail sampler decides its trace and copies the kept
       traces' spans into telemetry_spans. received_at is the engine's clock when the row was written;
       sampler names the collector (or gateway) that owns the row's decision. Dropped traces' rows stay
       until the TTL (one day). */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    sampler             LowCardinality(String),
    received_at         DateTime64(3) DEFAULT now64(3) CODEC(Delta(8), ZSTD(1)),
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
    sample_rate         Float64 DEFAULT 1
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toStartOfHour(received_at)
ORDER BY (sampler, received_at)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
