{{- /*
  Data-subject deletion requests (extension/datarightsextension): one row per
  request, the newest updated_at wins. The subject is a keyed pseudonym, never
  the user id or its pii_redaction token; user_id holds the raw id only while
  the request is open (a restarted collector needs it to resume) and is
  emptied, older versions deleted, when the request ends. Kept without TTL: the
  receipt is the proof of the deletion.
*/ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    tenant_id   LowCardinality(String) CODEC(ZSTD(1)),
    request_id  String CODEC(ZSTD(1)),
    subject     String CODEC(ZSTD(1)),
    user_id     String CODEC(ZSTD(1)),
    status      Enum8('pending' = 1, 'running' = 2, 'completed' = 3, 'failed' = 4),
    reason      String CODEC(ZSTD(1)),
    actor       String CODEC(ZSTD(1)),
    attempts    UInt32,
    accepted_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    finished_at Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    receipt     String CODEC(ZSTD(1)),
    updated_at  DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = {{.Engine "ReplacingMergeTree" "updated_at"}}
ORDER BY (tenant_id, request_id)
SETTINGS index_granularity = 8192
