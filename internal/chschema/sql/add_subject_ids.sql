{{- /*
  The subject index (issue 18): every stored form of every data-subject identifier a row carries, in
  one column with a bloom_filter index, so deletion, export and verification read the granules of
  the user's rows instead of every attribute map of every row. One definition for new rows (the
  column's DEFAULT, computed by the server at insert: the exporter does not send it) and old ones
  (read through the DEFAULT until the backfill migration materializes it):
    - user_id (raw or pii_redaction token);
    - the values of user-identifier keys (user.id, enduser.id, customer.id, account.id in any
      spelling: case, '.', '_' and '-' ignored) in every attribute map of the row, nested ones
      (span events and links, exemplars) included, raw where a mode keeps them raw;
    - every pii_redaction token (hmac:<32 hex>) found anywhere in the row's text (search_text):
      identifier fields hashed in place and ids pii_redaction replaced in free text.
  search_text is the row's free text (body, status message, every attribute value), which the
  deletion searches for raw ids through the idx_search_text full-text index (add_subject_index.sql).
*/ -}}
{{define "id_keys"}}replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'){{end}}
{{define "id_values"}}mapValues(mapFilter((k, v) -> {{template "id_keys"}}, {{.}})){{end}}
{{define "nested_id_values"}}arrayFlatten(arrayMap(m -> {{template "id_values" "m"}}, {{.}})){{end}}
{{define "nested_values"}}arrayFlatten(arrayMap(m -> mapValues(m), {{.}})){{end}}
{{- /* One array joined once: an index expression must not repeat a subexpression (the ' '). */}}
{{define "search_text"}}arrayStringConcat(arrayConcat(
{{- if eq .Name "telemetry_spans" -}}
[status_message], mapValues(attributes), mapValues(resource_attributes), CAST(events.name, 'Array(String)'), {{template "nested_values" "events.attributes"}}, {{template "nested_values" "links.attributes"}}
{{- else if eq .Name "telemetry_metrics" -}}
mapValues(attributes), mapValues(resource_attributes), {{template "nested_values" "exemplars.filtered_attributes"}}
{{- else -}}
[body], mapValues(attributes), mapValues(resource_attributes)
{{- end}}), ' '){{end}}
{{define "subject_ids"}}arrayFilter(x -> x != '', arrayDistinct(arrayConcat([user_id], {{template "id_values" "attributes"}}, {{template "id_values" "resource_attributes"}},
{{- if eq .Name "telemetry_spans"}} {{template "nested_id_values" "events.attributes"}}, {{template "nested_id_values" "links.attributes"}},
{{- else if eq .Name "telemetry_metrics"}} {{template "nested_id_values" "exemplars.filtered_attributes"}},
{{- end}} extractAll({{template "search_text" .}}, 'hmac:[0-9a-f]{32}')))){{end}}
ALTER TABLE {{.Table}}{{.OnCluster}} ADD COLUMN IF NOT EXISTS subject_ids Array(String) DEFAULT {{template "subject_ids" .}} CODEC(ZSTD(1))
