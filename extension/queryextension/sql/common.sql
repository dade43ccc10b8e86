{{- /*
  Pieces every query shares. Values are never in the text: @name placeholders are bound by
  clickhouse-go (Named), including attribute keys (@g0, @f0k) and the time zone (@tz).
*/ -}}
{{define "range"}}timestamp >= fromUnixTimestamp64Milli(toInt64(@start)) AND timestamp < fromUnixTimestamp64Milli(toInt64(@end)){{end}}
{{- define "filters"}}{{if .Service}} AND service_name = @service{{end}}{{range .Filters}} AND attributes[@{{.K}}] = @{{.V}}{{end}}{{end}}
{{- define "bucket"}}{{if .All}}toInt64(@start){{else}}toInt64(toUnixTimestamp(toDateTime(toStartOfInterval(timestamp, INTERVAL @n {{.Unit}}, @tz), @tz))) * 1000{{end}}{{end}}
{{- /* Group keys are columns g0, g1, ... (plain strings group faster than one array). */ -}}
{{- define "keys"}}{{range $i, $k := .Keys}}, {{$k}} AS g{{$i}}{{end}}{{end}}
{{- define "gcols"}}{{range $i, $k := .Keys}}, g{{$i}}{{end}}{{end}}
{{- define "glist"}}{{range $i, $k := .Keys}}{{if $i}}, {{end}}g{{$i}}{{end}}{{end}}
{{- /*
  With group_by, one scan aggregates into partial states per bucket and group (agg); groups are
  ranked by merging their states over the whole range, the top @topn kept and the rest merged
  into one "other" group per bucket (README "limit"). Without group_by, a plain GROUP BY.
*/ -}}
{{- define "outer"}}
{{- if .TopN}},
agg AS (
  SELECT b{{template "gcols" .}}{{range $i, $s := .States}}, {{$s}} AS s{{$i}}{{end}}
    {{- if .Hist}}, sumForEachState(hb) AS h0, anyState(hbounds) AS h1, uniqExactState(hbounds) AS h2, minState(mn) AS h3, maxState(mx) AS h4{{end}}
    {{- if .ExpQ}}, quantileExactWeightedArrayState({{.ExpQ}})(ev, ew) AS q0{{end}}
  FROM pts GROUP BY b{{template "gcols" .}}
),
ranked AS (
  SELECT *, dense_rank() OVER (ORDER BY tot DESC{{template "gcols" .}}) AS r
  FROM (
    SELECT *, toFloat64({{.Rank}}) AS tot
    FROM (SELECT *{{range $i, $w := .Windows}}, {{$w}} OVER (PARTITION BY {{template "glist" $}}) AS w{{$i}}{{end}} FROM agg)
  )
)
SELECT b, if(r <= @topn, [{{template "glist" .}}], CAST([] AS Array(String))) AS grp, r > @topn AS other, toFloat64({{.Merge}}) AS val
  {{- if .Hist}}, sumForEachMerge(h0) AS hbs, anyMerge(h1) AS hbd, uniqExactMerge(h2) AS nbounds, minMerge(h3) AS hmin, maxMerge(h4) AS hmax{{end}}
  {{- if .ExpQ}}, toFloat64(quantileExactWeightedArrayMerge({{.ExpQ}})(q0)) AS qv{{end}}
FROM ranked
GROUP BY b, grp, other
ORDER BY other, grp, b
{{- else}}
SELECT b, CAST([] AS Array(String)) AS grp, false AS other, toFloat64({{.Value}}) AS val
  {{- if .Hist}}, sumForEach(hb) AS hbs, any(hbounds) AS hbd, uniqExact(hbounds) AS nbounds, min(mn) AS hmin, max(mx) AS hmax{{end}}
  {{- if .ExpQ}}, toFloat64(quantileExactWeightedArray({{.ExpQ}})(ev, ew)) AS qv{{end}}
FROM pts
GROUP BY b
ORDER BY b
{{- end}}
{{- end}}
