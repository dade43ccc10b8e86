{{- /* One page of the audit trail, newest first. Every value is a server-side query parameter; the
   table name is the only text rendered in, once, from chschema. (timestamp, request_id) is the
   keyset cursor: request ids are unique per record. */ -}}
SELECT tenant_id, timestamp, actor, actor_type, action, target_type, target_id, toString(outcome), request_id, details
FROM {{.Table}}
WHERE timestamp >= fromUnixTimestamp64Milli({from_ms:Int64})
  AND timestamp < fromUnixTimestamp64Milli({to_ms:Int64})
  AND ({all_tenants:UInt8} = 1 OR tenant_id = {tenant:String})
  AND ({key_id:String} = '' OR actor = {key_id:String})
  AND (timestamp, request_id) < (fromUnixTimestamp64Milli({cursor_ms:Int64}), {cursor_id:String})
ORDER BY timestamp DESC, request_id DESC
LIMIT {limit:UInt32}
