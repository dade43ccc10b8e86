CREATE DATABASE IF NOT EXISTS `telemetry`;

CREATE TABLE IF NOT EXISTS `telemetry`.`schema_migrations`
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3) DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree()
ORDER BY version;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_events`
(
    tenant_id           LowCardinality(String) CODEC(ZSTD(1)),
    timestamp           DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    observed_timestamp  DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    event_name          LowCardinality(String) CODEC(ZSTD(1)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    service_name        LowCardinality(String) CODEC(ZSTD(1)),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    trace_flags         UInt8,
    severity_text       LowCardinality(String) CODEC(ZSTD(1)),
    severity_number     UInt8,
    body                String CODEC(ZSTD(1)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name          LowCardinality(String) CODEC(ZSTD(1)),
    scope_version       LowCardinality(String) CODEC(ZSTD(1)),
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, event_name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_logs`
(
    tenant_id           LowCardinality(String) CODEC(ZSTD(1)),
    timestamp           DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    observed_timestamp  DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    service_name        LowCardinality(String) CODEC(ZSTD(1)),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    trace_flags         UInt8,
    severity_text       LowCardinality(String) CODEC(ZSTD(1)),
    severity_number     UInt8,
    body                String CODEC(ZSTD(1)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name          LowCardinality(String) CODEC(ZSTD(1)),
    scope_version       LowCardinality(String) CODEC(ZSTD(1)),
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body lower(body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree()
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, service_name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_metrics`
(
    tenant_id                  LowCardinality(String) CODEC(ZSTD(1)),
    timestamp                  DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    start_timestamp            DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    metric_name                LowCardinality(String) CODEC(ZSTD(1)),
    metric_description         String CODEC(ZSTD(1)),
    metric_unit                LowCardinality(String) CODEC(ZSTD(1)),
    metric_type                Enum8('gauge' = 1, 'sum' = 2, 'histogram' = 3, 'exponential_histogram' = 4, 'summary' = 5),
    temporality                Enum8('unspecified' = 0, 'delta' = 1, 'cumulative' = 2),
    is_monotonic               Bool,
    service_name               LowCardinality(String) CODEC(ZSTD(1)),
    user_id                    String CODEC(ZSTD(1)),
    attributes                 Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes        Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name                 LowCardinality(String) CODEC(ZSTD(1)),
    scope_version              LowCardinality(String) CODEC(ZSTD(1)),
    flags                      UInt32,
    value                      Float64 CODEC(ZSTD(1)),
    count                      UInt64 CODEC(ZSTD(1)),
    min                        Nullable(Float64) CODEC(ZSTD(1)),
    max                        Nullable(Float64) CODEC(ZSTD(1)),
    bucket_counts              Array(UInt64) CODEC(ZSTD(1)),
    explicit_bounds            Array(Float64) CODEC(ZSTD(1)),
    exp_scale                  Int32 CODEC(ZSTD(1)),
    exp_zero_count             UInt64 CODEC(ZSTD(1)),
    exp_zero_threshold         Float64 CODEC(ZSTD(1)),
    exp_positive_offset        Int32 CODEC(ZSTD(1)),
    exp_positive_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    exp_negative_offset        Int32 CODEC(ZSTD(1)),
    exp_negative_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    quantiles Nested
    (
        quantile Float64,
        value    Float64
    ) CODEC(ZSTD(1)),
    exemplars Nested
    (
        timestamp           DateTime64(9),
        value               Float64,
        trace_id            String,
        span_id             String,
        filtered_attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, metric_name, service_name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_spans`
(
    tenant_id           LowCardinality(String) CODEC(ZSTD(1)),
    timestamp           DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    duration_ns         UInt64 CODEC(ZSTD(1)),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    parent_span_id      String CODEC(ZSTD(1)),
    trace_state         String CODEC(ZSTD(1)),
    span_name           LowCardinality(String) CODEC(ZSTD(1)),
    span_kind           Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5),
    service_name        LowCardinality(String) CODEC(ZSTD(1)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    status_code         Enum8('unset' = 0, 'ok' = 1, 'error' = 2),
    status_message      String CODEC(ZSTD(1)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name          LowCardinality(String) CODEC(ZSTD(1)),
    scope_version       LowCardinality(String) CODEC(ZSTD(1)),
    events Nested
    (
        timestamp  DateTime64(9),
        name       LowCardinality(String),
        attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    links Nested
    (
        trace_id    String,
        span_id     String,
        trace_state String,
        attributes  Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration duration_ns TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toDate(timestamp)
ORDER BY (tenant_id, service_name, span_name, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_consents`
(
    tenant_id      LowCardinality(String) CODEC(ZSTD(1)),
    user_id        String CODEC(ZSTD(1)),
    purpose        LowCardinality(String) CODEC(ZSTD(1)),
    status         Enum8('granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    policy_version LowCardinality(String) CODEC(ZSTD(1)),
    source         LowCardinality(String) CODEC(ZSTD(1)),
    updated_at     DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    expires_at     Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    attributes     Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, user_id, purpose)
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_consent_history`
(
    tenant_id       LowCardinality(String) CODEC(ZSTD(1)),
    user_id         String CODEC(ZSTD(1)),
    purpose         LowCardinality(String) CODEC(ZSTD(1)),
    status          Enum8('granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    previous_status Enum8('none' = 0, 'granted' = 1, 'denied' = 2, 'withdrawn' = 3),
    policy_version  LowCardinality(String) CODEC(ZSTD(1)),
    source          LowCardinality(String) CODEC(ZSTD(1)),
    actor           String CODEC(ZSTD(1)),
    reason          String CODEC(ZSTD(1)),
    changed_at      DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    attributes      Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(changed_at)
ORDER BY (tenant_id, user_id, purpose, changed_at)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_audit`
(
    tenant_id   LowCardinality(String) CODEC(ZSTD(1)),
    timestamp   DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    actor       String CODEC(ZSTD(1)),
    actor_type  LowCardinality(String) CODEC(ZSTD(1)),
    action      LowCardinality(String) CODEC(ZSTD(1)),
    target_type LowCardinality(String) CODEC(ZSTD(1)),
    target_id   String CODEC(ZSTD(1)),
    outcome     Enum8('success' = 1, 'failure' = 2, 'denied' = 3),
    request_id  String CODEC(ZSTD(1)),
    details     Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_target_id target_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant_id, timestamp, action)
TTL toDateTime(timestamp) + toIntervalDay(365)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_deletion_requests`
(
    tenant_id   LowCardinality(String) CODEC(ZSTD(1)),
    request_id  String CODEC(ZSTD(1)),
    subject     String CODEC(ZSTD(1)),
    user_id     String CODEC(ZSTD(1)),
    status      Enum8('pending' = 1, 'running' = 2, 'completed' = 3, 'failed' = 4),
    reason      String CODEC(ZSTD(1)),
    actor       String CODEC(ZSTD(1)),
    attempts    UInt32,
    accepted_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    finished_at Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    receipt     String CODEC(ZSTD(1)),
    updated_at  DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, request_id)
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_suppressions`
(
    tenant_id     LowCardinality(String) CODEC(ZSTD(1)),
    subject       String CODEC(ZSTD(1)),
    request_id    String CODEC(ZSTD(1)),
    suppressed_at DateTime64(3) CODEC(Delta(8), ZSTD(1)),
    lifted_at     Nullable(DateTime64(3)) CODEC(ZSTD(1)),
    updated_at    DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, subject)
SETTINGS index_granularity = 8192;

ALTER TABLE `telemetry`.`telemetry_spans` ADD COLUMN IF NOT EXISTS sample_rate Float64 DEFAULT 1;

ALTER TABLE `telemetry`.`telemetry_events` ADD COLUMN IF NOT EXISTS sample_rate Float64 DEFAULT 1;

ALTER TABLE `telemetry`.`telemetry_logs` ADD COLUMN IF NOT EXISTS sample_rate Float64 DEFAULT 1;

ALTER TABLE `telemetry`.`telemetry_events` ADD COLUMN IF NOT EXISTS subject_ids Array(String) DEFAULT arrayFilter(x -> x != '', arrayDistinct(arrayConcat([user_id], mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), attributes)), mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), resource_attributes)), extractAll(arrayStringConcat(arrayConcat([body], mapValues(attributes), mapValues(resource_attributes)), ' '), 'hmac:[0-9a-f]{32}')))) CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_logs` ADD COLUMN IF NOT EXISTS subject_ids Array(String) DEFAULT arrayFilter(x -> x != '', arrayDistinct(arrayConcat([user_id], mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), attributes)), mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), resource_attributes)), extractAll(arrayStringConcat(arrayConcat([body], mapValues(attributes), mapValues(resource_attributes)), ' '), 'hmac:[0-9a-f]{32}')))) CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_metrics` ADD COLUMN IF NOT EXISTS subject_ids Array(String) DEFAULT arrayFilter(x -> x != '', arrayDistinct(arrayConcat([user_id], mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), attributes)), mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), resource_attributes)), arrayFlatten(arrayMap(m -> mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), m)), exemplars.filtered_attributes)), extractAll(arrayStringConcat(arrayConcat(mapValues(attributes), mapValues(resource_attributes), arrayFlatten(arrayMap(m -> mapValues(m), exemplars.filtered_attributes))), ' '), 'hmac:[0-9a-f]{32}')))) CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_spans` ADD COLUMN IF NOT EXISTS subject_ids Array(String) DEFAULT arrayFilter(x -> x != '', arrayDistinct(arrayConcat([user_id], mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), attributes)), mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), resource_attributes)), arrayFlatten(arrayMap(m -> mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), m)), events.attributes)), arrayFlatten(arrayMap(m -> mapValues(mapFilter((k, v) -> replaceRegexpAll(lower(k), '[._-]', '') IN ('userid', 'enduserid', 'customerid', 'accountid'), m)), links.attributes)), extractAll(arrayStringConcat(arrayConcat([status_message], mapValues(attributes), mapValues(resource_attributes), CAST(events.name, 'Array(String)'), arrayFlatten(arrayMap(m -> mapValues(m), events.attributes)), arrayFlatten(arrayMap(m -> mapValues(m), links.attributes))), ' '), 'hmac:[0-9a-f]{32}')))) CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_events` ADD INDEX IF NOT EXISTS idx_subject_ids subject_ids TYPE bloom_filter(0.01) GRANULARITY 1, ADD INDEX IF NOT EXISTS idx_search_text arrayStringConcat(arrayConcat([body], mapValues(attributes), mapValues(resource_attributes)), ' ') TYPE text(tokenizer = splitByNonAlpha), MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `telemetry`.`telemetry_logs` ADD INDEX IF NOT EXISTS idx_subject_ids subject_ids TYPE bloom_filter(0.01) GRANULARITY 1, ADD INDEX IF NOT EXISTS idx_search_text arrayStringConcat(arrayConcat([body], mapValues(attributes), mapValues(resource_attributes)), ' ') TYPE text(tokenizer = splitByNonAlpha), MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `telemetry`.`telemetry_metrics` ADD INDEX IF NOT EXISTS idx_subject_ids subject_ids TYPE bloom_filter(0.01) GRANULARITY 1, ADD INDEX IF NOT EXISTS idx_search_text arrayStringConcat(arrayConcat(mapValues(attributes), mapValues(resource_attributes), arrayFlatten(arrayMap(m -> mapValues(m), exemplars.filtered_attributes))), ' ') TYPE text(tokenizer = splitByNonAlpha), MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `telemetry`.`telemetry_spans` ADD INDEX IF NOT EXISTS idx_subject_ids subject_ids TYPE bloom_filter(0.01) GRANULARITY 1, ADD INDEX IF NOT EXISTS idx_search_text arrayStringConcat(arrayConcat([status_message], mapValues(attributes), mapValues(resource_attributes), CAST(events.name, 'Array(String)'), arrayFlatten(arrayMap(m -> mapValues(m), events.attributes)), arrayFlatten(arrayMap(m -> mapValues(m), links.attributes))), ' ') TYPE text(tokenizer = splitByNonAlpha), MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `telemetry`.`telemetry_events` MATERIALIZE COLUMN subject_ids, MATERIALIZE INDEX idx_subject_ids, MATERIALIZE INDEX idx_search_text SETTINGS mutations_sync = 0;

ALTER TABLE `telemetry`.`telemetry_logs` MATERIALIZE COLUMN subject_ids, MATERIALIZE INDEX idx_subject_ids, MATERIALIZE INDEX idx_search_text SETTINGS mutations_sync = 0;

ALTER TABLE `telemetry`.`telemetry_metrics` MATERIALIZE COLUMN subject_ids, MATERIALIZE INDEX idx_subject_ids, MATERIALIZE INDEX idx_search_text SETTINGS mutations_sync = 0;

ALTER TABLE `telemetry`.`telemetry_spans` MATERIALIZE COLUMN subject_ids, MATERIALIZE INDEX idx_subject_ids, MATERIALIZE INDEX idx_search_text SETTINGS mutations_sync = 0;

CREATE TABLE IF NOT EXISTS `telemetry`.`otel_traces_trace_id_ts`
(
    TenantId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId  String CODEC(ZSTD(1)),
    Start    SimpleAggregateFunction(min, DateTime) CODEC(Delta(4), ZSTD(1)),
    End      SimpleAggregateFunction(max, DateTime) CODEC(Delta(4), ZSTD(1))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toDate(Start)
ORDER BY (TraceId, TenantId)
TTL toDateTime(End) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `telemetry`.`otel_traces_trace_id_ts_mv`
TO `telemetry`.`otel_traces_trace_id_ts`
AS SELECT
    tenant_id AS TenantId,
    trace_id AS TraceId,
    min(toDateTime(timestamp)) AS Start,
    max(toDateTime(timestamp)) AS End
FROM `telemetry`.`telemetry_spans`
WHERE trace_id != ''
GROUP BY TenantId, TraceId;

INSERT INTO `telemetry`.`otel_traces_trace_id_ts` (TenantId, TraceId, Start, End)
SELECT tenant_id, trace_id, min(toDateTime(timestamp)), max(toDateTime(timestamp))
FROM `telemetry`.`telemetry_spans`
WHERE trace_id != ''
GROUP BY tenant_id, trace_id
SETTINGS max_bytes_before_external_group_by = 536870912;

CREATE VIEW IF NOT EXISTS `telemetry`.`otel_traces`
AS SELECT
    timestamp AS Timestamp,
    trace_id AS TraceId,
    span_id AS SpanId,
    parent_span_id AS ParentSpanId,
    trace_state AS TraceState,
    span_name AS SpanName,
    CAST(transform(toInt8(span_kind), [1, 2, 3, 4, 5], ['Internal', 'Server', 'Client', 'Producer', 'Consumer'], 'Unspecified'), 'LowCardinality(String)') AS SpanKind,
    service_name AS ServiceName,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    attributes AS SpanAttributes,
    duration_ns AS Duration,
    CAST(transform(toInt8(status_code), [1, 2], ['Ok', 'Error'], 'Unset'), 'LowCardinality(String)') AS StatusCode,
    status_message AS StatusMessage,
    events.timestamp AS `Events.Timestamp`,
    events.name AS `Events.Name`,
    events.attributes AS `Events.Attributes`,
    links.trace_id AS `Links.TraceId`,
    links.span_id AS `Links.SpanId`,
    links.trace_state AS `Links.TraceState`,
    links.attributes AS `Links.Attributes`,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM `telemetry`.`telemetry_spans`;

CREATE VIEW IF NOT EXISTS `telemetry`.`otel_logs`
AS SELECT
    timestamp AS Timestamp,
    toDateTime(timestamp) AS TimestampTime,
    trace_id AS TraceId,
    span_id AS SpanId,
    trace_flags AS TraceFlags,
    severity_text AS SeverityText,
    severity_number AS SeverityNumber,
    service_name AS ServiceName,
    body AS Body,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    CAST(map(), 'Map(LowCardinality(String), String)') AS ScopeAttributes,
    attributes AS LogAttributes,
    CAST('', 'LowCardinality(String)') AS EventName,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM `telemetry`.`telemetry_logs`
UNION ALL
SELECT
    timestamp AS Timestamp,
    toDateTime(timestamp) AS TimestampTime,
    trace_id AS TraceId,
    span_id AS SpanId,
    trace_flags AS TraceFlags,
    severity_text AS SeverityText,
    severity_number AS SeverityNumber,
    service_name AS ServiceName,
    body AS Body,
    resource_attributes AS ResourceAttributes,
    scope_name AS ScopeName,
    scope_version AS ScopeVersion,
    CAST(map(), 'Map(LowCardinality(String), String)') AS ScopeAttributes,
    attributes AS LogAttributes,
    event_name AS EventName,
    tenant_id AS TenantId,
    user_id AS UserId,
    session_id AS SessionId,
    sample_rate AS SampleRate
FROM `telemetry`.`telemetry_events`;

ALTER TABLE `telemetry`.`otel_traces_trace_id_ts_mv` MODIFY QUERY
SELECT
    tenant_id AS TenantId,
    trace_id AS TraceId,
    toDateTime(timestamp) AS Start,
    toDateTime(timestamp) AS End
FROM `telemetry`.`telemetry_spans`
WHERE trace_id != '';

ALTER TABLE `telemetry`.`telemetry_events` MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE `telemetry`.`telemetry_logs` MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE `telemetry`.`telemetry_metrics` MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE `telemetry`.`telemetry_spans` MODIFY SETTING non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_admin_state`
(
    kind       LowCardinality(String) CODEC(ZSTD(1)),
    tenant_id  LowCardinality(String) CODEC(ZSTD(1)),
    id         String CODEC(ZSTD(1)),
    version    UInt64 CODEC(Delta(8), ZSTD(1)),
    deleted    UInt8 CODEC(ZSTD(1)),
    body       String CODEC(ZSTD(3)),
    actor      String CODEC(ZSTD(1)),
    updated_at DateTime64(3) CODEC(Delta(8), ZSTD(1))
)
ENGINE = MergeTree()
ORDER BY (kind, tenant_id, id, version)
SETTINGS index_granularity = 8192;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_spans_staging`
(
    sampler             LowCardinality(String),
    received_at         DateTime64(3) DEFAULT now64(3) CODEC(Delta(8), ZSTD(1)),
    tenant_id           LowCardinality(String) CODEC(ZSTD(1)),
    timestamp           DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    duration_ns         UInt64 CODEC(ZSTD(1)),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    parent_span_id      String CODEC(ZSTD(1)),
    trace_state         String CODEC(ZSTD(1)),
    span_name           LowCardinality(String) CODEC(ZSTD(1)),
    span_kind           Enum8('unspecified' = 0, 'internal' = 1, 'server' = 2, 'client' = 3, 'producer' = 4, 'consumer' = 5),
    service_name        LowCardinality(String) CODEC(ZSTD(1)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    status_code         Enum8('unset' = 0, 'ok' = 1, 'error' = 2),
    status_message      String CODEC(ZSTD(1)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name          LowCardinality(String) CODEC(ZSTD(1)),
    scope_version       LowCardinality(String) CODEC(ZSTD(1)),
    events Nested
    (
        timestamp  DateTime64(9),
        name       LowCardinality(String),
        attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    links Nested
    (
        trace_id    String,
        span_id     String,
        trace_state String,
        attributes  Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    sample_rate         Float64 DEFAULT 1
)
ENGINE = MergeTree()
PARTITION BY toStartOfHour(received_at)
ORDER BY (sampler, received_at)
TTL toDateTime(received_at) + toIntervalDay(1)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS `telemetry`.`telemetry_sampling_decisions`
(
    sampler     LowCardinality(String),
    tenant_id   LowCardinality(String),
    trace_id    String,
    decided_at  DateTime64(3),
    sampled     UInt8,
    sample_rate Float64,
    reason      LowCardinality(String),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = MergeTree()
PARTITION BY toStartOfHour(decided_at)
ORDER BY (sampler, decided_at)
TTL toDateTime(decided_at) + toIntervalDay(1)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

ALTER TABLE `telemetry`.`telemetry_events` ADD COLUMN IF NOT EXISTS event_id String DEFAULT attributes['log.record.uid'] CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_events` ADD INDEX IF NOT EXISTS idx_event_id event_id TYPE bloom_filter(0.001) GRANULARITY 1;

