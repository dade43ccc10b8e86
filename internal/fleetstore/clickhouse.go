package fleetstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// CHBackend keeps records in chschema's telemetry_admin_state, which the telemetry_storage
// exporter's migration creates.
type CHBackend struct {
	conn    driver.Conn
	timeout time.Duration
	insert  string
	since   string
	history string
}

const columns = "kind, tenant_id, id, version, deleted, body, actor, updated_at"

// NewCHBackend opens (lazily: clickhouse-go connects on first use) the storage of cfg.
func NewCHBackend(cfg chschema.StorageConfig) (*CHBackend, error) {
	schema, err := chschema.New(chschema.Options{Database: cfg.Database})
	if err != nil {
		return nil, err
	}
	t := schema.Table(chschema.AdminState)
	if t == nil {
		return nil, errors.New("chschema has no admin state table")
	}
	if got := strings.Join(t.InsertColumns, ", "); got != columns {
		return nil, fmt.Errorf("%s insert columns are %s, fleetstore writes %s", t.Name, got, columns)
	}
	opt, err := cfg.ClientOptions()
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("open ClickHouse: %w", err)
	}
	sel := "SELECT " + columns + " FROM " + t.Qualified
	return &CHBackend{
		conn: conn, timeout: cfg.Timeout,
		insert:  t.InsertSQL + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		since:   sel + " WHERE updated_at >= fromUnixTimestamp64Milli(?) ORDER BY version",
		history: sel + " WHERE kind = ? AND tenant_id = ? AND id = ? ORDER BY version DESC LIMIT ?",
	}, nil
}

func (b *CHBackend) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, b.timeout)
}

func (b *CHBackend) Insert(ctx context.Context, r Record) error {
	ctx, cancel := b.ctx(ctx)
	defer cancel()
	var deleted uint8
	if r.Deleted {
		deleted = 1
	}
	if err := b.conn.Exec(ctx, b.insert, r.Kind, r.Tenant, r.ID, r.Version, deleted, string(r.Body), r.Actor, r.UpdatedAt.UTC()); err != nil {
		return fmt.Errorf("store admin state: %w", err)
	}
	return nil
}

func (b *CHBackend) Since(ctx context.Context, since time.Time) ([]Record, error) {
	ctx, cancel := b.ctx(ctx)
	defer cancel()
	return b.query(ctx, b.since, since.UnixMilli())
}

func (b *CHBackend) History(ctx context.Context, k Key, limit int) ([]Record, error) {
	ctx, cancel := b.ctx(ctx)
	defer cancel()
	return b.query(ctx, b.history, k.Kind, k.Tenant, k.ID, limit)
}

func (b *CHBackend) query(ctx context.Context, q string, args ...any) ([]Record, error) {
	rows, err := b.conn.Query(ctx, q, args...)
	if chschema.NotCreatedYet(err) {
		// Before the storage exporter's first migration nothing can have been administered yet.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read admin state: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var (
			r       Record
			deleted uint8
			body    string
		)
		if err := rows.Scan(&r.Kind, &r.Tenant, &r.ID, &r.Version, &deleted, &body, &r.Actor, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("read admin state: %w", err)
		}
		r.Deleted, r.Body = deleted == 1, []byte(body)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (b *CHBackend) Close() error { return b.conn.Close() }
