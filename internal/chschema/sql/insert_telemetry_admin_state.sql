INSERT INTO {{.Front}} (kind, tenant_id, id, version, deleted, body, actor, updated_at)
