{{- /*
  A stored event's id (issue 18: DELETE /events/{event_id}). The events receiver gives every event
  one at ingest (the client's event_id, else a UUIDv7) as the log record attribute log.record.uid
  (OpenTelemetry semantic conventions); OTLP senders may set that attribute themselves. The column
  is its DEFAULT, computed by the server at insert (the exporter does not send it), and read through
  the DEFAULT for rows written before this migration (their id is the attribute, '' without one).
*/ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD COLUMN IF NOT EXISTS event_id String DEFAULT attributes['log.record.uid'] CODEC(ZSTD(1))
