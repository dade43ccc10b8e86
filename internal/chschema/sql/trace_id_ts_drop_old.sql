{{- /* The old table, once its rows are copied. Not SYNC: the embedded engine's sessions keep a
       reference to the table the copy read until their next statement, and a synchronous drop
       would wait for it (the database frees the table's data once nothing holds it). */ -}}
DROP TABLE IF EXISTS {{.Old}}{{.OnCluster}}
