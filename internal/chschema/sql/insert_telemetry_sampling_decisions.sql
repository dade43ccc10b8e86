INSERT INTO {{.Front}} (sampler, tenant_id, trace_id, decided_at, sampled, sample_rate, reason)
