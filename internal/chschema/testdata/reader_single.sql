-- database telemetry_tenant_acme, user 
CREATE DATABASE IF NOT EXISTS `telemetry_tenant_acme`;

CREATE OR REPLACE VIEW `telemetry_tenant_acme`.`otel_traces`
AS SELECT * FROM `telemetry`.`otel_traces` WHERE TenantId = 'acme';

CREATE OR REPLACE VIEW `telemetry_tenant_acme`.`otel_logs`
AS SELECT * FROM `telemetry`.`otel_logs` WHERE TenantId = 'acme';

CREATE OR REPLACE VIEW `telemetry_tenant_acme`.`otel_traces_trace_id_ts`
AS SELECT TraceId, Start, End FROM `telemetry`.`otel_traces_trace_id_ts` WHERE TenantId = 'acme';
