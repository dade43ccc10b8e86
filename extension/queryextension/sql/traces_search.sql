{{- /*
  Trace search: the newest traces with a span matching every criterion in the range, then each
  listed trace summarised from all of its spans (a trace may start before the range or end after
  it: its spans are read up to an hour either side).
*/ -}}
WITH matched AS (
  SELECT trace_id, max(timestamp) AS last
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND {{template "range" .}}{{template "filters" .}}
    {{- if .SpanName}} AND span_name = @span_name{{end}}
    {{- if .Route}} AND attributes['http.route'] = @route{{end}}
    {{- if .Status}} AND status_code = @status{{end}}
    {{- if .MinDur}} AND duration_ns >= @min_ns{{end}}
    {{- if .MaxDur}} AND duration_ns <= @max_ns{{end}}
    {{- if .TraceID}} AND trace_id = @trace_id{{end}}
  GROUP BY trace_id
  ORDER BY last DESC
  LIMIT @limit
)
SELECT trace_id,
  argMinIf(span_name, timestamp, parent_span_id = '') AS root_name,
  argMinIf(service_name, timestamp, parent_span_id = '') AS root_service,
  countIf(parent_span_id = '') > 0 AS has_root,
  argMin(span_name, timestamp) AS first_name,
  toInt64(toUnixTimestamp64Nano(min(timestamp))) AS start_ns,
  toInt64(max(toUnixTimestamp64Nano(timestamp) + duration_ns)) AS end_ns,
  count() AS spans,
  countIf(status_code = 'error') AS errors,
  min(sample_rate) AS sample_rate,
  arraySort(groupUniqArray(10)(service_name)) AS services
FROM {{.Table}}
WHERE tenant_id = @tenant
  AND timestamp >= fromUnixTimestamp64Milli(toInt64(@start)) - INTERVAL 1 HOUR
  AND timestamp < fromUnixTimestamp64Milli(toInt64(@end)) + INTERVAL 1 HOUR
  AND trace_id IN (SELECT trace_id FROM matched)
GROUP BY trace_id
ORDER BY start_ns DESC
