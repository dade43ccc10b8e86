package datarightsextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// syncSettings make DELETE and ALTER ... UPDATE/APPLY DELETED MASK return only when the mutation
// has finished on every replica (cluster mode, where system.mutations is per node).
var syncSettings = clickhouse.Settings{"mutations_sync": 2, "lightweight_deletes_sync": 2, "max_query_size": maxQuerySize}

// asyncSettings only schedule the mutation (single server): the statement returns at once and the
// wait polls system.mutations, so no connection is held by one long statement.
var asyncSettings = clickhouse.Settings{"mutations_sync": 0, "lightweight_deletes_sync": 0, "max_query_size": maxQuerySize}

// maxQuerySize bounds the text of one statement of a batch (its forms, patterns and alternation
// are inlined: clickhouse-go binds arguments client-side). A batch of 1000 users is ~300 KB, past
// the server's default of 256 KiB; max_batch (10000) stays far below this.
const maxQuerySize = 64 << 20

// bigQuery lets a batch's statement exceed the default max_query_size.
var bigQuery = clickhouse.Settings{"max_query_size": maxQuerySize}

// settings are base with the statement's thread bound (max_threads) when one is set.
func (s *chStore) settings(base clickhouse.Settings) clickhouse.Settings {
	if s.threads <= 0 {
		return base
	}
	out := clickhouse.Settings{"max_threads": s.threads}
	for k, v := range base {
		out[k] = v
	}
	return out
}

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
	threads  int           // max_threads of the counts and erasures; 0: the server's default
	hx       *httpExporter // exports over HTTP for http(s) endpoints (export_http.go); nil otherwise

	capMu   sync.Mutex
	capable map[string]capability // patchCapable's answers per storage table

	colsMu sync.Mutex
	cols   map[string][]clickhouse.ColumnNameAndType // prepare's columns per INSERT statement
}

// prepare is PrepareBatch without a DESCRIBE TABLE before every insert: over HTTP clickhouse-go
// describes the table to learn the column types unless they are given, and each DESCRIBE is one
// more statement beside ingest and erasure (an accept round stored its requests with four
// statements instead of two). The types
// of the first batch's columns are kept per statement; an insert that fails forgets them (a
// migration may have changed a type), so the next one describes the table again.
func (s *chStore) prepare(ctx context.Context, stmt string) (driver.Batch, error) {
	s.colsMu.Lock()
	cols, ok := s.cols[stmt]
	s.colsMu.Unlock()
	if ok {
		ctx = clickhouse.Context(ctx, clickhouse.WithColumnNamesAndTypes(cols))
	}
	b, err := s.conn.PrepareBatch(ctx, stmt)
	if err != nil || ok {
		return b, err
	}
	for _, c := range b.Columns() {
		cols = append(cols, clickhouse.ColumnNameAndType{Name: c.Name(), Type: string(c.Type())})
	}
	s.colsMu.Lock()
	if s.cols == nil {
		s.cols = map[string][]clickhouse.ColumnNameAndType{}
	}
	s.cols[stmt] = cols
	s.colsMu.Unlock()
	return b, nil
}

// sent is batch.Send, forgetting stmt's column types when it fails.
func (s *chStore) sent(stmt string, batch driver.Batch) error {
	err := batch.Send()
	if err != nil {
		s.colsMu.Lock()
		delete(s.cols, stmt)
		s.colsMu.Unlock()
	}
	return err
}

func (s *chStore) query(ctx context.Context, q string, args []any, scan func(driver.Rows) error) error {
	return s.queryWithin(ctx, s.timeout, q, args, scan)
}

