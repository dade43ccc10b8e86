{{define "request_columns"}}tenant_id, request_id, subject, user_id, toString(status), reason, actor, attempts, toUnixTimestamp64Milli(accepted_at), ifNull(toUnixTimestamp64Milli(finished_at), 0), receipt, toUnixTimestamp64Milli(updated_at), owner, toUnixTimestamp64Milli(lease_until){{end}}
{{define "open_requests"}}SELECT {{template "request_columns"}} FROM {{.Requests}} FINAL WHERE status IN ('pending', 'running') ORDER BY accepted_at{{end}}
{{define "open_requests_of"}}SELECT {{template "request_columns"}} FROM {{.Requests}} FINAL WHERE tenant_id = ? AND subject IN ? AND status IN ('pending', 'running') ORDER BY accepted_at{{end}}
{{define "get_request"}}SELECT {{template "request_columns"}} FROM {{.Requests}} FINAL WHERE tenant_id = ? AND request_id = ?{{end}}
{{define "subject_requests"}}SELECT request_id, toString(status), reason, accepted_at, finished_at, receipt FROM {{.Requests}} FINAL WHERE tenant_id = ? AND subject = ? ORDER BY accepted_at{{end}}
{{define "purge_request"}}DELETE FROM {{.RequestsStorage}}{{.OnCluster}} WHERE tenant_id = ? AND request_id IN ? AND user_id != ''{{end}}
{{define "purge_mask"}}ALTER TABLE {{.RequestsStorage}}{{.OnCluster}} APPLY DELETED MASK{{end}}
{{define "suppressions_since"}}SELECT tenant_id, subject, request_id, toUnixTimestamp64Milli(suppressed_at), ifNull(toUnixTimestamp64Milli(lifted_at), 0) FROM {{.Suppressions}} FINAL WHERE updated_at >= fromUnixTimestamp64Milli(?){{end}}
{{define "grants_since"}}SELECT tenant_id, user_id, toUnixTimestamp64Milli(min(changed_at)) FROM {{.History}} WHERE status = 'granted' AND changed_at >= fromUnixTimestamp64Milli(?) GROUP BY tenant_id, user_id{{end}}
{{define "subject_requests_http"}}SELECT request_id, toString(status) AS status, reason, accepted_at, finished_at, receipt FROM {{.Requests}} FINAL WHERE tenant_id = {tenant:String} AND subject = {subject:String} ORDER BY accepted_at FORMAT JSONEachRow{{end}}
{{- /* Finished requests whose receipt has no purged_at yet, finished before a purge began. */ -}}
{{define "unpurged_requests"}}SELECT {{template "request_columns"}} FROM {{.Requests}} FINAL WHERE status IN ('completed', 'failed') AND receipt != '' AND NOT JSONHas(receipt, 'purged_at') AND finished_at <= fromUnixTimestamp64Milli(?) LIMIT 100000{{end}}
