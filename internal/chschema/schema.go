// Package chschema owns the ClickHouse schema of the Telemetry Module: table
// DDL, insert statements, versioned migrations and retention (TTL). Every
// component that reads or writes these tables (storage exporter, consent,
// audit, deletion, query) takes table names and statements from here, so the
// schema has exactly one definition.
//
// All SQL lives in sql/*.sql as text/template files. New renders them once;
// identifiers are back-quoted and escaped, string literals quoted, so
// user-supplied names (database, cluster) cannot break or inject SQL.
package chschema // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// templates is parsed once; each file is its own named template.
var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// DefaultDatabase is the database used when Options.Database is empty.
const DefaultDatabase = "telemetry"

// Options select the database, deployment mode and retention.
type Options struct {
	// Database holding every table. Default "telemetry".
	Database string
	// Cluster, when set, renders ON CLUSTER DDL, Replicated engines and a
	// Distributed table in front of each table.
	Cluster string
	// Retention of telemetry data (events, logs, metrics, spans). 0 keeps data forever.
	Retention time.Duration
	// ConsentRetention of telemetry_consents (since last update) and
	// telemetry_consent_history. 0 keeps records forever.
	ConsentRetention time.Duration
	// AuditRetention of telemetry_audit. 0 keeps records forever.
	AuditRetention time.Duration
}

// Validate reports every invalid option at once.
func (o Options) Validate() error {
	var errs []error
	if o.Database != "" {
		errs = append(errs, validateName("database", o.Database))
	}
	if o.Cluster != "" {
		errs = append(errs, validateName("cluster_name", o.Cluster))
	}
	for _, r := range []struct {
		key string
		d   time.Duration
	}{{"retention", o.Retention}, {"consent_retention", o.ConsentRetention}, {"audit_retention", o.AuditRetention}} {
		if r.d < 0 {
			errs = append(errs, fmt.Errorf("%s %w", r.key, errNegativeRetention))
		}
	}
	return errors.Join(errs...)
}

// Table is one logical table with its rendered statements.
type Table struct {
	// Name is the logical name (e.g. telemetry_events).
	Name string
	// Qualified is the quoted `database`.`name` to query and insert into.
	Qualified string
	// StorageName is the table holding the rows: Name, or Name_local in cluster mode.
	StorageName string
	// InsertSQL is "INSERT INTO <Qualified> (columns...)" for PrepareBatch; empty for a table
	// filled by a materialized view.
	InsertSQL string
	// InsertColumns are the columns of InsertSQL, in order.
	InsertColumns []string
	// SearchText is the SQL expression of the row's free text that idx_search_text indexes (data
	// tables only, "" elsewhere): predicates must use it verbatim for the index to apply.
	SearchText string
	// SubjectExpr is the table's subject index: subject_ids, or (telemetry_spans_staging, which has
	// no such column) the expression the column's DEFAULT computes.
	SubjectExpr string

	ttl       string // wanted TTL clause, "" = none
	modifyTTL string
	removeTTL string
}

// Migration is one rendered schema version.
type Migration struct {
	Version uint32
	Name    string
	// Checksum identifies the migration's template source; it does not depend
	// on options, so changing retention or cluster does not change it.
	Checksum   string
	Statements []string

	replace *replaceStmts
}

// replaceStmts are a replacement's statements rendered for one table (see replacement).
type replaceStmts struct {
	storage, old, engine            string
	create, swap, copy, drop, front string
}

// statements lists them in the order a fresh database runs them.
func (r *replaceStmts) statements() []string {
	out := []string{r.create, r.swap}
	if r.front != "" {
		out = append(out, r.front)
	}
	return append(out, r.copy, r.drop)
}

// Schema is the schema rendered for one set of Options.
type Schema struct {
	opts Options

	createDatabase        string
	createMigrationsTable string
	appliedMigrations     string
	recordMigration       string
	tableEngines          string

	migrations []Migration
	tables     map[string]*Table
	order      []string
}

// tmplData is what every template sees.
type tmplData struct {
	Name            string // logical table name, unquoted
	Database        string // quoted identifier
	DatabaseLiteral string // quoted string
	OnCluster       string // " ON CLUSTER `c`" or ""
	ClusterLiteral  string
	Table           string // quoted storage table (local in cluster mode)
	Front           string // quoted logical table
	LocalLiteral    string
	ShardingKey     string
	TTL             string
	cluster         bool
	database        string // unquoted

	// Tenant reader databases (reader.go).
	ReaderDatabase string // quoted
	TenantLiteral  string
	ReaderUser     string // quoted, "" without a user
	PasswordHash   string // quoted hex SHA-256

	// A replacement's temporary tables (replacement in tables.go), quoted.
	Next, Old  string
	OldLiteral string
}

