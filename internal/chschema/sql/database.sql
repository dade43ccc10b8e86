CREATE DATABASE IF NOT EXISTS {{.Database}}{{.OnCluster}}
