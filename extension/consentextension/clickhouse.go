package consentextension

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var queries = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// ClickHouse error codes meaning "nothing stored yet".
const (
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
)

// The insert columns this file appends, in order; newClickHouse fails if chschema's differ.
var (
	consentColumns = []string{"tenant_id", "user_id", "purpose", "status", "policy_version", "source", "updated_at", "expires_at", "attributes"}
	historyColumns = []string{"tenant_id", "user_id", "purpose", "status", "previous_status", "policy_version", "source", "actor", "reason", "changed_at", "attributes"}
)

type clickhouseBackend struct {
	conn     driver.Conn
	timeout  time.Duration
	consents *chschema.Table
	history  *chschema.Table
	full     string
	since    string
}

func renderQuery(table string, full bool) (string, error) {
	var b bytes.Buffer
	err := queries.ExecuteTemplate(&b, "select_consents.sql", struct {
		Table string
		Full  bool
	}{table, full})
	return strings.TrimSpace(b.String()), err
}

func newClickHouse(ctx context.Context, cfg StorageConfig) (*clickhouseBackend, error) {
	schema, err := chschema.New(chschema.Options{Database: cfg.Database})
	if err != nil {
		return nil, fmt.Errorf("storage::database: %w", err)
	}
	b := &clickhouseBackend{timeout: cfg.Timeout, consents: schema.Table(chschema.Consents), history: schema.Table(chschema.ConsentHistory)}
	if !slices.Equal(b.consents.InsertColumns, consentColumns) || !slices.Equal(b.history.InsertColumns, historyColumns) {
		return nil, fmt.Errorf("consent tables changed: insert columns %v and %v, this build writes %v and %v",
			b.consents.InsertColumns, b.history.InsertColumns, consentColumns, historyColumns)
	}
	if b.full, err = renderQuery(b.consents.Qualified, true); err != nil {
		return nil, err
	}
	if b.since, err = renderQuery(b.consents.Qualified, false); err != nil {
		return nil, err
	}
	opt, err := cfg.ClientOptions()
	if err != nil {
		return nil, err
	}
	if b.conn, err = clickhouse.Open(opt); err != nil {
		return nil, fmt.Errorf("open ClickHouse %s: %w", redacted(cfg.Endpoint), err)
	}
	return b, nil
}

func (b *clickhouseBackend) load(ctx context.Context, full bool, sinceMs int64, fn func(row)) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	var (
		rows driver.Rows
		err  error
	)
	if full {
		rows, err = b.conn.Query(ctx, b.full)
	} else {
		rows, err = b.conn.Query(ctx, b.since, sinceMs)
	}
	if err != nil {
		if code, ok := chschema.ErrorCode(err); ok && (code == codeUnknownTable || code == codeUnknownDatabase) {
			return errNoTable
		}
		return fmt.Errorf("read %s: %w", b.consents.Qualified, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.tenant, &r.user, &r.purpose, &r.status, &r.source, &r.policyVersion, &r.updated); err != nil {
			return fmt.Errorf("read %s: %w", b.consents.Qualified, err)
		}
		fn(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", b.consents.Qualified, err)
	}
	return nil
}

// write inserts the history first: a change is never effective without its proof. If the second
// insert fails the caller answers 503 and the client retries; the history then shows the attempt.
func (b *clickhouseBackend) write(ctx context.Context, changes []historyRow) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	noAttrs := map[string]string{}
	err := b.insert(ctx, b.history, func(batch driver.Batch) error {
		for _, c := range changes {
			if err := batch.Append(c.tenant, c.user, c.purpose, c.status, c.previous.String(), c.policyVersion,
				c.source, c.actor, c.reason, time.UnixMilli(c.updated).UTC(), noAttrs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return b.insert(ctx, b.consents, func(batch driver.Batch) error {
		for _, c := range changes {
			if err := batch.Append(c.tenant, c.user, c.purpose, c.status, c.policyVersion, c.source,
				time.UnixMilli(c.updated).UTC(), (*time.Time)(nil), noAttrs); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *clickhouseBackend) insert(ctx context.Context, t *chschema.Table, fill func(driver.Batch) error) error {
	batch, err := b.conn.PrepareBatch(ctx, t.InsertSQL)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", t.Qualified, err)
	}
	defer func() { _ = batch.Close() }()
	if err := fill(batch); err != nil {
		return fmt.Errorf("insert into %s: %w", t.Qualified, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert into %s: %w", t.Qualified, err)
	}
	return nil
}

func (b *clickhouseBackend) close() error { return b.conn.Close() }

// redacted is the endpoint for logs and errors, without a password given in the DSN.
func redacted(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "<unparsable endpoint>"
	}
	return u.Redacted()
}
