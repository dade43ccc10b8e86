{{- /*
  One chunk of an export, in primary-key order (name, service, time), which ClickHouse reads in
  order and stops at the LIMIT. A chunk continues at a (name, service, time) key: from it (After)
  or after it (Strict); Exact reads all rows of one key. The condition is spelled out (not a tuple
  comparison) so the primary index skips what lies before.
*/ -}}
SELECT metric_name, toString(metric_type), toString(temporality), metric_unit, service_name, attributes,
  cityHash64(attributes) AS ah, toUnixTimestamp64Nano(timestamp) AS ts, value, count
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name IN @names AND {{template "range" .}}{{template "filters" .}}
{{- if .Exact}}
  AND metric_name = @c_name AND service_name = @c_service AND timestamp = fromUnixTimestamp64Nano(toInt64(@c_ts))
{{- else if .After}}
  AND (metric_name > @c_name OR (metric_name = @c_name AND (service_name > @c_service
    OR (service_name = @c_service AND timestamp {{if .Strict}}>{{else}}>={{end}} fromUnixTimestamp64Nano(toInt64(@c_ts))))))
{{- end}}
ORDER BY metric_name, service_name, timestamp
{{- if .Limit}}
LIMIT @limit
{{- end}}
