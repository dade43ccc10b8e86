{{- /* Cluster mode: the Distributed front takes the new column types (it was created AS the old
       local table). Metadata only; idempotent. */ -}}
ALTER TABLE {{.Front}}{{.OnCluster}} MODIFY COLUMN Start DateTime, MODIFY COLUMN End DateTime