// Qual is the quoted `database`.`name` of a logical table or view.
func (d tmplData) Qual(name string) string { return QuoteIdent(d.database) + "." + QuoteIdent(name) }

// Local is Qual of the table holding a logical table's rows: name_local in cluster mode.
func (d tmplData) Local(name string) string {
	if d.cluster {
		name += localSuffix
	}
	return d.Qual(name)
}

// replicationPath keeps one replica set per shard; {database} and {table}
// are ClickHouse macros expanded at CREATE time.
const replicationPath = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"

// globalReplicationPath has no {shard}: all nodes share one copy.
const globalReplicationPath = "'/clickhouse/tables/{database}/{table}', '{replica}'"

// Engine renders a MergeTree-family engine, Replicated in cluster mode.
func (d tmplData) Engine(name string, args ...string) string {
	return d.engine(replicationPath, name, args)
}

// GlobalEngine is Engine for tables replicated to every node of the cluster.
func (d tmplData) GlobalEngine(name string, args ...string) string {
	return d.engine(globalReplicationPath, name, args)
}

func (d tmplData) engine(path, name string, args []string) string {
	if !d.cluster {
		return name + "(" + strings.Join(args, ", ") + ")"
	}
	return "Replicated" + name + "(" + strings.Join(append([]string{path}, args...), ", ") + ")"
}

