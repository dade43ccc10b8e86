package consentextension

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
)

// Store is the consent store: every consent of every tenant in memory, written through to
// ClickHouse and refreshed from it. The consent processor calls Check per record; the API
// handlers call Get and Update.
type Store struct {
	purposes []string
	index    map[string]uint8
	policy   Policy
	// tenants, when set, gives tenants their own default policy (tenantpolicy.go).
	tenants atomic.Pointer[tenantDefaults]

	erased  erasures
	cache   *cache
	backend backend
	logger  *zap.Logger
	tel     *metadata.TelemetryBuilder
	now     func() time.Time

	// userLocks serialise updates of one user, so each change's time is after the previous one and
	// its previous_status is exact.
	userLocks [64]sync.Mutex
	seed      maphash.Seed

	// refresher keeps the store in step with the fleet (fleetstore's schedule: changes every
	// refresh_interval, everything every full_reload_interval).
	refresher *fleetstore.Refresher
}

// Errors of Update.
var (
	// ErrStoreFull: max_entries is reached (answer 507).
	ErrStoreFull = errors.New("consent store is full (max_entries reached)")
	// ErrStorage: the change could not be stored in ClickHouse; nothing changed (answer 503).
	ErrStorage = errors.New("consent storage unavailable")
	// ErrUnknownPurpose: a purpose that is not configured.
	ErrUnknownPurpose = errors.New("unknown purpose")
)

func newStore(cfg *Config, b backend, logger *zap.Logger, tel *metadata.TelemetryBuilder) *Store {
	s := &Store{
		purposes: append([]string(nil), cfg.Purposes...),
		index:    make(map[string]uint8, len(cfg.Purposes)),
		policy:   cfg.policy(),
		cache:    newCache(cfg.MaxEntries),
		backend:  b,
		logger:   logger,
		tel:      tel,
		now:      time.Now,
		seed:     maphash.MakeSeed(),
	}
	for i, p := range cfg.Purposes {
		s.index[p] = uint8(i)
	}
	s.refresher = fleetstore.NewRefresher(fleetstore.Schedule{
		Interval: cfg.Sync.RefreshInterval, Lookback: cfg.Sync.Lookback, FullReload: cfg.Sync.FullReloadInterval,
	}, s.read, func() time.Time { return s.now() })
	return s
}

// Purposes returns the configured purposes; a purpose's index is its position.
func (s *Store) Purposes() []string { return append([]string(nil), s.purposes...) }

// PurposeIndex returns the index of a configured purpose, for Check.
func (s *Store) PurposeIndex(name string) (int, bool) {
	i, ok := s.index[name]
	return int(i), ok
}

// Policy is what applies to users without a record.
func (s *Store) Policy() Policy { return s.policy }

// Check decides whether data of user in tenant may be kept for purpose (an index from
// PurposeIndex). It neither allocates nor blocks on ClickHouse.
func (s *Store) Check(tenant, user string, purpose int) (bool, Reason) {
	st, incomplete := s.cache.lookup(tenant, user, uint8(purpose))
	return decide(st, s.policyFor(tenant), incomplete)
}

// Entries is the number of (tenant, user, purpose) entries in memory.
func (s *Store) Entries() int { return s.cache.entries() }

// PurposeState is the consent of one user for one purpose, as the API reports it.
type PurposeState struct {
	// Consented is the decision the consent processor applies.
	Consented bool `json:"consented"`
	// Status is granted, denied, withdrawn or none (no record).
	Status string `json:"status"`
	// DefaultApplies is true when there is no record and the default policy decides.
	DefaultApplies bool       `json:"default_applies"`
	UpdatedAt      *time.Time `json:"updated_at,omitempty"`
	Source         string     `json:"source,omitempty"`
	PolicyVersion  string     `json:"policy_version,omitempty"`
}

// UserConsent is the consent of one user for every purpose.
type UserConsent struct {
	Tenant        string                  `json:"tenant"`
	UserID        string                  `json:"user_id"`
	DefaultPolicy string                  `json:"default_policy"`
	Purposes      map[string]PurposeState `json:"purposes"`
}

