{{- /* Error rate and p95 latency per endpoint: server spans by http.route, else span name. Each stored
       span stands for 1/sample_rate requests (tail sampling keeps every error and slow trace, weight 1,
       and a fraction of the rest), so requests, errors, the error rate and p95 are estimates of the
       traffic before sampling, like the query API's weighted_* aggregates. Users are the stored ones. */ -}}
SELECT if(attributes['http.route'] != '', attributes['http.route'], span_name) AS grp, '' AS part,
       uniqExactIf(user_id, user_id != '') AS users,
       round(sum(1 / sample_rate), 3) AS requests,
       round(sumIf(1 / sample_rate, status_code = 'error'), 3) AS errors,
       round(sumIf(1 / sample_rate, status_code = 'error') / sum(1 / sample_rate), 4) AS error_rate,
       {{- /* Integer weights (quantileExactWeighted's), scaled so rates like 0.3 keep their ratio. */}}
       round(quantileExactWeighted(0.95)(duration_ns, toUInt64(round(1000 / sample_rate))) / 1e6, 3) AS p95_ms
FROM {{.Spans}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
  AND span_kind = 'server'
GROUP BY grp
