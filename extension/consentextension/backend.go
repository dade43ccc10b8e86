package consentextension

import (
	"context"
	"errors"
)

// row is one consent row as stored: purpose and status by name.
type row struct {
	tenant, user, purpose, status string
	source, policyVersion         string
	updated                       int64 // unix milliseconds
}

// historyRow is one change for telemetry_consent_history; its row also goes to telemetry_consents.
type historyRow struct {
	row
	previous Status
	actor    string
	reason   string
}

// backend persists consents. The store only needs these three operations, so tests use a fake and
// production uses ClickHouse.
type backend interface {
	// load calls fn for every row changed at or after sinceMs, or for the latest state of every key
	// when full. It returns errNoTable when the consent table does not exist yet.
	load(ctx context.Context, full bool, sinceMs int64, fn func(row)) error
	// write stores the changes in the history and the current-state table.
	write(ctx context.Context, changes []historyRow) error
	close() error
}

// errNoTable: the schema is not created yet (the storage exporter creates it), so there are no
// consent records.
var errNoTable = errors.New("consent table does not exist")

// memoryBackend keeps nothing: without storage::endpoint the store is memory-only (development).
type memoryBackend struct{}

func (memoryBackend) load(context.Context, bool, int64, func(row)) error { return nil }
func (memoryBackend) write(context.Context, []historyRow) error          { return nil }
func (memoryBackend) close() error                                       { return nil }
