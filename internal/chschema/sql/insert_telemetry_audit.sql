INSERT INTO {{.Front}} (tenant_id, timestamp, actor, actor_type, action, target_type, target_id, outcome, request_id, details)