// New validates opts and renders every statement once.
func New(opts Options) (*Schema, error) {
	if opts.Database == "" {
		opts.Database = DefaultDatabase
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Schema{opts: opts, tables: make(map[string]*Table, len(tableDefs))}
	base := tmplData{
		Database:        QuoteIdent(opts.Database),
		DatabaseLiteral: QuoteString(opts.Database),
		cluster:         opts.Cluster != "",
		database:        opts.Database,
	}
	if base.cluster {
		base.OnCluster = " ON CLUSTER " + QuoteIdent(opts.Cluster)
		base.ClusterLiteral = QuoteString(opts.Cluster)
	}

	r := renderer{}
	s.createDatabase = r.render("database.sql", base)

	mig := base
	mig.Table = s.qualify(MigrationsTable)
	s.createMigrationsTable = r.render("schema_migrations.sql", mig)
	s.appliedMigrations = r.render("applied_migrations.sql", mig)
	s.recordMigration = r.render("record_migration.sql", mig)
	s.tableEngines = r.render("table_engines.sql", base)

	create := make(map[string][]string, len(tableDefs))
	tableData := make(map[string]tmplData, len(tableDefs))
	for _, def := range tableDefs {
		d := base
		storage := def.name
		if d.cluster {
			storage += localSuffix
		}
		d.Name = def.name
		d.Table = s.qualify(storage)
		d.Front = s.qualify(def.name)
		d.LocalLiteral = QuoteString(storage)
		d.ShardingKey = def.shardingKey
		d.TTL = ttlClause(def.ttlColumn, s.retention(def.retention))

		stmts := []string{r.render(def.name+".sql", d)}
		if d.cluster {
			stmts = append(stmts, r.render("distributed.sql", d))
		}
		create[def.name] = stmts
		tableData[def.name] = d

		t := &Table{
			Name:        def.name,
			Qualified:   d.Front,
			StorageName: storage,
			ttl:         d.TTL,
			removeTTL:   r.render("remove_ttl.sql", d),
		}
		// Tables filled by a materialized view have no insert statement.
		if templates.Lookup("insert_"+def.name+".sql") != nil {
			t.InsertSQL = r.render("insert_"+def.name+".sql", d)
		}
		if d.TTL != "" {
			t.modifyTTL = r.render("modify_ttl.sql", d)
		}
		t.InsertColumns = insertColumns(t.InsertSQL)
		switch {
		case slices.Contains(DataTables, def.name):
			t.SearchText, t.SubjectExpr = r.render("search_text", d), "subject_ids"
		case def.name == SpansStaging:
			// Same columns as the spans, no subject_ids column: the expression itself.
			dd := d
			dd.Name = Spans
			// {32} spelled out: clickhouse-go takes {name} in a statement for a query parameter.
			expr := strings.ReplaceAll(r.render("subject_ids", dd), "[0-9a-f]{32}", strings.Repeat("[0-9a-f]", 32))
			t.SearchText, t.SubjectExpr = r.render("search_text", dd), expr
		}
		s.tables[def.name] = t
		s.order = append(s.order, def.name)
	}

	for _, def := range migrationDefs {
		m := Migration{Version: def.version, Name: def.name}
		sum := sha256.New()
		for _, name := range def.tables {
			src, err := sqlFiles.ReadFile("sql/" + name + ".sql")
			if err != nil {
				return nil, err
			}
			sum.Write(src)
			m.Statements = append(m.Statements, create[name]...)
		}
		if def.alter != "" {
			src, err := sqlFiles.ReadFile("sql/" + def.alter + ".sql")
			if err != nil {
				return nil, err
			}
			sum.Write(src)
			for _, name := range def.alterTables {
				d := tableData[name]
				if def.singleServer && d.cluster {
					continue
				}
				m.Statements = append(m.Statements, r.render(def.alter+".sql", d))
				if d.cluster && !def.storageOnly {
					d.Table = d.Front
					m.Statements = append(m.Statements, r.render(def.alter+".sql", d))
				}
			}
		}
		for _, name := range def.stmts {
			src, err := sqlFiles.ReadFile("sql/" + name + ".sql")
			if err != nil {
				return nil, err
			}
			sum.Write(src)
			m.Statements = append(m.Statements, r.render(name+".sql", base))
		}
		if rp := def.replace; rp != nil {
			d := tableData[rp.table]
			storage := rp.table
			if d.cluster {
				storage += localSuffix
			}
			d.Next, d.Old, d.OldLiteral = s.qualify(storage+"_next"), s.qualify(storage+"_old"), QuoteString(storage+"_old")
			rs := &replaceStmts{storage: storage, old: storage + "_old", engine: rp.engine}
			for _, x := range []struct {
				name string
				out  *string
			}{{rp.create, &rs.create}, {rp.swap, &rs.swap}, {rp.copy, &rs.copy}, {rp.drop, &rs.drop}, {rp.front, &rs.front}} {
				src, err := sqlFiles.ReadFile("sql/" + x.name + ".sql")
				if err != nil {
					return nil, err
				}
				sum.Write(src)
				if x.out == &rs.front && !d.cluster {
					continue
				}
				*x.out = r.render(x.name+".sql", d)
			}
			m.replace = rs
		}
		m.Checksum = hex.EncodeToString(sum.Sum(nil)[:16])
		s.migrations = append(s.migrations, m)
	}
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// renderer keeps the first template error so New reads straight.
type renderer struct{ err error }

func (r *renderer) render(name string, data tmplData) string {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil && r.err == nil {
		r.err = fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(b.String(), "\n"))
}

// blankLines removes lines left empty by an absent TTL clause.
var blankLines = regexp.MustCompile(`\n\s*\n`)

var insertColumnList = regexp.MustCompile(`\(([^()]*)\)\s*$`)

func insertColumns(insertSQL string) []string {
	m := insertColumnList.FindStringSubmatch(insertSQL)
	if m == nil {
		return nil
	}
	cols := strings.Split(m[1], ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	return cols
}

func (s *Schema) qualify(table string) string {
	return QuoteIdent(s.opts.Database) + "." + QuoteIdent(table)
}

func (s *Schema) retention(c retentionClass) time.Duration {
	switch c {
	case consentRetention:
		return s.opts.ConsentRetention
	case auditRetention:
		return s.opts.AuditRetention
	case noRetention:
		return 0
	case stagingRetention:
		return StagingRetention
	default:
		return s.opts.Retention
	}
}

// Database is the database name (unquoted).
func (s *Schema) Database() string { return s.opts.Database }

// Options returns the options the schema was rendered with, defaults applied.
func (s *Schema) Options() Options { return s.opts }

// Table returns the named logical table, or nil if the schema has none.
func (s *Schema) Table(name string) *Table { return s.tables[name] }

// Tables returns every table in creation order.
func (s *Schema) Tables() []*Table {
	out := make([]*Table, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, s.tables[n])
	}
	return out
}

// Migrations returns the rendered versions, oldest first.
func (s *Schema) Migrations() []Migration { return s.migrations }

// Script lists every DDL statement Migrate can issue: the CREATEs run on an
// empty database, in order, then per table the TTL statement run when the
// live TTL differs from the configured one (MODIFY TTL, or REMOVE TTL when
// retention is 0). Used for golden files and review.
func (s *Schema) Script() []string {
	out := []string{s.createDatabase, s.createMigrationsTable}
	for _, m := range s.migrations {
		out = append(out, m.Statements...)
		if m.replace != nil {
			out = append(out, m.replace.statements()...)
		}
	}
	for _, t := range s.Tables() {
		if t.modifyTTL != "" {
			out = append(out, t.modifyTTL)
		} else {
			out = append(out, t.removeTTL)
		}
	}
	return out
}
