{{- /* Events by the value of one event property (?property=country). Records without it are left out. */ -}}
SELECT attributes[?] AS grp, '' AS part, uniqExactIf(user_id, user_id != '') AS users,
       toFloat64(count()) AS events
FROM {{.Events}}
WHERE tenant_id = ? AND timestamp >= fromUnixTimestamp64Milli(toInt64(?)) AND timestamp < fromUnixTimestamp64Milli(toInt64(?))
  AND mapContains(attributes, ?)
GROUP BY grp
