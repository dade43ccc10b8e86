{{- /* Cluster mode only: the logical table name fronts the sharded local tables. */ -}}
CREATE TABLE IF NOT EXISTS {{.Front}}{{.OnCluster}} AS {{.Table}}
ENGINE = Distributed({{.ClusterLiteral}}, {{.DatabaseLiteral}}, {{.LocalLiteral}}, {{.ShardingKey}})
