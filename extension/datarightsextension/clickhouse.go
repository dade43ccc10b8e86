package datarightsextension

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// syncSettings make DELETE and ALTER ... UPDATE/APPLY DELETED MASK return only when the mutation
// has finished on every replica (cluster mode, where system.mutations is per node).
var syncSettings = clickhouse.Settings{"mutations_sync": 2, "lightweight_deletes_sync": 2}

// asyncSettings only schedule the mutation (single server): the statement returns at once and the
// wait polls system.mutations, so the server is not held by one long statement (the embedded engine
// runs one statement at a time, and inserts would stall behind it).
var asyncSettings = clickhouse.Settings{"mutations_sync": 0, "lightweight_deletes_sync": 0}

// pendingMutations counts the unfinished mutations of a table and the reason of the last failure.
const pendingMutations = "SELECT count(), anyLast(latest_fail_reason) FROM system.mutations WHERE database = ? AND table = ? AND NOT is_done"

// ClickHouse error codes meaning "nothing stored yet".
const (
	codeUnknownTable    = 60
	codeUnknownDatabase = 81
)

// errNoTable: the schema does not exist yet (the storage exporter creates it).
var errNoTable = errors.New("data-rights tables do not exist yet")

func noTable(err error) bool {
	code, ok := chschema.ErrorCode(err)
	return ok && (code == codeUnknownTable || code == codeUnknownDatabase)
}

type chStore struct {
	conn     driver.Conn
	sql      *statements
	timeout  time.Duration
	mutation time.Duration
	cluster  bool
	poll     time.Duration // between reads of system.mutations; default 200ms
	hx       *httpExporter // exports over HTTP for http(s) endpoints (export_http.go); nil otherwise
}

func (s *chStore) query(ctx context.Context, q string, args []any, scan func(driver.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		if noTable(err) {
			return errNoTable
		}
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// insertRequest stores a version of r; r.version (updated_at, unix ms) must be newer than the last.
func (s *chStore) insertRequest(ctx context.Context, r *request) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var finished *time.Time
	if r.FinishedAt > 0 {
		t := time.UnixMilli(r.FinishedAt).UTC()
		finished = &t
	}
	return s.insert(ctx, s.sql.insertRequest, r.Tenant, r.ID, r.Subject, r.UserID, r.Status, r.Reason, r.Actor,
		r.Attempts, time.UnixMilli(r.AcceptedAt).UTC(), finished, r.Receipt, time.UnixMilli(r.version).UTC())
}

func (s *chStore) insertSuppression(ctx context.Context, e suppression.Entry) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var lifted *time.Time
	if e.Lifted > 0 {
		t := time.UnixMilli(e.Lifted).UTC()
		lifted = &t
	}
	return s.insert(ctx, s.sql.insertSuppression, e.Tenant, e.Subject, e.RequestID, time.UnixMilli(e.Since).UTC(), lifted, time.Now().UTC())
}

func (s *chStore) insert(ctx context.Context, stmt string, values ...any) error {
	batch, err := s.conn.PrepareBatch(ctx, stmt)
	if err != nil {
		return err
	}
	defer func() { _ = batch.Close() }()
	if err := batch.Append(values...); err != nil {
		return err
	}
	return batch.Send()
}

func scanRequest(rows driver.Rows) (request, error) {
	var r request
	err := rows.Scan(&r.Tenant, &r.ID, &r.Subject, &r.UserID, &r.Status, &r.Reason, &r.Actor, &r.Attempts,
		&r.AcceptedAt, &r.FinishedAt, &r.Receipt, &r.version)
	r.persisted = true
	return r, err
}

func (s *chStore) openRequests(ctx context.Context) ([]*request, error) {
	var out []*request
	err := s.query(ctx, s.sql.openRequests, nil, func(rows driver.Rows) error {
		r, err := scanRequest(rows)
		out = append(out, &r)
		return err
	})
	if errors.Is(err, errNoTable) {
		return nil, nil
	}
	return out, err
}

// openRequestOf is the open request of a subject, from whichever collector accepted it; nil if none.
func (s *chStore) openRequestOf(ctx context.Context, tenant, subject string) (*request, error) {
	return s.oneRequest(ctx, s.sql.openRequestOf, tenant, subject)
}

func (s *chStore) getRequest(ctx context.Context, tenant, id string) (*request, error) {
	return s.oneRequest(ctx, s.sql.getRequest, tenant, id)
}

// oneRequest is the (last) request q finds; nil if none or the table does not exist yet.
func (s *chStore) oneRequest(ctx context.Context, q string, args ...any) (*request, error) {
	var out *request
	err := s.query(ctx, q, args, func(rows driver.Rows) error {
		r, err := scanRequest(rows)
		out = &r
		return err
	})
	if errors.Is(err, errNoTable) {
		return nil, nil
	}
	return out, err
}

func (s *chStore) suppressionsSince(ctx context.Context, sinceMs int64) ([]suppression.Entry, error) {
	var out []suppression.Entry
	err := s.query(ctx, s.sql.suppressionsSince, []any{sinceMs}, func(rows driver.Rows) error {
		var e suppression.Entry
		err := rows.Scan(&e.Tenant, &e.Subject, &e.RequestID, &e.Since, &e.Lifted)
		out = append(out, e)
		return err
	})
	if errors.Is(err, errNoTable) {
		return nil, nil
	}
	return out, err
}

type grant struct {
	tenant, user string
	at           int64
}

func (s *chStore) grantsSince(ctx context.Context, sinceMs int64) ([]grant, error) {
	var out []grant
	err := s.query(ctx, s.sql.grantsSince, []any{sinceMs}, func(rows driver.Rows) error {
		var g grant
		err := rows.Scan(&g.tenant, &g.user, &g.at)
		out = append(out, g)
		return err
	})
	if errors.Is(err, errNoTable) {
		return nil, nil
	}
	return out, err
}

func (s *chStore) count(ctx context.Context, t *target, tenant string, ids []string) (uint64, error) {
	var n uint64
	err := s.query(ctx, t.count, t.args(tenant, ids), func(rows driver.Rows) error { return rows.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("count in %s: %w", t.name, err)
	}
	return n, nil
}

// mutate runs a DELETE or ALTER on table (its storage name) and waits until its mutation is done.
func (s *chStore) mutate(ctx context.Context, table, stmt string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, s.mutation)
	defer cancel()
	if s.cluster {
		return s.conn.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(syncSettings)), stmt, args...)
	}
	if err := s.conn.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(asyncSettings)), stmt, args...); err != nil {
		return err
	}
	poll := s.poll
	if poll <= 0 {
		poll = 200 * time.Millisecond
	}
	for {
		var (
			pending uint64
			reason  string
		)
		if err := s.conn.QueryRow(ctx, pendingMutations, s.sql.schema.Database(), table).Scan(&pending, &reason); err != nil {
			return fmt.Errorf("wait for the mutation of %s: %w", table, err)
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mutation of %s not done within mutation_timeout (last failure: %q): %w", table, reason, ctx.Err())
		case <-time.After(poll):
		}
	}
}
