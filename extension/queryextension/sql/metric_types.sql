{{- /* Which types (and temporalities) the selected metric has in the range, most points first. */ -}}
SELECT toString(metric_type) AS t, toString(temporality) AS tp, any(metric_unit), count() AS n
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name = @metric AND {{template "range" .}}{{template "filters" .}}
GROUP BY t, tp
ORDER BY n DESC, t, tp
