ALTER TABLE {{.Table}}{{.OnCluster}} MODIFY {{.TTL}}
