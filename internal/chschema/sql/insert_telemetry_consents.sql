INSERT INTO {{.Front}} (tenant_id, user_id, purpose, status, policy_version, source, updated_at, expires_at, attributes)
