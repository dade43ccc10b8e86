{{- /* The distinct names of one table seen in the range, for suggestions (GET /names). */ -}}
SELECT {{.Column}} AS name, count() AS n
FROM {{.Table}}
WHERE tenant_id = @tenant AND {{template "range" .}}{{template "filters" .}}
GROUP BY name
ORDER BY name
LIMIT @limit
