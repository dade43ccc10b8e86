{{- /*
  One aggregate per bucket and group of one metric of one type. pts normalises every point to
  what it adds: a cumulative point (and every summary point: OTLP summaries count since their start
  time) becomes its increase over the previous point of its series (README, "Increase of a sum");
  delta points and gauges are taken as they are.
*/ -}}
WITH pts AS (
{{- if .Cumulative}}
  SELECT b{{template "gcols" .}},
    rn = 1 AND start_timestamp < fromUnixTimestamp64Milli(toInt64(@start)) AS before,
    cum AND NOT (rn = 1 OR ps != start_timestamp OR value < pv OR count < pc) AS diff,
    if(NOT cum, value, if(diff, value - pv, if(before, 0, value))) AS v,
    if(NOT cum, count, if(diff, toUInt64(count - pc), if(before, toUInt64(0), count))) AS c,
    if(NOT cum, bucket_counts, if(diff,
      arrayMap((x, i) -> toUInt64(greatest(toInt64(x) - toInt64(if(i <= length(pb), pb[i], 0)), 0)), bucket_counts, arrayEnumerate(bucket_counts)),
      if(before, arrayMap(x -> toUInt64(0), bucket_counts), bucket_counts))) AS hb,
    explicit_bounds AS hbounds, min AS mn, max AS mx
  FROM (
    SELECT {{template "bucket" .}} AS b{{template "keys" .}}, start_timestamp, value, count,
      temporality = 'cumulative' OR metric_type = 'summary' AS cum,
      bucket_counts, explicit_bounds, min, max,
      row_number() OVER w AS rn, lagInFrame(value) OVER w AS pv, lagInFrame(count) OVER w AS pc,
      lagInFrame(bucket_counts) OVER w AS pb, lagInFrame(start_timestamp) OVER w AS ps
    FROM {{.Table}}
    WHERE tenant_id = @tenant AND metric_name = @metric AND metric_type = @type AND {{template "range" .}}{{template "filters" .}}
    WINDOW w AS (PARTITION BY service_name, attributes, resource_attributes ORDER BY timestamp ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
  )
{{- else}}
  SELECT {{template "bucket" .}} AS b{{template "keys" .}}, value AS v, count AS c
    {{- if .Hist}}, bucket_counts AS hb, explicit_bounds AS hbounds{{end}}, min AS mn, max AS mx
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND metric_name = @metric AND metric_type = @type AND {{template "range" .}}{{template "filters" .}}
{{- end}}
)
{{- template "outer" .}}
