{{- /* Spans, traces (root spans) and error spans per bucket and group (telemetry_spans), as stored
       or weighted by 1/sample_rate. */ -}}
WITH pts AS (
  SELECT {{template "bucket" .}} AS b{{template "keys" .}}, sample_rate AS w,
    parent_span_id = '' AS root, status_code = 'error' AS err
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND {{template "range" .}}{{template "filters" .}}{{if .EventNames}} AND span_name IN @names{{end}}
)
{{- template "outer" .}}