// queryWithin is query bounded by d.
func (s *chStore) queryWithin(ctx context.Context, d time.Duration, q string, args []any, scan func(driver.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		if noTable(err) || leaseColumnsMissing(err) {
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
		r.Attempts, time.UnixMilli(r.AcceptedAt).UTC(), finished, r.Receipt, time.UnixMilli(r.version).UTC(), r.Owner, time.UnixMilli(r.LeaseUntil).UTC())
}

// insertRequests stores a version of each request in one insert.
func (s *chStore) insertRequests(ctx context.Context, reqs []request) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	batch, err := s.prepare(ctx, s.sql.insertRequest)
	if err != nil {
		return err
	}
	defer func() { _ = batch.Close() }()
	for i := range reqs {
		r := &reqs[i]
		var finished *time.Time
		if r.FinishedAt > 0 {
			t := time.UnixMilli(r.FinishedAt).UTC()
			finished = &t
		}
		if err := batch.Append(r.Tenant, r.ID, r.Subject, r.UserID, r.Status, r.Reason, r.Actor,
			r.Attempts, time.UnixMilli(r.AcceptedAt).UTC(), finished, r.Receipt, time.UnixMilli(r.version).UTC(), r.Owner, time.UnixMilli(r.LeaseUntil).UTC()); err != nil {
			return err
		}
	}
	return s.sent(s.sql.insertRequest, batch)
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
	batch, err := s.prepare(ctx, stmt)
	if err != nil {
		return err
	}
	defer func() { _ = batch.Close() }()
	if err := batch.Append(values...); err != nil {
		return err
	}
	return s.sent(stmt, batch)
}

