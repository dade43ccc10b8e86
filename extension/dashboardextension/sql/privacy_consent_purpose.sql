{{- /* Consent changes per purpose in the period (telemetry_consent_history). */ -}}
SELECT purpose AS grp, '' AS part, uniqExact(user_id) AS users,
       toFloat64(countIf(status = 'granted')) AS granted,
       toFloat64(countIf(status = 'denied')) AS denied,
       toFloat64(countIf(status = 'withdrawn')) AS withdrawn,
       round(countIf(status = 'granted') / count(), 4) AS grant_rate
FROM {{.History}}
WHERE tenant_id = ? AND changed_at >= fromUnixTimestamp64Milli(toInt64(?)) AND changed_at < fromUnixTimestamp64Milli(toInt64(?))
GROUP BY grp
