{{- /*
  Consent rows for the store. Full: the latest state of every key (FINAL
  collapses ReplacingMergeTree versions). Incremental: every version changed
  since a time; the store keeps the newest per key, so duplicates are harmless.
*/ -}}
SELECT tenant_id, user_id, purpose, toString(status), source, policy_version, toUnixTimestamp64Milli(updated_at)
FROM {{.Table}}{{if .Full}} FINAL{{else}}
WHERE updated_at >= fromUnixTimestamp64Milli(toInt64(?)){{end}}
