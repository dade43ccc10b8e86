{{- /* The old table's rows into the new one, as they are (a trace's rows from parts not merged yet
       stay apart; min/max readers do not care, and a copy run twice after an interruption only
       adds rows the merges fold). In cluster mode every shard's old table is read and written
       through the Distributed front, sharded by trace id as before. */ -}}
INSERT INTO {{if .OnCluster}}{{.Front}}{{else}}{{.Table}}{{end}} (TenantId, TraceId, Start, End)
SELECT TenantId, TraceId, Start, End FROM {{if .OnCluster}}cluster({{.ClusterLiteral}}, {{.DatabaseLiteral}}, {{.OldLiteral}}){{else}}{{.Old}}{{end}}
