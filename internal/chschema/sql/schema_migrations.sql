{{- /*
  One row per applied migration. Rows carry only deterministic content
  (version, name, checksum of the template source), so two collectors that
  apply the same migration concurrently write identical rows, which the
  ReplacingMergeTree collapses; readers use FINAL. In cluster mode the
  replication path has no {shard} macro: every node of the cluster shares
  one copy, so any node can answer "which versions are applied".
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3) DEFAULT now64(3)
)
ENGINE = {{.GlobalEngine "ReplacingMergeTree"}}
ORDER BY version
