{{- /* Events and distinct users per bucket and group (telemetry_events). */ -}}
WITH pts AS (
  SELECT {{template "bucket" .}} AS b{{template "keys" .}}, user_id AS u, sample_rate AS w
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND {{template "range" .}}{{if .EventNames}} AND event_name IN @events{{end}}{{template "filters" .}}
)
{{- template "outer" .}}
