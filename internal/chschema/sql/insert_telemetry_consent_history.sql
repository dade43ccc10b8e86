INSERT INTO {{.Front}} (tenant_id, user_id, purpose, status, previous_status, policy_version, source, actor, reason, changed_at, attributes)