ALTER TABLE `telemetry`.`telemetry_events` MATERIALIZE INDEX idx_event_id SETTINGS mutations_sync = 0;

ALTER TABLE `telemetry`.`telemetry_audit` MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE `telemetry`.`telemetry_spans_staging`
    MODIFY COLUMN tenant_id String CODEC(ZSTD(1)),
    MODIFY COLUMN span_name String CODEC(ZSTD(1)),
    MODIFY COLUMN scope_name String CODEC(ZSTD(1)),
    MODIFY COLUMN scope_version String CODEC(ZSTD(1)),
    MODIFY COLUMN `events.name` Array(String) CODEC(ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_deletion_requests` ADD COLUMN IF NOT EXISTS owner String DEFAULT '' CODEC(ZSTD(1)), ADD COLUMN IF NOT EXISTS lease_until DateTime64(3) DEFAULT 0 CODEC(Delta(8), ZSTD(1));

ALTER TABLE `telemetry`.`telemetry_spans_staging`
    MODIFY COLUMN received_at CODEC(Delta(8), LZ4),
    MODIFY COLUMN tenant_id CODEC(LZ4),
    MODIFY COLUMN timestamp CODEC(Delta(8), LZ4),
    MODIFY COLUMN duration_ns CODEC(LZ4),
    MODIFY COLUMN trace_id CODEC(LZ4),
    MODIFY COLUMN span_id CODEC(LZ4),
    MODIFY COLUMN parent_span_id CODEC(LZ4),
    MODIFY COLUMN trace_state CODEC(LZ4),
    MODIFY COLUMN span_name CODEC(LZ4),
    MODIFY COLUMN service_name CODEC(LZ4),
    MODIFY COLUMN user_id CODEC(LZ4),
    MODIFY COLUMN session_id CODEC(LZ4),
    MODIFY COLUMN status_message CODEC(LZ4),
    MODIFY COLUMN attributes CODEC(LZ4),
    MODIFY COLUMN resource_attributes CODEC(LZ4),
    MODIFY COLUMN scope_name CODEC(LZ4),
    MODIFY COLUMN scope_version CODEC(LZ4),
    MODIFY COLUMN `events.timestamp` CODEC(LZ4),
    MODIFY COLUMN `events.name` CODEC(LZ4),
    MODIFY COLUMN `events.attributes` CODEC(LZ4),
    MODIFY COLUMN `links.trace_id` CODEC(LZ4),
    MODIFY COLUMN `links.span_id` CODEC(LZ4),
    MODIFY COLUMN `links.trace_state` CODEC(LZ4),
    MODIFY COLUMN `links.attributes` CODEC(LZ4);

CREATE TABLE IF NOT EXISTS `telemetry`.`otel_traces_trace_id_ts_next`
(
    TenantId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId  String CODEC(ZSTD(1)),
    Start    DateTime CODEC(Delta(4), ZSTD(1)),
    End      DateTime CODEC(Delta(4), ZSTD(1))
)
ENGINE = ReplacingMergeTree()
PARTITION BY toDate(Start)
ORDER BY (TraceId, TenantId, Start, End)
TTL toDateTime(End) + toIntervalDay(30)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, enable_block_number_column = 1, enable_block_offset_column = 1;

RENAME TABLE `telemetry`.`otel_traces_trace_id_ts` TO `telemetry`.`otel_traces_trace_id_ts_old`, `telemetry`.`otel_traces_trace_id_ts_next` TO `telemetry`.`otel_traces_trace_id_ts`;

INSERT INTO `telemetry`.`otel_traces_trace_id_ts` (TenantId, TraceId, Start, End)
SELECT TenantId, TraceId, Start, End FROM `telemetry`.`otel_traces_trace_id_ts_old`;

DROP TABLE IF EXISTS `telemetry`.`otel_traces_trace_id_ts_old`;

ALTER TABLE `telemetry`.`telemetry_events` MODIFY TTL toDateTime(timestamp) + toIntervalDay(30);

ALTER TABLE `telemetry`.`telemetry_logs` MODIFY TTL toDateTime(timestamp) + toIntervalDay(30);

ALTER TABLE `telemetry`.`telemetry_metrics` MODIFY TTL toDateTime(timestamp) + toIntervalDay(30);

ALTER TABLE `telemetry`.`telemetry_spans` MODIFY TTL toDateTime(timestamp) + toIntervalDay(30);

ALTER TABLE `telemetry`.`telemetry_consents` REMOVE TTL;

ALTER TABLE `telemetry`.`telemetry_consent_history` REMOVE TTL;

ALTER TABLE `telemetry`.`telemetry_audit` MODIFY TTL toDateTime(timestamp) + toIntervalDay(365);

ALTER TABLE `telemetry`.`telemetry_deletion_requests` REMOVE TTL;

ALTER TABLE `telemetry`.`telemetry_suppressions` REMOVE TTL;

ALTER TABLE `telemetry`.`otel_traces_trace_id_ts` MODIFY TTL toDateTime(End) + toIntervalDay(30);

ALTER TABLE `telemetry`.`telemetry_admin_state` REMOVE TTL;

ALTER TABLE `telemetry`.`telemetry_spans_staging` MODIFY TTL toDateTime(received_at) + toIntervalDay(1);

ALTER TABLE `telemetry`.`telemetry_sampling_decisions` MODIFY TTL toDateTime(decided_at) + toIntervalDay(1);
