package chschema

import "time"

// Logical table names. In cluster mode these are Distributed tables and the
// data lives in <name>_local; queries and inserts always use these names.
const (
	Events         = "telemetry_events"
	Logs           = "telemetry_logs"
	Metrics        = "telemetry_metrics"
	Spans          = "telemetry_spans"
	Consents       = "telemetry_consents"
	ConsentHistory = "telemetry_consent_history"
	Audit          = "telemetry_audit"
	// DeletionRequests and Suppressions belong to the data-rights extension.
	DeletionRequests = "telemetry_deletion_requests"
	Suppressions     = "telemetry_suppressions"
	// AdminState holds what tenants administer at run time (API keys, privacy policies), every
	// version of it; internal/fleetstore reads it on every collector of a fleet.
	AdminState = "telemetry_admin_state"

	// TraceIDTimestamps is the trace-id lookup table of Grafana's ClickHouse datasource (first and
	// last span time per tenant and trace), filled from telemetry_spans by a materialized view.
	TraceIDTimestamps = "otel_traces_trace_id_ts"
	// OtelTraces and OtelLogs are views of spans and of logs plus events under the contrib
	// clickhouse exporter's names (docs/grafana.md).
	OtelTraces = "otel_traces"
	OtelLogs   = "otel_logs"
	// SpansStaging holds every span until its trace is decided (in-ClickHouse tail sampling of the
	// telemetry_storage exporter); SamplingDecisions records each trace's decision once.
	SpansStaging      = "telemetry_spans_staging"
	SamplingDecisions = "telemetry_sampling_decisions"

	// MigrationsTable records applied schema versions.
	MigrationsTable = "schema_migrations"

	localSuffix = "_local"
)

// retentionClass selects which configured retention applies to a table.
type retentionClass int

const (
	dataRetention retentionClass = iota
	consentRetention
	auditRetention
	// noRetention: kept until deleted explicitly (the proof of a deletion must outlive the data).
	noRetention
	// stagingRetention: spans waiting for (or dropped by) a sampling decision, and the decisions:
	// a day, long enough for late spans and a collector down for hours, short enough to bound the store.
	stagingRetention
)

// StagingRetention is how long staged spans and sampling decisions are kept.
const StagingRetention = 24 * time.Hour

type tableDef struct {
	name      string
	ttlColumn string
	retention retentionClass
	// shardingKey places rows on shards behind the Distributed table.
	shardingKey string
}

// tableDefs lists every table in creation order. Sharding keys: events by
// user so per-user funnels run shard-locally; spans by trace so a trace is on
// one shard; consent tables by user because ReplacingMergeTree collapses
// versions only within a shard; everything else evenly.
var tableDefs = []tableDef{
	{name: Events, ttlColumn: "timestamp", retention: dataRetention, shardingKey: "cityHash64(tenant_id, user_id)"},
	{name: Logs, ttlColumn: "timestamp", retention: dataRetention, shardingKey: "rand()"},
	{name: Metrics, ttlColumn: "timestamp", retention: dataRetention, shardingKey: "rand()"},
	{name: Spans, ttlColumn: "timestamp", retention: dataRetention, shardingKey: "cityHash64(trace_id)"},
	{name: Consents, ttlColumn: "updated_at", retention: consentRetention, shardingKey: "cityHash64(tenant_id, user_id)"},
	{name: ConsentHistory, ttlColumn: "changed_at", retention: consentRetention, shardingKey: "cityHash64(tenant_id, user_id)"},
	{name: Audit, ttlColumn: "timestamp", retention: auditRetention, shardingKey: "rand()"},
	{name: DeletionRequests, retention: noRetention, shardingKey: "cityHash64(tenant_id, request_id)"},
	{name: Suppressions, retention: noRetention, shardingKey: "cityHash64(tenant_id, subject)"},
	// Sharded by trace like the spans, so the materialized view writes shard-locally.
	{name: TraceIDTimestamps, ttlColumn: "End", retention: dataRetention, shardingKey: "cityHash64(TraceId)"},
	{name: AdminState, retention: noRetention, shardingKey: "cityHash64(kind, tenant_id, id)"},
	{name: SpansStaging, ttlColumn: "received_at", retention: stagingRetention, shardingKey: "cityHash64(trace_id)"},
	{name: SamplingDecisions, ttlColumn: "decided_at", retention: stagingRetention, shardingKey: "cityHash64(trace_id)"},
}

