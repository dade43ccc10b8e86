{{- /* WAU: distinct users per week (weeks start on Monday). */ -}}
SELECT toString(toMonday(timestamp)) AS grp, '' AS part, uniqExact(user_id) AS users,
       toFloat64(count()) AS events
FROM {{.Events}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
  AND user_id != ''
GROUP BY grp
