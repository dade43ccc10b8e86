{{- /*
  Raw points of the selected metrics, ordered by series (name, service, attributes hash) and time;
  a cursor continues after the last key of the previous page (ties are skipped by the caller).
*/ -}}
SELECT metric_name, toString(metric_type), toString(temporality), metric_unit, service_name, attributes,
  cityHash64(attributes) AS ah, toUnixTimestamp64Nano(timestamp) AS ts, value, count
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name IN @names AND {{template "range" .}}{{template "filters" .}}
{{- if .After}}
  AND (metric_name > @c_name OR (metric_name = @c_name AND (service_name > @c_service OR (service_name = @c_service
    AND (ah, ts, value) >= (toUInt64(@c_hash), toInt64(@c_ts), toFloat64(@c_value))))))
{{- end}}
ORDER BY metric_name, service_name, ah, ts, value
{{- if .Limit}}
LIMIT @limit
{{- end}}
