{{- /* Issue 21: the staging table is written for every span and read once (decided, a tenth copied at
       the default rate, the rest dropped by its one-day TTL), so it is laid out for the collector's
       write rather than for storage and queries: its one-value-per-row LowCardinality(String)
       columns become String. The driver appends a LowCardinality column from a []string row by row
       through reflection, boxing each value (an allocation) and hashing it into a dictionary; a
       String column is one copy of the bytes (BenchmarkPushSpansStagedVsStored). Map keys stay
       LowCardinality (the exporter passes them interned, without boxing, and a dictionary of the
       few distinct keys is smaller than their text); sampler, the sort key, stays too (one
       dictionary entry by pointer). telemetry_spans keeps LowCardinality: the copy converts. */ -}}
ALTER TABLE {{.Table}}{{.OnCluster}}
    MODIFY COLUMN tenant_id String CODEC(ZSTD(1)),
    MODIFY COLUMN span_name String CODEC(ZSTD(1)),
    MODIFY COLUMN scope_name String CODEC(ZSTD(1)),
    MODIFY COLUMN scope_version String CODEC(ZSTD(1)),
    MODIFY COLUMN `events.name` Array(String) CODEC(ZSTD(1))
