-- database tel`emetry_tenant_it's.acme, user tel`emetry_tenant_it's.acme_reader
CREATE DATABASE IF NOT EXISTS `tel\`emetry_tenant_it's.acme` ON CLUSTER `prod cluster`;

CREATE OR REPLACE VIEW `tel\`emetry_tenant_it's.acme`.`otel_traces` ON CLUSTER `prod cluster` DEFINER = CURRENT_USER SQL SECURITY DEFINER
AS SELECT * FROM `tel\`emetry`.`otel_traces` WHERE TenantId = 'it\'s.acme';

CREATE OR REPLACE VIEW `tel\`emetry_tenant_it's.acme`.`otel_logs` ON CLUSTER `prod cluster` DEFINER = CURRENT_USER SQL SECURITY DEFINER
AS SELECT * FROM `tel\`emetry`.`otel_logs` WHERE TenantId = 'it\'s.acme';

CREATE OR REPLACE VIEW `tel\`emetry_tenant_it's.acme`.`otel_traces_trace_id_ts` ON CLUSTER `prod cluster` DEFINER = CURRENT_USER SQL SECURITY DEFINER
AS SELECT TraceId, Start, End FROM `tel\`emetry`.`otel_traces_trace_id_ts` WHERE TenantId = 'it\'s.acme';

CREATE USER IF NOT EXISTS `tel\`emetry_tenant_it's.acme_reader` ON CLUSTER `prod cluster` IDENTIFIED WITH sha256_hash BY 'f1b580fcec5d45d1ad840f4e3409d1c5ed1fa6fe8dae3ad0e70e923c67f131dd' DEFAULT DATABASE `tel\`emetry_tenant_it's.acme` SETTINGS readonly = 2;

ALTER USER `tel\`emetry_tenant_it's.acme_reader` ON CLUSTER `prod cluster` IDENTIFIED WITH sha256_hash BY 'f1b580fcec5d45d1ad840f4e3409d1c5ed1fa6fe8dae3ad0e70e923c67f131dd';

GRANT ON CLUSTER `prod cluster` SELECT ON `tel\`emetry_tenant_it's.acme`.* TO `tel\`emetry_tenant_it's.acme_reader`;
