package chschema

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Conn is the part of a clickhouse-go connection Migrate needs.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) error
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
}

// MigrateResult reports what Migrate changed.
type MigrateResult struct {
	// Applied are the versions this call applied (another collector may have
	// applied them concurrently too; that is harmless).
	Applied []uint32
	// TTLModified and TTLRemoved name the storage tables whose TTL changed.
	TTLModified []string
	TTLRemoved  []string
}

// Migrate brings the database to the latest version and the configured
// retention. It takes no lock, so several collectors may run it at once:
//
//   - every CREATE is IF NOT EXISTS ("already exists" from a race is ignored);
//   - the version row written after a migration has deterministic content and
//     schema_migrations is a ReplacingMergeTree keyed by version, so two
//     writers leave one logical row;
//   - a crash between the DDL and the version row only means the (idempotent)
//     DDL runs again on the next start;
//   - ALTER ... MODIFY TTL is idempotent and only issued when the live TTL
//     differs from the wanted one.
//
// A version recorded with a different checksum means a released migration
// was edited; Migrate refuses to continue rather than silently drift.
func (s *Schema) Migrate(ctx context.Context, conn Conn) (MigrateResult, error) {
	var res MigrateResult
	if err := execCreate(ctx, conn, s.createDatabase); err != nil {
		return res, fmt.Errorf("create database %s: %w", s.opts.Database, err)
	}
	if err := execCreate(ctx, conn, s.createMigrationsTable); err != nil {
		return res, fmt.Errorf("create %s: %w", MigrationsTable, err)
	}
	applied, err := s.applied(ctx, conn)
	if err != nil {
		return res, err
	}
	for _, m := range s.migrations {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return res, fmt.Errorf("migration %d (%s) is recorded with checksum %s but this build has %s: a released migration was modified",
					m.Version, m.Name, sum, m.Checksum)
			}
			continue
		}
		for _, stmt := range m.Statements {
			if err := execCreate(ctx, conn, stmt); err != nil {
				return res, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
		}
		if m.replace != nil {
			if err := s.replace(ctx, conn, m.replace); err != nil {
				return res, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
		}
		if err := conn.Exec(ctx, s.recordMigration, m.Version, m.Name, m.Checksum); err != nil {
			return res, fmt.Errorf("record migration %d: %w", m.Version, err)
		}
		res.Applied = append(res.Applied, m.Version)
	}
	if err := s.reconcileTTL(ctx, conn, &res); err != nil {
		return res, err
	}
	return res, nil
}

// execCreate runs an IF NOT EXISTS statement, treating the "already exists"
// a concurrent creator can still cause as success.
func execCreate(ctx context.Context, conn Conn, stmt string) error {
	err := conn.Exec(ctx, stmt)
	if code, ok := ErrorCode(err); ok && (code == CodeTableAlreadyExists || code == CodeDatabaseAlreadyExists) {
		return nil
	}
	return err
}

func (s *Schema) applied(ctx context.Context, conn Conn) (map[uint32]string, error) {
	rows, err := conn.Query(ctx, s.appliedMigrations)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", MigrationsTable, err)
	}
	defer rows.Close()
	out := map[uint32]string{}
	for rows.Next() {
		var (
			version        uint32
			name, checksum string
		)
		if err := rows.Scan(&version, &name, &checksum); err != nil {
			return nil, fmt.Errorf("read %s: %w", MigrationsTable, err)
		}
		out[version] = checksum
	}
	return out, rows.Err()
}

