{{- /* Deletion requests accepted in the period, by status, with their time to completion (issue 10's table). */ -}}
SELECT toString(status) AS grp, '' AS part, uniqExact(subject) AS users,
       toFloat64(count()) AS requests,
       round(ifNotFinite(coalesce(avgIf(toFloat64(dateDiff('millisecond', accepted_at, finished_at)), finished_at IS NOT NULL), 0), 0) / 1000, 3) AS avg_seconds_to_finish,
       round(ifNotFinite(coalesce(maxIf(toFloat64(dateDiff('millisecond', accepted_at, finished_at)), finished_at IS NOT NULL), 0), 0) / 1000, 3) AS max_seconds_to_finish
FROM {{.Deletions}} FINAL
WHERE tenant_id = ? AND accepted_at >= fromUnixTimestamp64Milli(toInt64(?)) AND accepted_at < fromUnixTimestamp64Milli(toInt64(?))
GROUP BY grp
