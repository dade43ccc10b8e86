{{- /*
  One chunk of an export, in primary-key order (name, service, time; then a labels hash and the value
  so that rows at one time are in a fixed order). A chunk continues at the last (name, service,
  time) of the previous one; the caller skips the rows of that key it has written already. The
  condition is spelled out (not a tuple comparison) so the primary index skips what lies before.
*/ -}}
SELECT metric_name, toString(metric_type), toString(temporality), metric_unit, service_name, attributes,
  cityHash64(attributes) AS ah, toUnixTimestamp64Nano(timestamp) AS ts, value, count
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name IN @names AND {{template "range" .}}{{template "filters" .}}
{{- if .After}}
  AND (metric_name > @c_name OR (metric_name = @c_name AND (service_name > @c_service
    OR (service_name = @c_service AND timestamp >= fromUnixTimestamp64Nano(toInt64(@c_ts))))))
{{- end}}
ORDER BY metric_name, service_name, timestamp, ah, value
LIMIT @limit
