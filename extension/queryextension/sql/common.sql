{{- /*
  Pieces every query shares. Values are never in the text: @name placeholders are bound by
  clickhouse-go (Named), including attribute keys (@g0, @f0k) and the time zone (@tz).
*/ -}}
{{define "range"}}timestamp >= fromUnixTimestamp64Milli(toInt64(@start)) AND timestamp < fromUnixTimestamp64Milli(toInt64(@end)){{end}}
{{- define "filters"}}{{if .Service}} AND service_name = @service{{end}}{{range .Filters}} AND attributes[@{{.K}}] = @{{.V}}{{end}}{{end}}
{{- define "bucket"}}{{if .All}}toInt64(@start){{else}}toInt64(toUnixTimestamp(toDateTime(toStartOfInterval(timestamp, INTERVAL @n {{.Unit}}, @tz), @tz))) * 1000{{end}}{{end}}
{{- define "keys"}}{{if .Keys}}[{{range $i, $k := .Keys}}{{if $i}}, {{end}}{{$k}}{{end}}]{{else}}CAST([] AS Array(String)){{end}}{{end}}
{{- define "outer"}}
SELECT b, {{if .TopN}}if(top, g, CAST([] AS Array(String))) AS grp, NOT top AS other{{else}}g AS grp, false AS other{{end}}, toFloat64({{.Value}}) AS val
{{- if .Hist}}, sumForEach(hb) AS hbs, any(hbounds) AS hbd, uniqExact(hbounds) AS nbounds, min(mn) AS hmin, max(mx) AS hmax{{end}}
FROM {{if .TopN}}(SELECT *, g IN (SELECT g FROM pts GROUP BY g ORDER BY {{.Value}} DESC, g LIMIT @topn) AS top FROM pts){{else}}pts{{end}}
GROUP BY b, grp, other
ORDER BY other, grp, b
{{- end}}