// Get returns the user's consent as cached (the state the processor enforces).
func (s *Store) Get(tenant, user string) UserConsent {
	es := s.cache.get(tenant, user)
	_, incomplete := s.cache.lookup(tenant, user, 0)
	policy := s.policyFor(tenant)
	erasedAt, erased := s.erasedAt(tenant, user)
	out := UserConsent{Tenant: tenant, UserID: user, DefaultPolicy: policy.String(), Purposes: make(map[string]PurposeState, len(s.purposes))}
	for i, p := range s.purposes {
		ps := PurposeState{Status: StatusNone.String(), DefaultApplies: true}
		st := StatusNone
		for _, e := range es {
			if int(e.purpose) != i {
				continue
			}
			if erased && e.updated <= erasedAt {
				continue // erased with the user's data; a grant after the erasure stands
			}
			st = e.status
			t := time.UnixMilli(e.updated).UTC()
			ps = PurposeState{Status: st.String(), UpdatedAt: &t, Source: s.cache.strs.name(e.source), PolicyVersion: s.cache.strs.name(e.version)}
		}
		ps.Consented, _ = decide(st, policy, incomplete)
		out.Purposes[p] = ps
	}
	return out
}

// Forget drops the user's consents from this store's memory at once: the data-rights extension calls
// it when it accepts and completes the user's erasure (which deletes the rows in ClickHouse), so
// /consent/status does not answer from a cache the erasure has made stale.
func (s *Store) Forget(tenant, user string) { s.cache.forget(tenant, user) }

// Update is one consent change request.
type Update struct {
	Tenant, UserID string
	// Purposes maps a purpose to granted (true) or denied (false). Denying a granted purpose
	// records a withdrawal.
	Purposes      map[string]bool
	Source        string
	PolicyVersion string
	// Actor is who made the change (the API key id), for the history.
	Actor string
}

// Update stores the change in ClickHouse (history, then current state) and then in memory, and
// returns the new state. Nothing changes when ClickHouse refuses the write.
func (s *Store) Update(ctx context.Context, u Update) (UserConsent, error) {
	for p := range u.Purposes {
		if _, ok := s.index[p]; !ok {
			return UserConsent{}, fmt.Errorf("%w %q", ErrUnknownPurpose, p)
		}
	}
	lock := &s.userLocks[maphash.String(s.seed, u.Tenant+"\x00"+u.UserID)%uint64(len(s.userLocks))]
	lock.Lock()
	defer lock.Unlock()

	current := s.cache.get(u.Tenant, u.UserID)
	nowMs := s.now().UnixMilli()
	rows := make([]historyRow, 0, len(u.Purposes))
	changes := make([]change, 0, len(u.Purposes))
	added := 0
	for _, p := range s.purposes { // configuration order: deterministic history
		grant, ok := u.Purposes[p]
		if !ok {
			continue
		}
		idx := s.index[p]
		prev, at, found := StatusNone, nowMs, false
		for _, e := range current {
			if e.purpose == idx {
				prev, found = e.status, true
				// A change is always later than the one it replaces, even within a millisecond
				// or when the previous one came from a collector whose clock runs ahead.
				at = max(nowMs, e.updated+1)
			}
		}
		if !found {
			added++
		}
		st := StatusGranted
		if !grant {
			st = StatusDenied
			if prev == StatusGranted || prev == StatusWithdrawn {
				st = StatusWithdrawn
			}
		}
		c := change{tenant: u.Tenant, user: u.UserID, purpose: idx, status: st, updated: at, source: u.Source, policyVersion: u.PolicyVersion}
		changes = append(changes, c)
		rows = append(rows, historyRow{
			row: row{tenant: u.Tenant, user: u.UserID, purpose: p, status: st.String(), source: u.Source,
				policyVersion: u.PolicyVersion, updated: at},
			previous: prev, actor: u.Actor, reason: "api update",
		})
	}
	if !s.cache.fits(added) {
		return UserConsent{}, ErrStoreFull
	}
	if err := s.backend.write(ctx, rows); err != nil {
		s.logger.Error("consent update not stored", zap.String("tenant", u.Tenant), zap.Error(err))
		return UserConsent{}, fmt.Errorf("%w: %w", ErrStorage, err)
	}
	s.cache.apply(changes, nil)
	for _, c := range changes {
		s.tel.Updates.Add(ctx, 1, metric.WithAttributes(
			attribute.String("purpose", s.purposes[c.purpose]), attribute.String("status", c.status.String())))
	}
	return s.Get(u.Tenant, u.UserID), nil
}

