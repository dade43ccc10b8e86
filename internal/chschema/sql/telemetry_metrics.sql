{{- /*
  Every OTLP metric type in one table, discriminated by metric_type, so that
  "name, time, value" queries need no UNION. Columns that do not apply to a
  type hold their default (0, empty array).
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id                  LowCardinality(String) CODEC(ZSTD(1)),
    timestamp                  DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    start_timestamp            DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    metric_name                LowCardinality(String) CODEC(ZSTD(1)),
    metric_description         String CODEC(ZSTD(1)),
    metric_unit                LowCardinality(String) CODEC(ZSTD(1)),
    metric_type                Enum8('gauge' = 1, 'sum' = 2, 'histogram' = 3, 'exponential_histogram' = 4, 'summary' = 5),
    temporality                Enum8('unspecified' = 0, 'delta' = 1, 'cumulative' = 2),
    is_monotonic               Bool,
    service_name               LowCardinality(String) CODEC(ZSTD(1)),
    user_id                    String CODEC(ZSTD(1)),
    attributes                 Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes        Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name                 LowCardinality(String) CODEC(ZSTD(1)),
    scope_version              LowCardinality(String) CODEC(ZSTD(1)),
    flags                      UInt32,
    value                      Float64 CODEC(ZSTD(1)),
    count                      UInt64 CODEC(ZSTD(1)),
    min                        Nullable(Float64) CODEC(ZSTD(1)),
    max                        Nullable(Float64) CODEC(ZSTD(1)),
    bucket_counts              Array(UInt64) CODEC(ZSTD(1)),
    explicit_bounds            Array(Float64) CODEC(ZSTD(1)),
    exp_scale                  Int32 CODEC(ZSTD(1)),
    exp_zero_count             UInt64 CODEC(ZSTD(1)),
    exp_zero_threshold         Float64 CODEC(ZSTD(1)),
    exp_positive_offset        Int32 CODEC(ZSTD(1)),
    exp_positive_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    exp_negative_offset        Int32 CODEC(ZSTD(1)),
    exp_negative_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    quantiles Nested
    (
        quantile Float64,
        value    Float64
    ) CODEC(ZSTD(1)),
    exemplars Nested
    (
        timestamp           DateTime64(9),
        value               Float64,
        trace_id            String,
        span_id             String,
        filtered_attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, metric_name, service_name, timestamp)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
