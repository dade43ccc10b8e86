{{- /*
  Current consent state: one row per (tenant, user, purpose). The newest
  updated_at wins on merge; read with FINAL or argMax. Not partitioned, since
  ReplacingMergeTree only collapses rows inside one partition.
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id      LowCardinality(String) CODEC(ZSTD(1)),
    user_id        String CODEC(ZSTD(1)),
    purpose        LowCardinality(String) CODEC(ZSTD(1)),
    status         Enum8('granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    policy_version LowCardinality(String) CODEC(ZSTD(1)),
    source         LowCardinality(String) CODEC(ZSTD(1)),
    updated_at     DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    expires_at     Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    attributes     Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = {{.Engine "ReplacingMergeTree" "updated_at"}}
ORDER BY (tenant_id, user_id, purpose)
{{.TTL}}
SETTINGS index_granularity = 8192
