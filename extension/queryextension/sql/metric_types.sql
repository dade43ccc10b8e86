{{- /*
  The type, unit and temporality of the selected metric: those of its first point found (one metric
  name has one type and, from one SDK configuration, one temporality). Stops at the first row: a scan
  for any cumulative point would cost as much as the aggregate itself when there is none.
*/ -}}
SELECT toString(metric_type), metric_unit, temporality = 'cumulative' OR metric_type = 'summary'
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name = @metric AND {{template "range" .}}{{template "filters" .}}
LIMIT 1
