{{- /* Consent grants and denials per day. */ -}}
SELECT toString(toDate(changed_at)) AS grp, toString(toMonday(changed_at)) AS part, uniqExact(user_id) AS users,
       toFloat64(countIf(status = 'granted')) AS granted,
       toFloat64(countIf(status = 'denied')) AS denied,
       toFloat64(countIf(status = 'withdrawn')) AS withdrawn
FROM {{.History}}
WHERE tenant_id = ? AND changed_at >= fromUnixTimestamp64Milli(toInt64(?)) AND changed_at < fromUnixTimestamp64Milli(toInt64(?))
GROUP BY grp, part
