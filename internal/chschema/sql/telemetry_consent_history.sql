{{- /* Append-only record of every consent change: the proof of consent. */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id       LowCardinality(String) CODEC(ZSTD(1)),
    user_id         String CODEC(ZSTD(1)),
    purpose         LowCardinality(String) CODEC(ZSTD(1)),
    status          Enum8('granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    previous_status Enum8('none' = 0, 'granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    policy_version  LowCardinality(String) CODEC(ZSTD(1)),
    source          LowCardinality(String) CODEC(ZSTD(1)),
    actor           String CODEC(ZSTD(1)),
    reason          String CODEC(ZSTD(1)),
    changed_at      DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    attributes      Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = {{.Engine "MergeTree"}}
PARTITION BY toYYYYMM(changed_at)
ORDER BY (tenant_id, user_id, purpose, changed_at)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
