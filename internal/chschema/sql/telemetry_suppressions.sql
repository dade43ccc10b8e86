{{- /*
  Suppression list of the data-rights extension: records of a subject (keyed
  pseudonym of a deleted user) are dropped in the pipeline and at write time
  from suppressed_at on; a later explicit consent grant sets lifted_at. One row
  per (tenant, subject), the newest updated_at wins.
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id     LowCardinality(String) CODEC(ZSTD(1)),
    subject       String CODEC(ZSTD(1)),
    request_id    String CODEC(ZSTD(1)),
    suppressed_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    lifted_at     Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    updated_at    DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = {{.Engine "ReplacingMergeTree" "updated_at"}}
ORDER BY (tenant_id, subject)
SETTINGS index_granularity = 8192
