{{- /*
  The resumable backfill of the subject index: rows written before add_subject_ids get the column
  and both indexes written into their parts. A mutation: ClickHouse records it (system.mutations)
  and resumes it after a restart, part by part, in the background (mutations_sync = 0: the
  migration does not wait, and ingest goes on; reads of parts not yet rewritten compute the
  column's DEFAULT and are exact, only slower). Cost: docs/privacy.md.
*/ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} MATERIALIZE COLUMN subject_ids, MATERIALIZE INDEX idx_subject_ids, MATERIALIZE INDEX idx_search_text SETTINGS mutations_sync = 0
