// Package fleetstore is the one mechanism by which what tenants administer at run time (API keys,
// privacy policies) reaches every collector of a fleet: versioned records written through to
// ClickHouse (chschema's telemetry_admin_state) and read back by each collector every
// refresh_interval, so a change made through any gateway is in effect on all of them within
// refresh_interval plus one query.
//
// Refresher is the refresh schedule itself; the consent store and the suppression list, which keep
// their own tables and in-memory forms, run on it too.
//
// Readers never touch the store on a hot path: users subscribe to a kind and rebuild their own
// immutable snapshot (a map behind an atomic pointer) when a newer record arrives.
package fleetstore // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// schemaGrace is how long after start a missing database or table is expected (the storage
// exporter migrates after extensions start) rather than worth a warning.
const schemaGrace = time.Minute

// Record is one version of one administered object. Body is the object's JSON; it never holds a
// secret (keys are stored as digests).
type Record struct {
	Kind    string
	Tenant  string
	ID      string
	Version uint64
	Deleted bool
	Body    []byte
	// Actor is the key id that made the change.
	Actor     string
	UpdatedAt time.Time
}

// Key identifies an object.
type Key struct{ Kind, Tenant, ID string }

// KeyOf returns the key of r.
func (r Record) KeyOf() Key { return Key{r.Kind, r.Tenant, r.ID} }

// Backend keeps records (ClickHouse in production, memory in tests and without storage).
type Backend interface {
	Insert(ctx context.Context, r Record) error
	// Since returns the records updated at or after since (every record when since is zero).
	Since(ctx context.Context, since time.Time) ([]Record, error)
	// History returns the versions of one object, newest first, at most limit.
	History(ctx context.Context, k Key, limit int) ([]Record, error)
	Close() error
}

// Options tune the refresh.
type Options struct {
	// RefreshInterval between reads of changes. Default 1s.
	RefreshInterval time.Duration
	// Lookback is re-read on every refresh to catch records written by collectors whose clock is
	// behind or whose insert became visible late. Default 1m.
	Lookback time.Duration
	// FullReloadInterval re-reads everything (a safety net). Default 10m.
	FullReloadInterval time.Duration
}

func (o *Options) defaults() {
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = time.Second
	}
	if o.Lookback <= 0 {
		o.Lookback = time.Minute
	}
	if o.FullReloadInterval <= 0 {
		o.FullReloadInterval = 10 * time.Minute
	}
}

// Store caches the newest version of every record and tells subscribers about newer ones.
type Store struct {
	backend Backend
	opts    Options
	logger  *zap.Logger
	now     func() time.Time

	mu     sync.Mutex
	latest map[Key]Record
	subs   map[string][]func([]Record)
	loaded atomic.Bool // one refresh succeeded: readers may trust what they see

	refresher *Refresher
	closeOnce sync.Once
}

// New returns a store over backend; Start begins the refresh loop.
func New(backend Backend, opts Options, logger *zap.Logger) *Store {
	opts.defaults()
	s := &Store{
		backend: backend, opts: opts, logger: logger, now: time.Now,
		latest: map[Key]Record{}, subs: map[string][]func([]Record){},
	}
	s.refresher = NewRefresher(Schedule{Interval: opts.RefreshInterval, Lookback: opts.Lookback, FullReload: opts.FullReloadInterval},
		s.read, func() time.Time { return s.now() })
	return s
}

// read applies the records updated at or after since (every record when since is zero).
func (s *Store) read(ctx context.Context, since time.Time) error {
	recs, err := s.backend.Since(ctx, since)
	if err != nil {
		return err
	}
	s.apply(recs...)
	s.loaded.Store(true)
	return nil
}

// Subscribe calls fn with the records of kind that are newer than the ones known, in batches
// (at once with the records already known), from the refresh goroutine or the writer's. fn must
// be quick and must not call back into the store.
func (s *Store) Subscribe(kind string, fn func([]Record)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs[kind] = append(s.subs[kind], fn)
	var known []Record
	for _, r := range s.latest {
		if r.Kind == kind {
			known = append(known, r)
		}
	}
	if len(known) > 0 {
		fn(known)
	}
}

