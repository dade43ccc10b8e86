{{- /*
  The type and unit of the selected metric (of its first point found: one metric name has one
  type), and whether any selected point is cumulative (then increases are computed per series).
  Both stop at the first matching row.
*/ -}}
SELECT toString(metric_type), metric_unit,
  (SELECT count() FROM (SELECT 1 FROM {{.Table}}
    WHERE tenant_id = @tenant AND metric_name = @metric AND {{template "range" .}}{{template "filters" .}} AND temporality = 'cumulative'
    LIMIT 1)) > 0
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name = @metric AND {{template "range" .}}{{template "filters" .}}
LIMIT 1
