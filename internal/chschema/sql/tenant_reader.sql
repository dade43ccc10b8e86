{{- /*
  A tenant's read-only database for Grafana / HyperDX: the names otel_traces, otel_logs and
  otel_traces_trace_id_ts, as views over the telemetry database's ones filtered to the tenant.
  Views select * so they follow the telemetry views' columns; CREATE OR REPLACE makes a repeated
  call bring an older database up to date. With a reader user (real server only: the embedded
  engine has no access control), the views run as their definer and the user is granted SELECT
  on this database only, so it can read nothing else, with or without these filters.
*/ -}}
{{define "reader_database"}}CREATE DATABASE IF NOT EXISTS {{.ReaderDatabase}}{{.OnCluster}}{{end}}
{{define "reader_security"}}{{if .ReaderUser}} DEFINER = CURRENT_USER SQL SECURITY DEFINER{{end}}{{end}}
{{define "reader_traces"}}CREATE OR REPLACE VIEW {{.ReaderDatabase}}.`otel_traces`{{.OnCluster}}{{template "reader_security" .}}
AS SELECT * FROM {{.Qual "otel_traces"}} WHERE TenantId = {{.TenantLiteral}}{{end}}
{{define "reader_logs"}}CREATE OR REPLACE VIEW {{.ReaderDatabase}}.`otel_logs`{{.OnCluster}}{{template "reader_security" .}}
AS SELECT * FROM {{.Qual "otel_logs"}} WHERE TenantId = {{.TenantLiteral}}{{end}}
{{define "reader_trace_id_ts"}}CREATE OR REPLACE VIEW {{.ReaderDatabase}}.`otel_traces_trace_id_ts`{{.OnCluster}}{{template "reader_security" .}}
AS SELECT TraceId, Start, End FROM {{.Qual "otel_traces_trace_id_ts"}} WHERE TenantId = {{.TenantLiteral}}{{end}}
{{- /* The password is sent as its SHA-256, so it never appears in the server's query log. */ -}}
{{define "reader_user"}}CREATE USER IF NOT EXISTS {{.ReaderUser}}{{.OnCluster}} IDENTIFIED WITH sha256_hash BY {{.PasswordHash}} DEFAULT DATABASE {{.ReaderDatabase}} SETTINGS readonly = 2{{end}}
{{define "reader_password"}}ALTER USER {{.ReaderUser}}{{.OnCluster}} IDENTIFIED WITH sha256_hash BY {{.PasswordHash}}{{end}}
{{define "reader_grant"}}GRANT{{.OnCluster}} SELECT ON {{.ReaderDatabase}}.* TO {{.ReaderUser}}{{end}}
