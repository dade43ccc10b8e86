{{- /* Issue 21: the staging table's columns compressed with LZ4 instead of ZSTD(1). Every span is
       written here once and read back by the sampler within seconds (decision_wait), then dropped by
       the one-day TTL: compression is paid on every span for a table never kept, and ZSTD(1) took
       about twice the engine CPU of LZ4 to write the same rows (500,000 bench spans: 30-37 vs 15-20
       ticks), for ~1.7x less disk (43 vs 72 MiB). A codec change is metadata only: new parts (and
       merges) use it, no mutation rewrites existing ones. Storage tables only (a Distributed front
       has no codecs). */ -}}
ALTER TABLE {{.Table}}{{.OnCluster}}
    MODIFY COLUMN received_at CODEC(Delta(8), LZ4),
    MODIFY COLUMN tenant_id CODEC(LZ4),
    MODIFY COLUMN timestamp CODEC(Delta(8), LZ4),
    MODIFY COLUMN duration_ns CODEC(LZ4),
    MODIFY COLUMN trace_id CODEC(LZ4),
    MODIFY COLUMN span_id CODEC(LZ4),
    MODIFY COLUMN parent_span_id CODEC(LZ4),
    MODIFY COLUMN trace_state CODEC(LZ4),
    MODIFY COLUMN span_name CODEC(LZ4),
    MODIFY COLUMN service_name CODEC(LZ4),
    MODIFY COLUMN user_id CODEC(LZ4),
    MODIFY COLUMN session_id CODEC(LZ4),
    MODIFY COLUMN status_message CODEC(LZ4),
    MODIFY COLUMN attributes CODEC(LZ4),
    MODIFY COLUMN resource_attributes CODEC(LZ4),
    MODIFY COLUMN scope_name CODEC(LZ4),
    MODIFY COLUMN scope_version CODEC(LZ4),
    MODIFY COLUMN `events.timestamp` CODEC(LZ4),
    MODIFY COLUMN `events.name` CODEC(LZ4),
    MODIFY COLUMN `events.attributes` CODEC(LZ4),
    MODIFY COLUMN `links.trace_id` CODEC(LZ4),
    MODIFY COLUMN `links.span_id` CODEC(LZ4),
    MODIFY COLUMN `links.trace_state` CODEC(LZ4),
    MODIFY COLUMN `links.attributes` CODEC(LZ4)
