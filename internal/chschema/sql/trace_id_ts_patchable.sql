{{- /* Migration 65: the trace-id lookup table rebuilt so that erasure can write patch parts in it
       (DELETE ... lightweight_update_force; an AggregatingMergeTree refuses lightweight updates, so
       each erasure ran a classic DELETE: a mutation reading every part's TraceId and rewriting its
       _row_exists mask, 0.74 s of engine CPU per request at 10M rows, growing with the table).
       One row per (trace, first second, last second) instead of one per trace: the view writes a
       row per span, and ReplacingMergeTree folds a trace's rows of the same second on merge;
       readers already take min(Start) and max(End). The sorting key keeps TraceId first, so a
       lookup by trace id still reads one granule per id. Created under a temporary name; the
       migration renames it into place (trace_id_ts_swap.sql). */ -}}
CREATE TABLE IF NOT EXISTS {{.Next}}{{.OnCluster}}
(
    TenantId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId  String CODEC(ZSTD(1)),
    Start    DateTime CODEC(Delta(4), ZSTD(1)),
    End      DateTime CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{.Engine "ReplacingMergeTree"}}
PARTITION BY toDate(Start)
ORDER BY (TraceId, TenantId, Start, End)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, enable_block_number_column = 1, enable_block_offset_column = 1
