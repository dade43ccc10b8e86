{{- /* Who did what to which data (consent changes, deletions, queries). */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id   LowCardinality(String) CODEC(ZSTD(1)),
    timestamp   DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    actor       String CODEC(ZSTD(1)),
    actor_type  LowCardinality(String) CODEC(ZSTD(1)),
    action      LowCardinality(String) CODEC(ZSTD(1)),
    target_type LowCardinality(String) CODEC(ZSTD(1)),
    target_id   String CODEC(ZSTD(1)),
    outcome     Enum8('success' = 1, 'failure' = 2, 'denied' = 3),
    request_id  String CODEC(ZSTD(1)),
    details     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_target_id target_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant_id, timestamp, action)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
