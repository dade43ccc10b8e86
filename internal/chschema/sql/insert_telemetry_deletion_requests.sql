INSERT INTO {{.Front}} (tenant_id, request_id, subject, user_id, status, reason, actor, attempts, accepted_at, finished_at, receipt, updated_at, owner, lease_until)
