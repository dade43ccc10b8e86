{{- /*
  Statements of the data-rights extension, rendered once at start per table.
  Front is the logical table (Distributed in cluster mode), Storage the table
  holding the rows (<name>_local in cluster mode), where mutations run.
  Arguments are bound by position: tenant, then the user's stored forms.
*/ -}}
{{define "pred_data"}}tenant_id = ? AND (user_id IN ? OR hasAny(mapValues(attributes), ?) OR hasAny(mapValues(resource_attributes), ?)){{end}}
{{- /* Spans and metrics also hold attribute maps in Nested columns (span events and links, exemplars),
  where pii_redaction tokenises user ids as in the row's own attributes. */ -}}
{{define "pred_spans"}}tenant_id = ? AND (user_id IN ? OR hasAny(mapValues(attributes), ?) OR hasAny(mapValues(resource_attributes), ?) OR arrayExists(m -> hasAny(mapValues(m), ?), events.attributes) OR arrayExists(m -> hasAny(mapValues(m), ?), links.attributes)){{end}}
{{define "pred_metrics"}}tenant_id = ? AND (user_id IN ? OR hasAny(mapValues(attributes), ?) OR hasAny(mapValues(resource_attributes), ?) OR arrayExists(m -> hasAny(mapValues(m), ?), exemplars.filtered_attributes)){{end}}
{{- /* The trace-id lookup table of Grafana's datasource (otel_traces_trace_id_ts) holds trace ids and
  times only: the rows of the traces that hold a span of the user (bound like pred_spans). It is
  processed before telemetry_spans, while those spans still name the traces. */ -}}
{{define "pred_trace_ids"}}(TenantId, TraceId) IN (SELECT tenant_id, trace_id FROM {{.Spans}} WHERE {{template "pred_spans"}}){{end}}
{{define "pred_user"}}tenant_id = ? AND user_id IN ?{{end}}
{{define "pred_audit"}}tenant_id = ? AND target_id IN ?{{end}}
{{define "count"}}SELECT count() FROM {{.Front}} WHERE {{template "pred" .}}{{end}}
{{define "delete"}}DELETE FROM {{.Storage}}{{.OnCluster}} WHERE {{template "pred" .}}{{end}}
{{define "apply_mask"}}ALTER TABLE {{.Storage}}{{.OnCluster}} APPLY DELETED MASK{{end}}
{{define "pseudonymize"}}ALTER TABLE {{.Storage}}{{.OnCluster}} UPDATE target_id = ? WHERE {{template "pred" .}}{{end}}
{{define "export"}}SELECT * FROM {{.Front}} WHERE {{template "pred" .}}{{end}}
{{- /* The export over ClickHouse's HTTP interface: typed query parameters instead of bound ones, and
  ClickHouse's own JSONEachRow, streamed line by line to the caller. */ -}}
{{define "hpred_data"}}tenant_id = {tenant:String} AND (has({ids:Array(String)}, user_id) OR hasAny(mapValues(attributes), {ids:Array(String)}) OR hasAny(mapValues(resource_attributes), {ids:Array(String)})){{end}}
{{define "hpred_spans"}}tenant_id = {tenant:String} AND (has({ids:Array(String)}, user_id) OR hasAny(mapValues(attributes), {ids:Array(String)}) OR hasAny(mapValues(resource_attributes), {ids:Array(String)}) OR arrayExists(m -> hasAny(mapValues(m), {ids:Array(String)}), events.attributes) OR arrayExists(m -> hasAny(mapValues(m), {ids:Array(String)}), links.attributes)){{end}}
{{define "hpred_metrics"}}tenant_id = {tenant:String} AND (has({ids:Array(String)}, user_id) OR hasAny(mapValues(attributes), {ids:Array(String)}) OR hasAny(mapValues(resource_attributes), {ids:Array(String)}) OR arrayExists(m -> hasAny(mapValues(m), {ids:Array(String)}), exemplars.filtered_attributes)){{end}}
{{define "hpred_trace_ids"}}(TenantId, TraceId) IN (SELECT tenant_id, trace_id FROM {{.Spans}} WHERE {{template "hpred_spans"}}){{end}}
{{define "hpred_user"}}tenant_id = {tenant:String} AND has({ids:Array(String)}, user_id){{end}}
{{define "hpred_audit"}}tenant_id = {tenant:String} AND has({ids:Array(String)}, target_id){{end}}
{{define "export_http"}}SELECT * FROM {{.Front}} WHERE {{template "pred" .}} FORMAT JSONEachRow{{end}}
