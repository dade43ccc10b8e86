{{- /* DAU: distinct users per day; part is the day's week, so a withheld day cannot be derived from its week's WAU. */ -}}
SELECT toString(toDate(timestamp)) AS grp, toString(toMonday(timestamp)) AS part, uniqExact(user_id) AS users,
       toFloat64(count()) AS events
FROM {{.Events}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
  AND user_id != ''
GROUP BY grp, part
