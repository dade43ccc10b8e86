{{- /*
  Log search, newest first. Text terms use the tokenbf_v1 index on lower(body) (hasToken on
  lower(body) lets ClickHouse skip granules without the token); the whole text must then occur
  in the body, case-insensitively. Records sharing the last timestamp of a page all come on that
  page (WITH TIES), so `before` can continue strictly before it; @hard bounds the ties.
*/ -}}
SELECT * FROM (
  SELECT toInt64(toUnixTimestamp64Nano(timestamp)) AS ts_ns, toInt64(toUnixTimestamp64Nano(observed_timestamp)) AS obs_ns,
    service_name, severity_text, severity_number, body, trace_id, span_id, attributes, resource_attributes
  FROM {{.Table}}
  WHERE tenant_id = @tenant AND {{template "range" .}}{{template "filters" .}}
    {{- if .Before}} AND timestamp < fromUnixTimestamp64Nano(toInt64(@before)){{end}}
    {{- if .MinSeverity}} AND severity_number >= @min_severity{{end}}
    {{- if .TraceID}} AND trace_id = @trace_id{{end}}
    {{- range .Tokens}} AND hasToken(lower(body), @{{.}}){{end}}
    {{- if .Text}} AND positionCaseInsensitiveUTF8(body, @text) > 0{{end}}
  ORDER BY timestamp DESC
  LIMIT @limit WITH TIES
)
LIMIT @hard