// toChange converts a stored row; ok is false (and the result label says why) for rows this store
// cannot use.
func (s *Store) toChange(r row) (change, string, bool) {
	idx, ok := s.index[r.purpose]
	if !ok {
		return change{}, "unknown_purpose", false
	}
	st, ok := parseStatus(r.status)
	if !ok || r.user == "" {
		return change{}, "invalid", false
	}
	return change{tenant: r.tenant, user: r.user, purpose: idx, status: st, updated: r.updated, source: r.source, policyVersion: r.policyVersion}, "", true
}

// applyBatch is how many rows are applied under one write lock: large enough to be fast, small
// enough that record checks never wait long.
const applyBatch = 4096

// refresh reads changes since the last read minus the lookback and applies the newer ones.
func (s *Store) refresh(ctx context.Context) error { return s.refresher.Incremental(ctx) }

// reload builds a fresh table from the latest state of every key (see readAll).
func (s *Store) reload(ctx context.Context) error { return s.refresher.Full(ctx) }

// read is the refresher's ReadFunc: a zero since is a complete read.
func (s *Store) read(ctx context.Context, since time.Time) error {
	if since.IsZero() {
		return s.readAll(ctx)
	}
	return s.readSince(ctx, since.UnixMilli())
}

// readSince applies the changes at or after since (unix ms).
func (s *Store) readSince(ctx context.Context, since int64) error {
	var results [numApplyResults]int64
	skipped := map[string]int64{}
	buf := make([]change, 0, 64)
	err := s.backend.load(ctx, false, since, func(r row) {
		c, why, ok := s.toChange(r)
		if !ok {
			skipped[why]++
			return
		}
		buf = append(buf, c)
		if len(buf) == applyBatch {
			s.cache.apply(buf, &results)
			buf = buf[:0]
		}
	})
	s.cache.apply(buf, &results)
	s.recordRows(ctx, results, skipped)
	if err != nil && !errors.Is(err, errNoTable) {
		s.countRefresh(ctx, "incremental", err)
		return err
	}
	s.countRefresh(ctx, "incremental", nil)
	return nil
}

// readAll builds a fresh table from the latest state of every key, so consents deleted in
// ClickHouse disappear, and swaps it in without losing changes applied meanwhile.
func (s *Store) readAll(ctx context.Context) error {
	s.cache.beginReload()
	next := newTable()
	incomplete := false
	var results [numApplyResults]int64
	skipped := map[string]int64{}
	err := s.backend.load(ctx, true, 0, func(r row) {
		c, why, ok := s.toChange(r)
		if !ok {
			skipped[why]++
			return
		}
		res := next.apply(c, s.cache.strs.id(c.source), s.cache.strs.id(c.policyVersion), s.cache.max)
		if res == overflow {
			incomplete = true
		}
		results[res]++
	})
	if errors.Is(err, errNoTable) {
		s.logger.Info("consent tables do not exist yet (the storage exporter creates them); starting empty")
		err = nil
	}
	if err != nil {
		s.cache.finishReload(nil, false)
		s.countRefresh(ctx, "full", err)
		return err
	}
	s.cache.finishReload(next, incomplete)
	if incomplete {
		s.logger.Error("consent store reached max_entries: users without a cached record are treated as not consented",
			zap.Int("max_entries", s.cache.max))
	}
	s.recordRows(ctx, results, skipped)
	s.countRefresh(ctx, "full", nil)
	return nil
}

func (s *Store) recordRows(ctx context.Context, results [numApplyResults]int64, skipped map[string]int64) {
	for r, n := range results {
		if n > 0 {
			s.tel.RowsApplied.Add(ctx, n, metric.WithAttributes(attribute.String("result", applyResultNames[r])))
		}
	}
	for why, n := range skipped {
		s.tel.RowsApplied.Add(ctx, n, metric.WithAttributes(attribute.String("result", why)))
	}
}

func (s *Store) countRefresh(ctx context.Context, kind string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	s.tel.Refreshes.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind), attribute.String("result", result)))
}

// start loads every consent (failing if ClickHouse cannot be read, so a collector never enforces
// an empty store by mistake) and starts the refresh loop.
func (s *Store) start(ctx context.Context) error {
	if err := s.reload(ctx); err != nil {
		return fmt.Errorf("load consents: %w", err)
	}
	s.logger.Info("consent store loaded", zap.Int("entries", s.Entries()), zap.String("default_policy", s.policy.String()))
	s.refresher.Start(func(err error) {
		s.logger.Warn("consent refresh failed; enforcing the last known state", zap.Error(err))
	})
	return nil
}

func (s *Store) shutdown() error {
	s.refresher.Stop()
	return s.backend.close()
}
