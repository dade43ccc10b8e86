{{- /*
  Indexes of the subject index (add_subject_ids.sql) and the free-text search, and the table
  settings lightweight updates need: erasure writes patch parts (DELETE ... SETTINGS
  lightweight_delete_mode = 'lightweight_update_force') only on tables with materialized
  _block_number and _block_offset columns. Storage tables only (a Distributed front has no parts).
  Parts written before this migration hold no index until the backfill migration materializes it;
  ClickHouse reads them whole meanwhile, so results stay exact.
*/ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD INDEX IF NOT EXISTS idx_subject_ids subject_ids TYPE bloom_filter(0.01) GRANULARITY 1, ADD INDEX IF NOT EXISTS idx_search_text {{template "search_text" .}} TYPE text(tokenizer = splitByNonAlpha), MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1
