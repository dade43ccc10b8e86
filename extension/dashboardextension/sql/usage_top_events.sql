{{- /* Top events: one group per event name. Anonymous records (no user_id) count as no user. */ -}}
SELECT event_name AS grp, '' AS part, uniqExactIf(user_id, user_id != '') AS users,
       toFloat64(count()) AS events
FROM {{.Events}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
GROUP BY grp