// Start loads what is stored, waiting at most firstLoad (so the pipelines usually start with the
// fleet's state), then refreshes every RefreshInterval until Shutdown in the background: a
// failure is logged and retried. Until a load succeeds Loaded is false and users fail closed.
func (s *Store) Start(firstLoad time.Duration) {
	ctx, cancelFirst := context.WithTimeout(context.Background(), firstLoad)
	firstErr := s.Refresh(ctx)
	cancelFirst()
	if firstErr != nil {
		s.logger.Warn("admin state: first load failed; failing closed until it succeeds (retried every refresh_interval)", zap.Error(firstErr))
	}
	var lastErr string
	started := time.Now()
	s.refresher.Start(func(err error) {
		switch {
		case chschema.NotCreatedYet(err) && time.Since(started) < schemaGrace:
			// A first start: the storage exporter's migration has not created the table yet.
			s.logger.Debug("admin state waits for the telemetry_storage schema migration", zap.Error(err))
		case err.Error() != lastErr:
			s.logger.Warn("admin state refresh failed; enforcing the last known state", zap.Error(err))
		}
		lastErr = err.Error()
	})
}

// Shutdown stops the loop and closes the backend; idempotent.
func (s *Store) Shutdown() error {
	var err error
	s.closeOnce.Do(func() {
		s.refresher.Stop()
		err = s.backend.Close()
	})
	return err
}

// Loaded reports whether one refresh has succeeded. Lock-free: hot paths ask it.
func (s *Store) Loaded() bool { return s.loaded.Load() }

// Refresh reads the changes since the last read (minus the lookback) and applies the newer ones;
// everything on the first read and every FullReloadInterval.
func (s *Store) Refresh(ctx context.Context) error { return s.refresher.Refresh(ctx) }

// apply keeps the newest version per key and notifies subscribers of each record that is newer.
func (s *Store) apply(recs ...Record) {
	sort.Slice(recs, func(i, j int) bool { return recs[i].Version < recs[j].Version })
	s.mu.Lock()
	defer s.mu.Unlock()
	newer := map[string][]Record{}
	for _, r := range recs {
		k := r.KeyOf()
		if cur, ok := s.latest[k]; ok && cur.Version >= r.Version {
			continue
		}
		s.latest[k] = r
		newer[r.Kind] = append(newer[r.Kind], r)
	}
	for kind, batch := range newer {
		for _, fn := range s.subs[kind] {
			fn(batch)
		}
	}
}

// ErrConflict is returned by Put when the stored version is not the expected one.
var ErrConflict = errors.New("the object was changed by someone else")

// Put writes r through to the backend and applies it here at once. When expect is not nil, the
// stored version (after a refresh, 0 for none) must equal *expect, else ErrConflict. Other
// collectors see r within one refresh interval.
func (s *Store) Put(ctx context.Context, r Record, expect *uint64) error {
	if expect != nil {
		// Read what other collectors wrote, so a lost update across the fleet is caught too
		// unless both writes fall within one refresh.
		if err := s.Refresh(ctx); err != nil {
			return err
		}
		cur, _ := s.Get(r.KeyOf())
		if cur.Version != *expect {
			return ErrConflict
		}
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = s.now()
	}
	if err := s.backend.Insert(ctx, r); err != nil {
		return err
	}
	s.apply(r)
	return nil
}

// Get returns the newest version of an object (deleted ones too: check Deleted).
func (s *Store) Get(k Key) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.latest[k]
	return r, ok
}

// List returns the newest version of every object of kind and tenant (every tenant when tenant is
// ""), deleted ones left out, ordered by id.
func (s *Store) List(kind, tenant string) []Record {
	s.mu.Lock()
	var out []Record
	for _, r := range s.latest {
		if r.Kind == kind && (tenant == "" || r.Tenant == tenant) && !r.Deleted {
			out = append(out, r)
		}
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Tenant != out[j].Tenant {
			return out[i].Tenant < out[j].Tenant
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// History returns the stored versions of one object, newest first.
func (s *Store) History(ctx context.Context, k Key, limit int) ([]Record, error) {
	return s.backend.History(ctx, k, limit)
}

// NextVersion is a version greater than every version of k known here and than the clock in
// microseconds, so versions from different collectors order by time.
func (s *Store) NextVersion(k Key) uint64 {
	v := uint64(s.now().UnixMicro())
	if cur, ok := s.Get(k); ok && cur.Version >= v {
		v = cur.Version + 1
	}
	return v
}
