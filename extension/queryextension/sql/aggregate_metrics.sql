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
    {{- if .ExpQ}},
    {{- /* An exponential histogram's increase per bucket: the previous point's buckets, brought to this
           point's scale (a cumulative series only ever lowers its scale), are subtracted by index. */}}
    arrayReduce('sumMap', [arrayConcat(arrayMap(i -> toInt64(epo + i - 1), arrayEnumerate(epb)),
        if(diff, arrayMap(i -> bitShiftRight(toInt64(pepo + i - 1), greatest(pes - es, 0)), arrayEnumerate(pepb)), CAST([] AS Array(Int64))))],
      [arrayConcat(arrayMap(x -> if(cum AND NOT diff AND before, toInt64(0), toInt64(x)), epb),
        if(diff, arrayMap(x -> -toInt64(x), pepb), CAST([] AS Array(Int64))))]) AS pm,
    arrayReduce('sumMap', [arrayConcat(arrayMap(i -> toInt64(eno + i - 1), arrayEnumerate(enb)),
        if(diff, arrayMap(i -> bitShiftRight(toInt64(peno + i - 1), greatest(pes - es, 0)), arrayEnumerate(penb)), CAST([] AS Array(Int64))))],
      [arrayConcat(arrayMap(x -> if(cum AND NOT diff AND before, toInt64(0), toInt64(x)), enb),
        if(diff, arrayMap(x -> -toInt64(x), penb), CAST([] AS Array(Int64))))]) AS nm,
    arrayConcat([0.], arrayMap(k -> exp2((k + 0.5) * exp2(-es)), pm.1), arrayMap(k -> -exp2((k + 0.5) * exp2(-es)), nm.1)) AS ev,
    arrayConcat([toUInt64(if(diff, greatest(toInt64(ez) - toInt64(pez), toInt64(0)), if(cum AND before, toInt64(0), toInt64(ez))))],
      arrayMap(x -> toUInt64(greatest(x, toInt64(0))), pm.2), arrayMap(x -> toUInt64(greatest(x, toInt64(0))), nm.2)) AS ew
    {{- end}}
  FROM (
    SELECT {{template "bucket" .}} AS b{{template "keys" .}}, start_timestamp, value, count,
      temporality = 'cumulative' OR metric_type = 'summary' AS cum,
      bucket_counts, explicit_bounds, min, max,
      row_number() OVER w AS rn, lagInFrame(value) OVER w AS pv, lagInFrame(count) OVER w AS pc,
      lagInFrame(bucket_counts) OVER w AS pb, lagInFrame(start_timestamp) OVER w AS ps
      {{- if .ExpQ}},
      exp_scale AS es, exp_zero_count AS ez, exp_positive_offset AS epo, exp_positive_bucket_counts AS epb,
      exp_negative_offset AS eno, exp_negative_bucket_counts AS enb,
      lagInFrame(exp_scale) OVER w AS pes, lagInFrame(exp_zero_count) OVER w AS pez,
      lagInFrame(exp_positive_offset) OVER w AS pepo, lagInFrame(exp_positive_bucket_counts) OVER w AS pepb,
      lagInFrame(exp_negative_offset) OVER w AS peno, lagInFrame(exp_negative_bucket_counts) OVER w AS penb
      {{- end}}
    FROM {{.Table}}
    WHERE tenant_id = @tenant AND metric_name = @metric AND metric_type = @type AND {{template "range" .}}{{template "filters" .}}
    WINDOW w AS (PARTITION BY service_name, attributes, resource_attributes ORDER BY timestamp ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
  )
{{- else}}
  SELECT {{template "bucket" .}} AS b{{template "keys" .}}, value AS v, count AS c
    {{- if .Hist}}, bucket_counts AS hb, explicit_bounds AS hbounds{{end}}, min AS mn, max AS mx
    {{- if .ExpQ}},
    {{- /* Each bucket (base^k, base^(k+1)], base = 2^(2^-scale), stands for its geometric midpoint. */}}
    arrayConcat([0.], arrayMap(i -> exp2((exp_positive_offset + i - 0.5) * exp2(-exp_scale)), arrayEnumerate(exp_positive_bucket_counts)),
      arrayMap(i -> -exp2((exp_negative_offset + i - 0.5) * exp2(-exp_scale)), arrayEnumerate(exp_negative_bucket_counts))) AS ev,
    arrayConcat([exp_zero_count], exp_positive_bucket_counts, exp_negative_bucket_counts) AS ew
    {{- end}}
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND metric_name = @metric AND metric_type = @type AND {{template "range" .}}{{template "filters" .}}
{{- end}}
)
{{- template "outer" .}}
