{{- /*
  Statements of the data-rights extension, rendered once at start per table.
  Front is the logical table (Distributed in cluster mode), Storage the table
  holding the rows (<name>_local in cluster mode), where mutations run.
  Arguments are bound by position: tenant, then the user's stored forms.
*/ -}}
{{define "pred_data"}}tenant_id = ? AND (user_id IN ? OR hasAny(mapValues(attributes), ?) OR hasAny(mapValues(resource_attributes), ?)){{end}}
{{define "pred_user"}}tenant_id = ? AND user_id IN ?{{end}}
{{define "pred_audit"}}tenant_id = ? AND target_id IN ?{{end}}
{{define "count"}}SELECT count() FROM {{.Front}} WHERE {{template "pred" .}}{{end}}
{{define "delete"}}DELETE FROM {{.Storage}}{{.OnCluster}} WHERE {{template "pred" .}}{{end}}
{{define "apply_mask"}}ALTER TABLE {{.Storage}}{{.OnCluster}} APPLY DELETED MASK{{end}}
{{define "pseudonymize"}}ALTER TABLE {{.Storage}}{{.OnCluster}} UPDATE target_id = ? WHERE {{template "pred" .}}{{end}}
{{define "export"}}SELECT * FROM {{.Front}} WHERE {{template "pred" .}}{{end}}
