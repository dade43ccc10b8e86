{{- /* Error rate and p95 latency per endpoint: server spans by http.route, else span name. */ -}}
SELECT if(attributes['http.route'] != '', attributes['http.route'], span_name) AS grp, '' AS part,
       uniqExactIf(user_id, user_id != '') AS users,
       toFloat64(count()) AS requests,
       toFloat64(countIf(status_code = 'error')) AS errors,
       round(countIf(status_code = 'error') / count(), 4) AS error_rate,
       round(quantileExact(0.95)(duration_ns) / 1e6, 3) AS p95_ms
FROM {{.Spans}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
  AND span_kind = 'server'
GROUP BY grp