// migrationDef is one schema version. Versions are append-only: a released
// version's tables and templates are never edited (Migrate fails on a
// checksum mismatch); changes ship as a new version with ALTER statements.
type migrationDef struct {
	version uint32
	name    string
	// tables are created (plus a Distributed front in cluster mode).
	tables []string
	// alter is a sql/<alter>.sql template rendered once per table of alterTables, for the storage
	// table and, in cluster mode, again for its Distributed front (which must list the column too).
	alter       string
	alterTables []string
	// storageOnly renders alter for the storage tables only (indexes, settings, mutations: a
	// Distributed front has no parts).
	storageOnly bool
	// stmts are sql/<name>.sql templates rendered once each, after tables (views, materialized
	// views, backfills); they name tables with {{.Qual "t"}} and, for a table's storage, {{.Local "t"}}.
	stmts []string
	// singleServer alters only a single server's MergeTree tables; skipped in cluster mode, where
	// the Replicated engines already do what the statement sets.
	singleServer bool
	// replace rebuilds a table under its name (a new engine or sorting key, which no ALTER changes).
	replace *replacement
}

// replacement rebuilds table: create makes the new table under a temporary name (<storage>_next),
// swap renames the live one to <storage>_old and the new one into its place, copy fills the new one
// from <storage>_old, drop removes that, and front (cluster mode) alters the Distributed front.
// Migrate runs create and swap only while the live engine does not start with engine, and copy
// and drop only while <storage>_old exists: interrupted anywhere, the migration resumes where it
// stopped, and two collectors migrating at once swap once (replace in migrate.go).
type replacement struct {
	table, engine                   string
	create, swap, copy, drop, front string
}

// DataTables hold telemetry and carry the subject index (add_subject_ids.sql).
var DataTables = []string{Events, Logs, Metrics, Spans}

var migrationDefs = []migrationDef{
	{version: 1, name: "create_data_tables", tables: []string{Events, Logs, Metrics, Spans}},
	{version: 2, name: "create_consent_and_audit_tables", tables: []string{Consents, ConsentHistory, Audit}},
	{version: 3, name: "create_data_rights_tables", tables: []string{DeletionRequests, Suppressions}},
	{version: 4, name: "add_sample_rate", alter: "add_sample_rate", alterTables: []string{Spans, Events, Logs}},
	{version: 5, name: "add_subject_ids", alter: "add_subject_ids", alterTables: DataTables},
	{version: 6, name: "add_subject_index", alter: "add_subject_index", alterTables: DataTables, storageOnly: true},
	{version: 7, name: "backfill_subject_index", alter: "backfill_subject_index", alterTables: DataTables, storageOnly: true},
	{version: 10, name: "create_otel_traces_trace_id_ts", tables: []string{TraceIDTimestamps},
		stmts: []string{"otel_traces_trace_id_ts_mv", "backfill_otel_traces_trace_id_ts"}},
	{version: 11, name: "create_otel_views", stmts: []string{OtelTraces, OtelLogs}},
	{version: 12, name: "otel_traces_trace_id_ts_mv_per_span", stmts: []string{"otel_traces_trace_id_ts_mv_per_span"}},
	{version: 15, name: "insert_deduplication_window", alter: "dedup_window", alterTables: []string{Events, Logs, Metrics, Spans}, singleServer: true},
	{version: 20, name: "create_admin_state", tables: []string{AdminState}},
	{version: 25, name: "create_sampling_tables", tables: []string{SpansStaging, SamplingDecisions}},
	{version: 30, name: "add_event_id", alter: "add_event_id", alterTables: []string{Events}},
	{version: 31, name: "add_event_id_index", alter: "add_event_id_index", alterTables: []string{Events}, storageOnly: true},
	{version: 32, name: "backfill_event_id_index", alter: "backfill_event_id_index", alterTables: []string{Events}, storageOnly: true},
	// The telemetry API's audit writer carries insert_deduplication_token too (a batch whose insert
	// failed after committing is retried, or drained from its spool segment, with the same token).
	{version: 40, name: "audit_insert_deduplication_window", alter: "dedup_window", alterTables: []string{Audit}, singleServer: true},
	// Issue 21: the staging table without LowCardinality (sql/staging_plain_strings.sql).
	{version: 45, name: "staging_plain_strings", alter: "staging_plain_strings", alterTables: []string{SpansStaging}},
	// Deletion requests name the collector running them and its lease (fleet take-over).
	{version: 55, name: "add_request_lease", alter: "add_request_lease", alterTables: []string{DeletionRequests}},
	// Issue 21: the staging table compressed with LZ4 (sql/staging_lz4.sql): half the engine CPU to write.
	{version: 60, name: "staging_lz4", alter: "staging_lz4", alterTables: []string{SpansStaging}, storageOnly: true},
	// Issue 18: the trace-id lookup table as a ReplacingMergeTree with block-number columns, so
	// erasure writes patch parts in it instead of a mutation of the whole table
	// (sql/trace_id_ts_patchable.sql).
	{version: 65, name: "trace_id_ts_patch_parts", replace: &replacement{table: TraceIDTimestamps, engine: "ReplacingMergeTree",
		create: "trace_id_ts_patchable", swap: "trace_id_ts_swap", copy: "trace_id_ts_copy", drop: "trace_id_ts_drop_old", front: "trace_id_ts_front"}},
}
