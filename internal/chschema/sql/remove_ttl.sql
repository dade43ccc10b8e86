ALTER TABLE {{.Table}}{{.OnCluster}} REMOVE TTL
