{{- /* The trace-id lookup table Grafana's ClickHouse datasource reads before it reads a trace
       (`<traces table>_trace_id_ts`): per tenant and trace its first and last span time, in
       seconds. It holds trace ids and times only, no attribute or user column. Rows of one trace
       collapse on merge; readers still take min(Start) and max(End), so rows not merged yet, or
       written twice (backfill overlapping the materialized view), give the same answer. */ -}}
CREATE TABLE IF NOT EXISTS {{.Table}}{{.OnCluster}}
(
    TenantId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId  String CODEC(ZSTD(1)),
    Start    SimpleAggregateFunction(min, DateTime) CODEC(Delta(4), ZSTD(1)),
    End      SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = {{.Engine "AggregatingMergeTree"}}
PARTITION BY toDate(Start)
ORDER BY (TraceId, TenantId)
{{.TTL}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
