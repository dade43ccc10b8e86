{{- /*
  Statements of the data-rights extension, rendered once at start per table.
  Front is the logical table (Distributed in cluster mode), Storage the table
  holding the rows (<name>_local in cluster mode), where mutations run.
  Arguments are bound by position: tenant, then the user's stored forms.
*/ -}}
{{- /* Data tables: the subject index (subject_ids: every stored form of every identifier field, and
  every pii_redaction token in the row's text) or a raw id in the row's free text (Text, the
  expression idx_search_text indexes: body, status message, every attribute value, nested ones too):
  hasAnyTokens prunes granules through the full-text index, the regular expression (the id between
  non-alphanumeric characters) is the exact test. The subject index is read through its bloom filter
  (indexHint: granule pruning only, never evaluated) and tested with a set (IN: a hash table built
  once per query): hasAny itself compares every element with every form, so a batch of 1000 users
  (2000 forms) made it 35 times slower than the set over a table the batch touches in every granule
  (1.7 s against 0.05 s per million rows, measured). Arguments: tenant, every stored form (twice:
  the index, the set), the raw ids' tokens, the raw ids' patterns, then the time range (unix ms,
  [from, to)). */ -}}
{{define "pred_data"}}tenant_id = ? AND ((indexHint(hasAny({{.Subjects}}, ?)) AND arrayExists(s -> s IN ?, {{.Subjects}})) OR (hasAnyTokens({{.Text}}, ?) AND arrayExists(p -> match({{.Text}}, p), ?))) AND timestamp >= fromUnixTimestamp64Milli(?) AND timestamp < fromUnixTimestamp64Milli(?){{end}}
{{- /* A batch's erasure and counts run the predicate's two halves apart, each pruned by its own
  index: with the OR of one statement, the full-text index can prune nothing (the subject index's
  half reads every granule a batch of 1000 users touches, nearly all of them), and the free text is
  built for every row of the table (10M rows: 1.75 s for the OR, 0.65 s for the subject index's
  half, 0.03 s for the text half; the DELETE 2.35 s against 0.97 s, measured). pred_ids: the subject
  index (tenant, forms twice, range); pred_text: the free text (tenant, tokens, patterns, range). */ -}}
{{define "pred_ids"}}tenant_id = ? AND indexHint(hasAny({{.Subjects}}, ?)) AND arrayExists(s -> s IN ?, {{.Subjects}}) AND timestamp >= fromUnixTimestamp64Milli(?) AND timestamp < fromUnixTimestamp64Milli(?){{end}}
{{define "pred_text"}}tenant_id = ? AND hasAnyTokens({{.Text}}, ?) AND arrayExists(p -> match({{.Text}}, p), ?) AND timestamp >= fromUnixTimestamp64Milli(?) AND timestamp < fromUnixTimestamp64Milli(?){{end}}
{{- /* Which requests of a batch a row belongs to, counted per half so that no row counts twice for
  one request. The subject index's half (owners_data): each element of the row's subject index
  looked up among the batch's stored forms (transform: a hash table built once per query; bound:
  forms, their owners); it never builds the row's free text (a batch of 1000 users counts a million
  rows of a 10M-row table). The free text's half (owners_text, rows pred_text found through the
  full-text index, few): the owners whose raw id the text holds as a whole word (bound: owners and
  patterns, "" for a token form) and whom the row's subject index does not already name (bound:
  forms, their owners). Other tables: owners, forms, patterns. */ -}}
{{define "owners_data"}}arrayDistinct(arrayFilter(o -> o != '', arrayMap(s -> transform(s, ?, ?, ''), {{.Subjects}}))){{end}}
{{define "owners_text"}}arrayDistinct(arrayFilter(o -> NOT has(arrayMap(s -> transform(s, ?, ?, ''), {{.Subjects}}), o), arrayFilter((o, p) -> p != '' AND match({{.Text}}, p), ?, ?))){{end}}
{{define "owners_user"}}arrayDistinct(arrayFilter((o, x, p) -> x = user_id, ?, ?, ?)){{end}}
{{define "owners_audit"}}arrayDistinct(arrayFilter((o, x, p) -> x = target_id, ?, ?, ?)){{end}}
{{- /* The trace-id lookup table of Grafana's datasource (otel_traces_trace_id_ts) holds trace ids and
  times only: the rows of the traces that hold a span of the subject (bound like pred_data, over the
  spans' text). It is processed after telemetry_spans (erased first, so unreadable sooner; since
  migration 65 the table takes patch parts like the data tables): the spans are read without
  patches and deleted masks, as they stay in the parts until the purge. */ -}}
{{define "raw_read"}} SETTINGS apply_patch_parts = 0, apply_deleted_mask = 0, use_query_condition_cache = 0{{end}}
{{- /* TraceId leads the table's sorting key, so the IN reads only the granules of those traces. The
  batch's tenant is one constant (bound first): TraceId IN a set of strings, not (TraceId, TenantId)
  IN a set of tuples, which made the lookup of a 1000-user batch's million traces in a 10M-row
  table three times slower (1.76 s against 0.48 s, measured). */ -}}
{{- /* The spans are found by the predicate's two halves apart (pred_ids, pred_text), each pruned by
  its own index (see pred_ids): bound: the tenant, the subject index's half, then the free text's.
  Two IN subqueries, not a UNION: the DELETE falls back to a mutation where the engine refuses
  patch parts, and mutations refuse a UNION. */ -}}
{{define "pred_trace_ids"}}TenantId = ? AND (TraceId IN (SELECT trace_id FROM {{.Spans}} WHERE {{template "pred_ids" .}}{{template "raw_read"}}) OR TraceId IN (SELECT trace_id FROM {{.Spans}} WHERE {{template "pred_text" .}}{{template "raw_read"}})){{end}}
{{- /* The subject's spans with their owners (count_trace_ids): those the subject index names (all
  their owners), then those only their text names (owners_text). */ -}}
{{define "trace_owners"}}SELECT DISTINCT tenant_id, trace_id, owner FROM (SELECT tenant_id, trace_id, os FROM (SELECT tenant_id, trace_id, {{template "owners_data" .}} AS os FROM {{.Spans}} WHERE {{template "pred_ids" .}}{{template "raw_read"}}) UNION ALL SELECT tenant_id, trace_id, os FROM (SELECT tenant_id, trace_id, {{template "owners_text" .}} AS os FROM {{.Spans}} WHERE {{template "pred_text" .}}{{template "raw_read"}})) ARRAY JOIN os AS owner{{end}}
{{define "hpred_trace_ids"}}TenantId = {tenant:String} AND TraceId IN (SELECT trace_id FROM {{.Spans}} WHERE {{template "hpred_data" .}}){{end}}
{{define "pred_user"}}tenant_id = ? AND user_id IN ?{{end}}
{{define "pred_audit"}}tenant_id = ? AND target_id IN ?{{end}}
{{define "count"}}SELECT owner, count() FROM (SELECT {{template "owners" .}} AS owners FROM {{.Front}} WHERE {{template "pred" .}}) ARRAY JOIN owners AS owner GROUP BY owner SETTINGS use_query_condition_cache = 0{{end}}
{{- /* The purge check: rows still in the parts, patches and masks not applied (the condition cache
  would answer from a read with them applied). */ -}}
{{define "count_stored"}}SELECT owner, count() FROM (SELECT {{template "owners" .}} AS owners FROM {{.Front}} WHERE {{template "pred" .}}) ARRAY JOIN owners AS owner GROUP BY owner SETTINGS use_query_condition_cache = 0, apply_patch_parts = 0, apply_deleted_mask = 0{{end}}
{{define "delete"}}DELETE FROM {{.Storage}}{{.OnCluster}} WHERE {{template "pred" .}}{{end}}
{{define "apply_mask"}}ALTER TABLE {{.Storage}}{{.OnCluster}} APPLY DELETED MASK{{end}}
{{define "pseudonymize"}}ALTER TABLE {{.Storage}}{{.OnCluster}} UPDATE target_id = transform(target_id, ?, ?, target_id) WHERE {{template "pred" .}}{{end}}
{{define "export"}}SELECT * FROM {{.Front}} WHERE {{template "pred" .}}{{end}}
{{- /* The export over ClickHouse's HTTP interface: typed query parameters instead of bound ones, and
  ClickHouse's own JSONEachRow, streamed line by line to the caller. */ -}}
{{define "hpred_data"}}tenant_id = {tenant:String} AND (hasAny({{.Subjects}}, {ids:Array(String)}) OR (hasAnyTokens({{.Text}}, {tokens:Array(String)}) AND arrayExists(p -> match({{.Text}}, p), {patterns:Array(String)}))) AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64}){{end}}
{{define "hpred_user"}}tenant_id = {tenant:String} AND has({ids:Array(String)}, user_id){{end}}
{{define "hpred_audit"}}tenant_id = {tenant:String} AND has({ids:Array(String)}, target_id){{end}}
{{define "export_http"}}SELECT * FROM {{.Front}} WHERE {{template "pred" .}} FORMAT JSONEachRow{{end}}
{{- /* Erasure and purge. Patch parts: the DELETE writes small patch parts instead of a mutation
  (lightweight updates; tables need enable_block_number_column and enable_block_offset_column). The
  purge applies patches and deleted masks partition by partition where erased rows are. */ -}}
{{define "table_settings"}}SELECT create_table_query FROM system.tables WHERE database = ? AND name = ?{{end}}
{{define "erased_partitions"}}SELECT DISTINCT if(startsWith(name, 'patch-'), splitByChar('_', arrayElement(splitByChar('-', name), -1))[1], partition_id) FROM system.parts WHERE database = ? AND table = ? AND active AND (startsWith(name, 'patch-') OR has_lightweight_delete) ORDER BY 1{{end}}
{{define "apply_patches"}}ALTER TABLE {{.Storage}}{{.OnCluster}} APPLY PATCHES IN PARTITION ID ?{{end}}
{{define "apply_mask_partition"}}ALTER TABLE {{.Storage}}{{.OnCluster}} APPLY DELETED MASK IN PARTITION ID ?{{end}}
{{- /* Counts of the trace-id table per request: its rows of the subject's traces (found through the
  sorting key) joined to the subject's spans, which say which request each trace belongs to. */ -}}
{{define "count_trace_ids"}}SELECT owner, count() FROM (SELECT TenantId, TraceId FROM {{.Front}} WHERE {{template "pred_trace_ids" .}}) AS t INNER JOIN ({{template "trace_owners" .}}) AS s ON t.TenantId = s.tenant_id AND t.TraceId = s.trace_id GROUP BY owner SETTINGS use_query_condition_cache = 0{{end}}
{{- /* A large batch's count of the trace-id table (more than splitUsers users): the join alone. The IN
  of count_trace_ids reads the subject's spans twice more (its two subqueries) to prune by the
  sorting key, which pays for a few users' traces, not for a batch's whole table: a 1000-user batch
  touches nearly every granule of it. Bound: as trace_owners, then the tenant. */ -}}
{{define "count_trace_ids_join"}}SELECT owner, count() FROM {{.Front}} AS t INNER JOIN ({{template "trace_owners" .}}) AS s ON t.TenantId = s.tenant_id AND t.TraceId = s.trace_id WHERE t.TenantId = ? GROUP BY owner SETTINGS use_query_condition_cache = 0{{end}}
{{define "count_stored_trace_ids"}}SELECT owner, count() FROM (SELECT TenantId, TraceId FROM {{.Front}} WHERE {{template "pred_trace_ids" .}}) AS t INNER JOIN ({{template "trace_owners" .}}) AS s ON t.TenantId = s.tenant_id AND t.TraceId = s.trace_id GROUP BY owner SETTINGS use_query_condition_cache = 0, apply_patch_parts = 0, apply_deleted_mask = 0{{end}}
{{- /* One stored event (DELETE /events/{event_id}): telemetry_events by its event_id (idx_event_id). */ -}}
{{define "pred_event"}}tenant_id = ? AND event_id IN ?{{end}}
{{define "owners_event"}}arrayDistinct(arrayFilter((o, x, p) -> x = event_id, ?, ?, ?)){{end}}
{{define "find_event"}}SELECT count() FROM {{.Front}} WHERE tenant_id = ? AND event_id = ? SETTINGS use_query_condition_cache = 0{{end}}
