{{- /* Inserts carry insert_deduplication_token (one per batch part, see the telemetry_storage
       exporter): a retried batch whose first attempt committed is dropped by the server instead of
       stored twice. Replicated tables (cluster mode) keep such a window by themselves
       (replicated_deduplication_window); a plain MergeTree only with this setting. 1000 is the
       number of recent inserts whose tokens each table remembers. */ -}}
ALTER TABLE {{.Table}} MODIFY SETTING non_replicated_deduplication_window = 1000