// reconcileTTL compares each storage table's live TTL (system.tables
// engine_full, which ClickHouse renders in the same canonical form as
// ttlClause) with the configured retention and alters the ones that differ.
func (s *Schema) reconcileTTL(ctx context.Context, conn Conn, res *MigrateResult) error {
	engines, err := s.liveEngines(ctx, conn)
	if err != nil {
		return err
	}
	for _, t := range s.Tables() {
		live, ok := engines[t.StorageName]
		if !ok {
			return fmt.Errorf("table %s.%s does not exist after migration", s.opts.Database, t.StorageName)
		}
		hasTTL := strings.Contains(live, " TTL ")
		switch {
		case t.ttl == "" && hasTTL:
			if err := conn.Exec(ctx, t.removeTTL); err != nil {
				return fmt.Errorf("remove TTL of %s: %w", t.StorageName, err)
			}
			res.TTLRemoved = append(res.TTLRemoved, t.StorageName)
		case t.ttl != "" && !containsClause(live, t.ttl):
			if err := conn.Exec(ctx, t.modifyTTL); err != nil {
				return fmt.Errorf("modify TTL of %s: %w", t.StorageName, err)
			}
			res.TTLModified = append(res.TTLModified, t.StorageName)
		}
	}
	slices.Sort(res.TTLModified)
	slices.Sort(res.TTLRemoved)
	return nil
}

// containsClause matches the clause as a whole, so "toIntervalDay(3)" does
// not match a live "toIntervalDay(30)".
func containsClause(engineFull, clause string) bool {
	i := strings.Index(engineFull, clause)
	if i < 0 {
		return false
	}
	rest := engineFull[i+len(clause):]
	return rest == "" || rest[0] == ' ' || rest[0] == ','
}

func (s *Schema) liveEngines(ctx context.Context, conn Conn) (map[string]string, error) {
	rows, err := conn.Query(ctx, s.tableEngines)
	if err != nil {
		return nil, fmt.Errorf("read system.tables: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			return nil, fmt.Errorf("read system.tables: %w", err)
		}
		out[name] = engine
	}
	return out, rows.Err()
}

// replace runs a table replacement from where it stands: the new table is created and swapped in
// while the live one has another engine; the old rows are copied and the old table dropped while
// it exists. A swap that fails because another collector swapped first is not an error, nor is a
// copy whose old table that collector dropped meanwhile (it copied the rows first).
func (s *Schema) replace(ctx context.Context, conn Conn, r *replaceStmts) error {
	engines, err := s.liveEngines(ctx, conn)
	if err != nil {
		return err
	}
	if !hasEngine(engines[r.storage], r.engine) {
		if err := execCreate(ctx, conn, r.create); err != nil {
			return fmt.Errorf("create the new %s: %w", r.storage, err)
		}
		if err := conn.Exec(ctx, r.swap); err != nil {
			again, rerr := s.liveEngines(ctx, conn)
			if rerr != nil || !hasEngine(again[r.storage], r.engine) {
				return fmt.Errorf("swap in the new %s: %w", r.storage, err)
			}
		}
		if engines, err = s.liveEngines(ctx, conn); err != nil {
			return err
		}
	}
	if r.front != "" {
		if err := conn.Exec(ctx, r.front); err != nil {
			return fmt.Errorf("alter the front of %s: %w", r.storage, err)
		}
	}
	if _, ok := engines[r.old]; !ok {
		return nil
	}
	if err := conn.Exec(ctx, r.copy); err != nil {
		// Collectors starting together all copy; the first to finish drops the old table under
		// the others' copies, whose error then depends on where their read stopped. The old table
		// gone means one copy completed: wait a little for that rather than read the error.
		for range 50 {
			again, rerr := s.liveEngines(ctx, conn)
			if _, still := again[r.old]; rerr == nil && !still {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
		return fmt.Errorf("copy %s into the new table: %w", r.old, err)
	}
	if err := conn.Exec(ctx, r.drop); err != nil {
		return fmt.Errorf("drop %s: %w", r.old, err)
	}
	return nil
}

// hasEngine reports whether a table's engine_full is engine, or its Replicated form.
func hasEngine(engineFull, engine string) bool {
	return strings.HasPrefix(engineFull, engine+" ") || strings.HasPrefix(engineFull, engine+"(") ||
		strings.HasPrefix(engineFull, "Replicated"+engine+"(")
}
