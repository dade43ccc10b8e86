{{- /*
  The index DELETE /events/{event_id} finds an event by; parts written before it get it in the
  background (mutations_sync = 0: ingest goes on; reads of parts without it are exact, only slower).
  Storage tables only.
*/ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD INDEX IF NOT EXISTS idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1