func scanRequest(rows driver.Rows) (request, error) {
	var r request
	err := rows.Scan(&r.Tenant, &r.ID, &r.Subject, &r.UserID, &r.Status, &r.Reason, &r.Actor, &r.Attempts,
		&r.AcceptedAt, &r.FinishedAt, &r.Receipt, &r.version, &r.Owner, &r.LeaseUntil)
	r.persisted = true
	if r.open() && r.Receipt != "" {
		var p progress
		if json.Unmarshal([]byte(r.Receipt), &p) == nil {
			r.From, r.To, r.EventID = p.From, p.To, p.EventID
		}
	}
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

// openRequestsOf are the open requests of tenant's subjects (the oldest per subject), from
// whichever collector accepted them.
func (s *chStore) openRequestsOf(ctx context.Context, tenant string, subjects []string) (map[string]*request, error) {
	out := map[string]*request{}
	err := s.query(ctx, s.sql.openRequestsOf, []any{tenant, subjects}, func(rows driver.Rows) error {
		r, err := scanRequest(rows)
		if _, seen := out[r.Subject]; !seen && err == nil {
			out[r.Subject] = &r
		}
		return err
	})
	if errors.Is(err, errNoTable) {
		return out, nil
	}
	return out, err
}

// insertSuppressions stores entries in one insert (none: nothing).
func (s *chStore) insertSuppressions(ctx context.Context, entries []suppression.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	batch, err := s.prepare(ctx, s.sql.insertSuppression)
	if err != nil {
		return err
	}
	defer func() { _ = batch.Close() }()
	now := time.Now().UTC()
	for _, e := range entries {
		var lifted *time.Time
		if e.Lifted > 0 {
			t := time.UnixMilli(e.Lifted).UTC()
			lifted = &t
		}
		if err := batch.Append(e.Tenant, e.Subject, e.RequestID, time.UnixMilli(e.Since).UTC(), lifted, now); err != nil {
			return err
		}
	}
	return s.sent(s.sql.insertSuppression, batch)
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

// count returns the rows of each owner (request id) of f that t holds now; stored counts them with
// patches and deleted masks not applied (rows erased but not yet purged count too).
func (s *chStore) count(ctx context.Context, t *target, tenant string, f *forms, stored bool) (map[string]uint64, error) {
	var (
		q, tq string
		args  []any
	)
	switch {
	case t.split() && stored:
		q, args, tq = t.idsCountStored, t.idsCountArgs(tenant, f), t.textCountStored
	case t.split():
		q, args, tq = t.idsCount, t.idsCountArgs(tenant, f), t.textCount
	case stored:
		q, args = t.countStored, t.countArgs(tenant, f)
	default:
		q, args = t.count, t.countArgs(tenant, f)
	}
	if !stored && t.joinCount != "" && len(f.ids) > 2*splitUsers {
		q, args = t.joinCount, t.joinCountArgs(tenant, f)
	}
	out := map[string]uint64{}
	// Bounded like the erasure's statements (mutation_timeout), not like a read of the API
	// (timeout): a batch's count reads as many rows as its DELETE, and one that always runs into
	// the shorter bound would be retried for ever.
	run := func(q string, args []any) error {
		return s.queryWithin(clickhouse.Context(ctx, clickhouse.WithSettings(s.settings(bigQuery))), max(s.timeout, s.mutation), q, args, func(rows driver.Rows) error {
			var (
				owner string
				n     uint64
			)
			err := rows.Scan(&owner, &n)
			out[owner] += n
			return err
		})
	}
	// The halves of a split table count disjoint rows (the text half only rows the subject index
	// does not name), so their sums are the rows of each request.
	err := run(q, args)
	if err == nil && tq != "" {
		err = run(tq, t.textCountArgs(tenant, f))
	}
	if err != nil {
		return nil, fmt.Errorf("count in %s: %w", t.name, err)
	}
	return out, nil
}

// Erasure mechanisms, named in receipts.
const (
	mechanismPatchParts  = "patch_parts"
	mechanismLightweight = "lightweight_delete"
)

// patchSettings make a DELETE write patch parts (a lightweight update) instead of a mutation.
var patchSettings = clickhouse.Settings{"lightweight_delete_mode": "lightweight_update_force", "mutations_sync": 0, "lightweight_deletes_sync": 0, "max_query_size": maxQuerySize}

// classicSettings are the classic lightweight DELETE (a mutation updating the _row_exists mask).
var classicSettings = clickhouse.Settings{"lightweight_delete_mode": "alter_update"}

// codeSupportDisabled is what a patch-part DELETE answers on a table without block number columns.
const (
	codeSupportDisabled = 344
	codeUnknownSetting  = 115
)

// patchCapableTTL is how long a table's answer is reused: settings change rarely, and a patch-part
// DELETE refused meanwhile falls back anyway (erase).
const patchCapableTTL = time.Minute

type capability struct {
	ok bool
	at time.Time
}

// patchCapable reports whether the storage table has the settings lightweight updates need.
func (s *chStore) patchCapable(ctx context.Context, table string) (bool, error) {
	s.capMu.Lock()
	c, ok := s.capable[table]
	s.capMu.Unlock()
	if ok && time.Since(c.at) < patchCapableTTL {
		return c.ok, nil
	}
	yes, err := s.readPatchCapable(ctx, table)
	if err == nil {
		s.capMu.Lock()
		if s.capable == nil {
			s.capable = map[string]capability{}
		}
		s.capable[table] = capability{ok: yes, at: time.Now()}
		s.capMu.Unlock()
	}
	return yes, err
}

func (s *chStore) readPatchCapable(ctx context.Context, table string) (bool, error) {
	var create string
	// A worker's statement: on the embedded engine it waits behind the batch's long statements.
	err := s.queryWithin(ctx, max(s.timeout, s.mutation), s.sql.tableSettings, []any{s.sql.schema.Database(), table}, func(rows driver.Rows) error { return rows.Scan(&create) })
	if err != nil {
		return false, err
	}
	return strings.Contains(create, "enable_block_number_column = 1") && strings.Contains(create, "enable_block_offset_column = 1"), nil
}

// erase erases the rows of the batch's forms f from t (a data table: the subject index's half, then
// the free text's) by patch parts when want says so, falling back to the classic lightweight
// DELETE when the engine refuses; it returns the mechanism that ran and why it fell back.
func (s *chStore) erase(ctx context.Context, t *target, want, tenant string, f *forms) (string, string, error) {
	if !t.split() {
		return s.eraseWith(ctx, t, want, t.deleteSQL, t.deleteArgs(tenant, f)...)
	}
	mech, why, err := s.eraseWith(ctx, t, want, t.idsDelete, t.idsDeleteArgs(tenant, f)...)
	if err != nil {
		return mech, why, err
	}
	mech2, why2, err := s.eraseWith(ctx, t, mech, t.textDelete, t.textDeleteArgs(tenant, f)...)
	if mech2 != mech {
		return mech2, why2, err
	}
	return mech, why, err
}

func (s *chStore) eraseWith(ctx context.Context, t *target, want, stmt string, args ...any) (string, string, error) {
	if want == mechanismPatchParts {
		pctx, cancel := context.WithTimeout(ctx, s.mutation)
		err := s.conn.Exec(clickhouse.Context(pctx, clickhouse.WithSettings(s.settings(patchSettings))), stmt, args...)
		cancel()
		if err == nil {
			return mechanismPatchParts, "", nil
		}
		code, ok := chschema.ErrorCode(err)
		if !ok || (code != codeSupportDisabled && code != codeUnknownSetting) {
			return "", "", err
		}
		return mechanismLightweight, "patch parts refused: " + err.Error(), s.mutateWith(ctx, classicSettings, t.storage, stmt, args...)
	}
	return mechanismLightweight, "", s.mutateWith(ctx, classicSettings, t.storage, stmt, args...)
}

// erasedPartitions are the partition ids of table holding patch parts or deleted-masked rows.
func (s *chStore) erasedPartitions(ctx context.Context, table string) ([]string, error) {
	var out []string
	err := s.query(ctx, s.sql.erasedPartitions, []any{s.sql.schema.Database(), table}, func(rows driver.Rows) error {
		var p string
		err := rows.Scan(&p)
		out = append(out, p)
		return err
	})
	return out, err
}

// mutate runs a DELETE or ALTER on table (its storage name) and waits until its mutation is done.
func (s *chStore) mutate(ctx context.Context, table, stmt string, args ...any) error {
	return s.mutateWith(ctx, nil, table, stmt, args...)
}

// mutateWith is mutate with extra settings for the statement.
func (s *chStore) mutateWith(ctx context.Context, extra clickhouse.Settings, table, stmt string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, s.mutation)
	defer cancel()
	with := func(base clickhouse.Settings) context.Context {
		set := s.settings(clickhouse.Settings{})
		for k, v := range base {
			set[k] = v
		}
		for k, v := range extra {
			set[k] = v
		}
		return clickhouse.Context(ctx, clickhouse.WithSettings(set))
	}
	if s.cluster {
		return s.conn.Exec(with(syncSettings), stmt, args...)
	}
	if err := s.conn.Exec(with(asyncSettings), stmt, args...); err != nil {
		return err
	}
	return s.awaitMutations(ctx, table)
}

// awaitMutations waits until table has no unfinished mutation (single server: cluster mode's
// statements return when their mutations are done).
func (s *chStore) awaitMutations(ctx context.Context, table string) error {
	if s.cluster {
		return nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.mutation)
		defer cancel()
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
		// A mutation that is not done at once rewrites parts for seconds: each poll is a
		// statement beside the ingest, so wait longer each time.
		poll = min(2*poll, maxMutationPoll)
	}
}

// maxMutationPoll bounds the wait between two reads of system.mutations.
const maxMutationPoll = 2 * time.Second

// eventExists reports whether tenant has a stored (readable) event of that id.
func (s *chStore) eventExists(ctx context.Context, tenant, id string) (bool, error) {
	var n uint64
	err := s.query(ctx, s.sql.findEvent, []any{tenant, id}, func(rows driver.Rows) error { return rows.Scan(&n) })
	if errors.Is(err, errNoTable) {
		return false, nil
	}
	return n > 0, err
}
