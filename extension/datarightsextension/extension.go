package datarightsextension

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/datarightsextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/fleetstore"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// dataRights is the extension: routes, the deletion worker and the suppression list.
type dataRights struct {
	cfg    *Config
	set    component.TelemetrySettings
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder

	list  *suppression.List
	store *chStore
	// leases is the store of the requests' leases (lease.go): store, or a fake in unit tests.
	leases leaseStore
	// writeMu serializes the versions of open requests this collector stores (update, finish and the
	// lease renewals), so no copy taken before a change is stored with a later version.
	writeMu sync.Mutex
	journal *journal // requests waiting for ClickHouse (journal.go); nil without journal_directory
	// regions are the residency regions' stores of the data tables (residency.go).
	regions map[string]*chStore
	now     func() time.Time

	mu     sync.Mutex
	byID   map[string]*request // requests this collector accepted or resumed
	active map[string]*request // open request per tenant + "\x00" + subject
	queue  []*request
	wake   chan struct{}
	// incoming are the requests between their DELETE's arrival and the queue (their accept round):
	// a batch whose window closes meanwhile waits for them (nextBatch).
	incoming map[*request]struct{}
	// accepts feeds the accept loop (accept.go); nil when it does not run (tests of the handlers).
	accepts chan *acceptJob
	// stopping is closed when Shutdown begins: waiting handlers stop waiting for the accept loop.
	stopping chan struct{}
	// erasing counts the batches in an erasing attempt (completions yield to them, worker.go).
	erasing atomic.Int32
	// traceSteps are the batches (by their first request's id) erased whose trace-id lookup rows
	// their completion has not yet counted and scheduled for deletion: the purge waits for them,
	// as those rows are found through the erased spans, which the purge removes (worker.go).
	traceSteps map[string]bool
	// acceptRounds counts the accept loop's rounds (each one lookup per tenant and two inserts).
	acceptRounds atomic.Int64

	purger purger
	// forgetters are the extensions caching consents (the consent extension): a user's erasure
	// drops their cached consents at once, so /consent/status never answers from a stale cache.
	forgetters []userForgetter

	// refresher reads the suppressions other collectors add (fleetstore's schedule).
	refresher *fleetstore.Refresher
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

var _ suppression.Provider = (*dataRights)(nil)

// userForgetter is an extension holding a user's state in memory that an erasure must drop.
type userForgetter interface{ ForgetUser(tenant, user string) }

// forget drops the user from every forgetter.
func (x *dataRights) forget(tenant, user string) {
	for _, f := range x.forgetters {
		f.ForgetUser(tenant, user)
	}
}

func newExtension(cfg *Config, set component.TelemetrySettings) *dataRights {
	return &dataRights{cfg: cfg, set: set, logger: set.Logger, now: time.Now}
}

// SuppressionList is read by the consent processor and the telemetry_storage exporter
// (suppression.FromHost); nil before Start.
func (x *dataRights) SuppressionList() *suppression.List { return x.list }

// Dependencies makes the collector start the telemetry API extension first.
func (x *dataRights) Dependencies() []component.ID { return []component.ID{x.cfg.APIExtension} }

func (x *dataRights) Start(ctx context.Context, host component.Host) error {
	reg, err := telemetryapi.GetRegistry(host, x.cfg.APIExtension)
	if err != nil {
		return fmt.Errorf("api_extension: %w", err)
	}
	sqls, err := newStatements(x.cfg.Storage.Database, x.cfg.ClusterName)
	if err != nil {
		return err
	}
	opt, err := x.cfg.Storage.ClientOptions()
	if err != nil {
		return err
	}
	keepConnections(opt)
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return fmt.Errorf("storage::endpoint: %w", err)
	}
	list, err := suppression.NewList([]byte(x.cfg.HashKey))
	if err != nil {
		return errors.Join(err, conn.Close())
	}
	hx, err := newHTTPExporter(x.cfg.Storage)
	if err != nil {
		return errors.Join(fmt.Errorf("storage::endpoint: %w", err), conn.Close())
	}
	x.store = &chStore{conn: conn, sql: sqls, timeout: x.cfg.Storage.Timeout, mutation: x.cfg.MutationTimeout, threads: x.cfg.MaxThreads, cluster: x.cfg.ClusterName != "", hx: hx}
	if x.regions, err = openRegions(x.cfg); err != nil {
		return errors.Join(err, conn.Close())
	}
	// A failed start closes every connection it opened, the regions' too (each runs a goroutine).
	closeAll := func() error { return errors.Join(conn.Close(), closeRegions(x.regions)) }
	x.byID, x.active, x.wake = map[string]*request{}, map[string]*request{}, make(chan struct{}, 1)
	x.incoming = map[*request]struct{}{}
	x.accepts, x.stopping = make(chan *acceptJob, maxAcceptRound), make(chan struct{})
	tel, err := metadata.NewTelemetryBuilder(x.set, func() int64 { return int64(list.Len()) })
	if err != nil {
		return errors.Join(err, closeAll())
	}
	x.tel = tel
	// Fail closed like the consent store: a collector that cannot read the suppression list would
	// store the data of users whose deletion was ordered.
	x.list = list
	x.refresher = fleetstore.NewRefresher(fleetstore.Schedule{Interval: x.cfg.Sync.RefreshInterval, Lookback: x.cfg.Sync.Lookback},
		x.read, func() time.Time { return x.now() })
	if err := x.refresher.Full(ctx); err != nil {
		x.list = nil
		tel.Shutdown()
		return errors.Join(fmt.Errorf("load the suppression list: %w", err), closeAll())
	}
	open, err := x.store.openRequests(ctx)
	if err != nil {
		tel.Shutdown()
		return errors.Join(fmt.Errorf("load open deletion requests: %w", err), closeAll())
	}
	// This instance's open requests resume at once (a restart) while their lease runs: no other
	// collector takes them meanwhile. Another collector's stay with it while its lease is renewed.
	// Expired ones, this instance's too (released at a graceful stop, or down longer than the
	// lease), are taken over by the lease loop's first round, conditionally: another collector may
	// be taking them at the same moment.
	resumed, now := 0, x.now().UnixMilli()
	for _, r := range open {
		switch leaseOf(r, x.cfg.Instance, now) {
		case leaseMine:
			if r.LeaseUntil <= now {
				continue
			}
			x.enqueue(r)
			resumed++
			x.logger.Info("resuming deletion request", zap.String("request_id", r.ID), zap.String("tenant", r.Tenant), zap.String("status", r.Status))
		case leaseAlive:
			x.logger.Info("deletion request left to its owner", zap.String("request_id", r.ID), zap.String("owner", r.Owner),
				zap.Time("lease_until", time.UnixMilli(r.LeaseUntil).UTC()))
		}
	}
	if err := x.replayJournal(ctx); err != nil {
		tel.Shutdown()
		return errors.Join(err, closeAll())
	}
	for _, ext := range host.GetExtensions() {
		if f, ok := ext.(userForgetter); ok {
			x.forgetters = append(x.forgetters, f)
		}
	}
	if err := reg.Register(x.routes()...); err != nil {
		tel.Shutdown()
		return errors.Join(fmt.Errorf("register data-rights endpoints: %w", err), closeAll())
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	x.wg.Add(4)
	go func() { defer x.wg.Done(); x.acceptLoop(loopCtx) }()
	go func() { defer x.wg.Done(); x.leaseLoop(loopCtx) }()
	go func() { defer x.wg.Done(); x.work(loopCtx) }()
	go func() { defer x.wg.Done(); x.purgeLoop(loopCtx) }()
	x.refresher.Start(func(err error) {
		x.logger.Warn("suppression refresh failed; enforcing the last known list", zap.Error(err))
	})
	x.logger.Info("data-rights endpoints registered", zap.Int("suppressed_subjects", list.Len()), zap.Int("resumed_requests", resumed),
		zap.String("instance", x.cfg.Instance), zap.Duration("lease", x.cfg.Lease))
	return nil
}

func (x *dataRights) Shutdown(ctx context.Context) error {
	if x.cancel == nil {
		return nil
	}
	close(x.stopping)
	x.cancel()
	x.refresher.Stop()
	x.wg.Wait()
	x.releaseLeases(ctx)
	x.cancel = nil
	x.tel.Shutdown()
	return errors.Join(x.store.conn.Close(), closeRegions(x.regions))
}

// replayJournal enqueues the requests a previous run accepted but could not store.
func (x *dataRights) replayJournal(ctx context.Context) error {
	j, err := newJournal(x.cfg.JournalDirectory)
	if err != nil || j == nil {
		return err
	}
	x.journal = j
	entries, err := j.load()
	if err != nil {
		return fmt.Errorf("journal_directory: %w", err)
	}
	for _, e := range entries {
		if _, known := x.byID[e.ID]; known {
			continue
		}
		stored, err := x.store.getRequest(ctx, e.Tenant, e.ID)
		if err != nil {
			return fmt.Errorf("replay the journal: %w", err)
		}
		if stored != nil {
			continue
		}
		r := &request{Tenant: e.Tenant, ID: e.ID, Subject: e.Subject, UserID: e.UserID, Actor: e.Actor, Status: statusPending, AcceptedAt: e.AcceptedAt,
			From: e.From, To: e.To, EventID: e.EventID, Owner: x.cfg.Instance}
		if r.ranged() || r.event() {
			r.Receipt = progressJSON(progress{From: r.From, To: r.To, EventID: r.EventID})
		}
		if r.suppresses() {
			x.list.Put(suppression.Entry{Tenant: r.Tenant, Subject: r.Subject, RequestID: r.ID, Since: r.AcceptedAt})
		}
		x.enqueue(r)
		x.logger.Info("resuming deletion request from the journal", zap.String("request_id", r.ID), zap.String("tenant", r.Tenant))
	}
	x.syncJournal()
	return nil
}

// enqueue registers an open request and wakes the worker.
func (x *dataRights) enqueue(r *request) {
	x.mu.Lock()
	x.byID[r.ID] = r
	x.active[r.key()] = r
	x.queue = append(x.queue, r)
	x.mu.Unlock()
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// read is the refresher's ReadFunc: at start (since zero) the whole suppression list; then the
// suppressions other collectors added and the consent grants that lift them.
func (x *dataRights) read(ctx context.Context, since time.Time) error {
	if since.IsZero() {
		entries, err := x.store.suppressionsSince(ctx, 0)
		if err != nil {
			return err
		}
		x.list.Put(entries...)
		return nil
	}
	sinceMs := since.UnixMilli()
	entries, err := x.store.suppressionsSince(ctx, sinceMs)
	if err != nil {
		return err
	}
	var changed []suppression.Entry
	for _, e := range entries {
		if old, ok := x.list.Get(e.Tenant, e.Subject); !ok || old != e {
			changed = append(changed, e)
		}
	}
	x.list.Put(changed...)
	return x.liftOnGrant(ctx, sinceMs)
}

// liftOnGrant applies the documented rule: an explicit consent grant after the suppression began
// (a new relationship) lifts it for records from the grant on.
func (x *dataRights) liftOnGrant(ctx context.Context, since int64) error {
	if x.list.Empty() {
		return nil
	}
	grants, err := x.store.grantsSince(ctx, since)
	if err != nil {
		return err
	}
	for _, g := range grants {
		e, ok := x.list.Get(g.tenant, x.list.Subject(g.user))
		if !ok || e.Lifted != 0 || g.at <= e.Since {
			continue
		}
		if x.isActive(g.tenant, e.Subject) {
			continue // the running deletion erases that grant too; lift after it
		}
		e.Lifted = g.at
		if err := x.store.insertSuppression(ctx, e); err != nil {
			return err
		}
		x.list.Put(e)
		x.logger.Info("suppression lifted by a consent grant", zap.String("tenant", e.Tenant), zap.String("subject", e.Subject))
	}
	return nil
}

func (x *dataRights) isActive(tenant, subject string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.active[tenant+"\x00"+subject]
	return ok
}

// keepConnections keeps a connection per table idle between batches: a batch's statements run on
// up to every table at once (eachTable), and over HTTP each new connection costs a handshake query.
func keepConnections(opt *clickhouse.Options) {
	opt.MaxIdleConns = max(opt.MaxIdleConns, len(targetDefs)+1)
	opt.MaxOpenConns = max(opt.MaxOpenConns, opt.MaxIdleConns+5)
}
