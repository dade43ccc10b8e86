{{- /* Builds idx_event_id in the parts written before add_event_id_index (a resumable mutation). */ -}}
ALTER TABLE {{.Table}}{{.OnCluster}} MATERIALIZE INDEX idx_event_id SETTINGS mutations_sync = 0
