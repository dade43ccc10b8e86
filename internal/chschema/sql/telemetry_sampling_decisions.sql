{{- /* One row per trace decided by the in-ClickHouse tail sampler: kept (sampled = 1) with the probability
       stored as the spans' sample_rate, or dropped; reason is the rule that decided (error, slow, rate,
       dropped). Late spans of a decided trace follow this row. */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    sampler     LowCardinality(String),
    tenant_id   LowCardinality(String),
    trace_id    String,
    decided_at  DateTime64(3),
    sampled     UInt8,
    sample_rate Float64,
    reason      LowCardinality(String),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toStartOfHour(decided_at)
ORDER BY (sampler, decided_at)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
