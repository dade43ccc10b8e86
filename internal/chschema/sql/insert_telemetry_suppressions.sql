INSERT INTO {{.Front}} (tenant_id, subject, request_id, suppressed_at, lifted_at, updated_at)
