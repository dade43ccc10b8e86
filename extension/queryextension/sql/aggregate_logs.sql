{{- /* Log records and error records (severity ERROR or higher) per bucket and group (telemetry_logs),
       as stored or weighted by 1/sample_rate. */ -}}
WITH pts AS (
  SELECT {{template "bucket" .}} AS b{{template "keys" .}}, sample_rate AS w, severity_number >= 17 AS err
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND {{template "range" .}}{{template "filters" .}}
)
{{- template "outer" .}}
