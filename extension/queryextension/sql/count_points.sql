{{- /* How many points an export selects (the export says so when it is truncated). */ -}}
SELECT count()
FROM {{.Table}}
WHERE tenant_id = @tenant AND metric_name IN @names AND {{template "range" .}}{{template "filters" .}}
