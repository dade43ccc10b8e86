package telemetryapiextension

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var sqlTemplates = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// chStore keeps the audit trail in chschema's telemetry_audit table.
type chStore struct {
	cfg       StorageConfig
	table     *chschema.Table
	selectSQL string

	mu      sync.Mutex
	conn    driver.Conn
	columns []clickhouse.ColumnNameAndType
}

func newCHStore(cfg StorageConfig) (*chStore, error) {
	schema, err := chschema.New(chschema.Options{Database: cfg.Database})
	if err != nil {
		return nil, err
	}
	t := schema.Table(chschema.Audit)
	if t == nil {
		return nil, errors.New("chschema has no audit table")
	}
	var b bytes.Buffer
	if err := sqlTemplates.ExecuteTemplate(&b, "select_audit.sql", map[string]string{"Table": t.Qualified}); err != nil {
		return nil, err
	}
	s := &chStore{cfg: cfg, table: t, selectSQL: strings.TrimSpace(b.String())}
	// Fail at creation, not at the first insert, if chschema's columns moved.
	if got, want := strings.Join(t.InsertColumns, ","), strings.Join(auditColumns, ","); got != want {
		return nil, fmt.Errorf("telemetry_audit insert columns are %s, the extension writes %s", got, want)
	}
	return s, nil
}

// auditColumns is the order of values insert appends; checked against chschema at creation.
var auditColumns = []string{"tenant_id", "timestamp", "actor", "actor_type", "action", "target_type", "target_id", "outcome", "request_id", "details"}

// prepare opens the connection once and reads the audit table's column types, which proves the
// table exists (the telemetry_storage exporter's migration creates it) and spares HTTP inserts a
// DESCRIBE each.
func (s *chStore) prepare(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		opt, err := s.cfg.ClientOptions()
		if err != nil {
			return err
		}
		conn, err := clickhouse.Open(opt)
		if err != nil {
			return fmt.Errorf("open ClickHouse %s: %w", redactedEndpoint(s.cfg.Endpoint), err)
		}
		s.conn = conn
	}
	rows, err := s.conn.Query(ctx, "DESCRIBE TABLE "+s.table.Qualified)
	if err != nil {
		return fmt.Errorf("describe %s (it is created by the telemetry_storage exporter's schema migration): %w", s.table.Qualified, err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ, defaultType, defaultExpr, comment, codec, ttl string
		if err := rows.Scan(&name, &typ, &defaultType, &defaultExpr, &comment, &codec, &ttl); err != nil {
			return fmt.Errorf("describe %s: %w", s.table.Qualified, err)
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("describe %s: %w", s.table.Qualified, err)
	}
	cols := make([]clickhouse.ColumnNameAndType, 0, len(auditColumns))
	for _, c := range auditColumns {
		typ, ok := types[c]
		if !ok {
			return fmt.Errorf("table %s has no column %s", s.table.Qualified, c)
		}
		cols = append(cols, clickhouse.ColumnNameAndType{Name: c, Type: typ})
	}
	s.columns = cols
	return nil
}

func (s *chStore) connection() (driver.Conn, []clickhouse.ColumnNameAndType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn, s.columns
}

func (s *chStore) insert(ctx context.Context, recs []auditRecord) error {
	conn, cols := s.connection()
	if conn == nil || cols == nil {
		return errors.New("audit storage is not prepared")
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithColumnNamesAndTypes(cols),
		clickhouse.WithSettings(clickhouse.Settings{"insert_deduplicate": 1, "insert_deduplication_token": auditToken(recs)}))
	batch, err := conn.PrepareBatch(ctx, s.table.InsertSQL)
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", s.table.Qualified, err)
	}
	defer func() { _ = batch.Close() }()
	for _, r := range recs {
		details := r.Details
		if details == nil {
			details = map[string]string{}
		}
		if err := batch.Append(r.Tenant, r.Time, r.KeyID, r.ActorType, r.Action, r.TargetType, r.TargetID,
			r.Outcome, r.RequestID, details); err != nil {
			return fmt.Errorf("encode audit record: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d records into %s: %w", len(recs), s.table.Qualified, err)
	}
	return nil
}

// auditQuery is one page request of GET /audit; the handler has validated it.
type auditQuery struct {
	From, To   time.Time
	Tenant     string // ignored when AllTenants
	AllTenants bool
	KeyID      string
	Limit      int
	// Before is the keyset cursor: records strictly older than (time, request id).
	BeforeTime time.Time
	BeforeID   string
}

func (s *chStore) query(ctx context.Context, q auditQuery) ([]auditRecord, error) {
	conn, _ := s.connection()
	if conn == nil {
		return nil, errors.New("audit storage is not prepared")
	}
	all := "0"
	if q.AllTenants {
		all = "1"
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{
		"from_ms":     strconv.FormatInt(q.From.UnixMilli(), 10),
		"to_ms":       strconv.FormatInt(q.To.UnixMilli(), 10),
		"all_tenants": all,
		"tenant":      q.Tenant,
		"key_id":      q.KeyID,
		"cursor_ms":   strconv.FormatInt(q.BeforeTime.UnixMilli(), 10),
		"cursor_id":   q.BeforeID,
		"limit":       strconv.Itoa(q.Limit),
	}))
	rows, err := conn.Query(ctx, s.selectSQL)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", s.table.Qualified, err)
	}
	defer rows.Close()
	var out []auditRecord
	for rows.Next() {
		var r auditRecord
		if err := rows.Scan(&r.Tenant, &r.Time, &r.KeyID, &r.ActorType, &r.Action, &r.TargetType, &r.TargetID,
			&r.Outcome, &r.RequestID, &r.Details); err != nil {
			return nil, fmt.Errorf("read %s: %w", s.table.Qualified, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *chStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// redactedEndpoint is the endpoint for logs and errors, without a DSN password.
func redactedEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "<unparsable endpoint>"
	}
	return u.Redacted()
}
