{{- /* Every span of one trace, oldest first; @limit is one more than returned, to tell truncation. */ -}}
SELECT span_id, parent_span_id, span_name, toString(span_kind), service_name,
  toInt64(toUnixTimestamp64Nano(timestamp)) AS start_ns, duration_ns,
  toString(status_code), status_message, attributes, resource_attributes, sample_rate,
  arrayMap(t -> toInt64(toUnixTimestamp64Nano(t)), events.timestamp), events.name, events.attributes,
  links.trace_id, links.span_id, links.attributes
FROM {{.Table}}
WHERE tenant_id = @tenant AND trace_id = @trace_id AND {{template "range" .}}
ORDER BY timestamp, span_id
LIMIT @limit
