{{- /*
  What tenants administer at run time through the API (kind "api_key": key digests and roles;
  kind "privacy_policy": a tenant's policy), read by every collector of a fleet (internal/fleetstore).
  Every version is kept: the newest version of (kind, tenant_id, id) is in effect, the older ones are
  its history. Secrets are never stored, only digests.
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    kind       LowCardinality(String) CODEC(ZSTD(1)),
    tenant_id  LowCardinality(String) CODEC(ZSTD(1)),
    id         String CODEC(ZSTD(1)),
    version    UInt64 CODEC(Delta(8), ZSTD(1)),
    deleted    UInt8 CODEC(ZSTD(1)),
    body       String CODEC(ZSTD(3)),
    actor      String CODEC(ZSTD(1)),
    updated_at DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = {{.Engine "MergeTree"}}
ORDER BY (kind, tenant_id, id, version)
SETTINGS index_granularity = 8192
