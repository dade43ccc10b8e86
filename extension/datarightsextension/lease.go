package datarightsextension

import (
	"context"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// Leases: in a fleet (several collectors on one database) each open request names its owner, the
// collector instance running it (data_rights::instance), and how long it stays that collector's
// without a renewal (lease_until). The owner renews the leases of its open requests every lease/4
// (while they wait for the batch window, run long statements or wait execution_delay) from a
// goroutine of its own. At start a collector resumes the open requests it owns (a restart of the
// same instance: at once, as on a single collector) and leaves the others to their owners; every
// lease/4 each collector takes over the open requests whose lease has passed (an owner that died
// or was scaled down), so a request is never stranded and never run twice by a rolling update.
//
// Taking over is conditional: the taker writes itself as owner, waits settle, re-reads and backs
// off unless it is the stored owner, so two collectors taking over at once end with one owner.
// A collector that finds another owner on its renewal (it could not renew for longer than the
// lease, and another took over) lets the request go: it writes no more versions of it.

// leaseColumnsMissing reports a read of the requests before schema migration 55 added owner and
// lease_until: extensions start before the storage exporter migrates, so an upgraded collector
// reads them first. Read as "nothing stored yet": the start goes on, and the lease loop takes over
// the requests the previous version left open (no owner, lease 0) once the columns exist.
func leaseColumnsMissing(err error) bool {
	code, ok := chschema.ErrorCode(err)
	if !ok || (code != codeUnknownIdentifier && code != codeNoSuchColumn) {
		return false
	}
	msg := err.Error()
	for _, col := range []string{"owner", "lease_until"} {
		if strings.Contains(msg, "`"+col+"`") || strings.Contains(msg, "'"+col+"'") {
			return true
		}
	}
	return false
}

// ClickHouse's codes for a column the table does not have (yet).
const (
	codeNoSuchColumn      = 16
	codeUnknownIdentifier = 47
)

// leaseStore is what the lease needs of ClickHouse (chStore; a fake in unit tests).
type leaseStore interface {
	openRequests(ctx context.Context) ([]*request, error)
	getRequest(ctx context.Context, tenant, id string) (*request, error)
	insertRequests(ctx context.Context, reqs []request) error
}

func (x *dataRights) leaseStore() leaseStore {
	if x.leases != nil {
		return x.leases
	}
	return x.store
}

// leaseState is what a collector may do with a stored open request.
type leaseState int

const (
	leaseMine    leaseState = iota // this instance's: resume (at start) and renew
	leaseExpired                   // another's (or nobody's) whose lease has passed: take over
	leaseAlive                     // another collector's, renewed: leave it to its owner
)

// leaseOf decides for a stored open request r, at now (unix ms). Rows written before the lease
// existed have no owner and lease_until 0: expired.
func leaseOf(r *request, me string, now int64) leaseState {
	switch {
	case r.Owner == me:
		return leaseMine
	case r.LeaseUntil <= now:
		return leaseExpired
	}
	return leaseAlive
}

func (s leaseState) String() string {
	return [...]string{"mine", "expired", "alive"}[s]
}

// hold makes r this collector's with a fresh lease; call with x.mu held, before nextVersion.
func (x *dataRights) hold(r *request, now int64) {
	r.Owner, r.LeaseUntil = x.cfg.Instance, now+x.cfg.Lease.Milliseconds()
}

// held drops the requests another collector took over; call with x.mu held.
func held(reqs []*request) []*request {
	out := reqs[:0:0]
	for _, r := range reqs {
		if !r.lost {
			out = append(out, r)
		}
	}
	return out
}

// leaseEvery is the period of renewals and take-overs: lease/4 (at least every lease/3, with a
// margin for a slow round).
func (x *dataRights) leaseEvery() time.Duration { return x.cfg.Lease / 4 }

// settle is how long a taker waits before re-reading who owns what it took over: long enough for
// another taker's concurrent write to be visible.
func (x *dataRights) settle() time.Duration {
	return min(max(x.cfg.Lease/10, 500*time.Millisecond), 5*time.Second)
}

// leaseLoop renews and takes over, a first round right after start.
func (x *dataRights) leaseLoop(ctx context.Context) {
	tick := time.NewTicker(x.leaseEvery())
	defer tick.Stop()
	for {
		x.leaseRound(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// leaseRound reads the open requests once, renews this collector's and takes over the expired.
func (x *dataRights) leaseRound(ctx context.Context) {
	stored, err := x.leaseStore().openRequests(ctx)
	if err != nil {
		if ctx.Err() == nil {
			x.logger.Warn("deletion request leases: cannot read the open requests; retrying", zap.Error(err))
		}
		return
	}
	byID := make(map[string]*request, len(stored))
	for _, s := range stored {
		byID[s.ID] = s
	}
	if err := x.renew(ctx, byID); err != nil && ctx.Err() == nil {
		x.logger.Warn("deletion request leases: renewal failed; retrying", zap.Error(err))
	}
	x.takeOver(ctx, stored)
}

// renew stores a version with a fresh lease of every open request this collector runs; one whose
// stored owner is another collector (or that another collector finished) is let go.
func (x *dataRights) renew(ctx context.Context, stored map[string]*request) error {
	me := x.cfg.Instance
	x.mu.Lock()
	var mine, unseen []*request
	for _, r := range x.byID {
		if !r.open() || !r.persisted || r.lost || r.finishing {
			continue
		}
		if stored[r.ID] == nil {
			unseen = append(unseen, r)
		} else {
			mine = append(mine, r)
		}
	}
	x.mu.Unlock()
	// Not open in storage: stored since the read, or finished (by whoever now runs it).
	for _, r := range unseen {
		s, err := x.leaseStore().getRequest(ctx, r.Tenant, r.ID)
		if err != nil {
			return err
		}
		if s != nil {
			stored[r.ID] = s
			mine = append(mine, r)
		}
	}
	var keep []*request
	for _, r := range mine {
		if s := stored[r.ID]; s.open() && s.Owner == me {
			x.mu.Lock()
			r.version = max(r.version, s.version) // the next version is later than any stored
			x.mu.Unlock()
			keep = append(keep, r)
			continue
		}
		x.letGo(r, stored[r.ID])
	}
	if len(keep) == 0 {
		return nil
	}
	// One writer of this collector's versions at a time (update, finish): a renewal never stores a
	// copy of a request taken before a change with a version later than the change's.
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.Lock()
	now := x.now().UnixMilli()
	next := make([]request, 0, len(keep))
	for _, r := range keep {
		if !r.open() || r.lost || r.finishing {
			continue
		}
		x.hold(r, now)
		next = append(next, r.nextVersion(now))
	}
	x.mu.Unlock()
	if len(next) == 0 {
		return nil
	}
	return x.leaseStore().insertRequests(ctx, next)
}

// letGo stops running r here: another collector owns it now (s is the stored version).
func (x *dataRights) letGo(r, s *request) {
	x.mu.Lock()
	if r.finishing || !r.open() {
		x.mu.Unlock()
		return // finished here since the read: the stored version is this collector's final one
	}
	r.lost = true
	if x.active[r.key()] == r {
		delete(x.active, r.key())
	}
	if x.byID[r.ID] == r {
		delete(x.byID, r.ID) // its status is read from ClickHouse from now on
	}
	for i, q := range x.queue {
		if q == r {
			x.queue = append(x.queue[:i:i], x.queue[i+1:]...)
			break
		}
	}
	x.mu.Unlock()
	x.logger.Warn("deletion request taken over by another collector (this one could not renew its lease in time); it stops here",
		zap.String("request_id", r.ID), zap.String("tenant", r.Tenant), zap.String("owner", s.Owner), zap.String("status", s.Status))
}

// takeOver claims the stored open requests whose lease has passed and that it does not run, then
// keeps those it is still the owner of after settle.
func (x *dataRights) takeOver(ctx context.Context, stored []*request) {
	me := x.cfg.Instance
	x.mu.Lock()
	now := x.now().UnixMilli()
	var claims []request
	prev := map[string]string{}
	for _, s := range stored {
		if r := x.byID[s.ID]; r != nil && !r.lost {
			continue // running here
		}
		// Only an expired lease, this instance's too: one it does not run while its lease is renewed
		// is run by another process of the same name (a misconfiguration, or tests sharing a host).
		if s.LeaseUntil > now {
			continue
		}
		c := *s
		prev[c.ID] = c.Owner
		x.hold(&c, now)
		claims = append(claims, c.nextVersion(now))
	}
	x.mu.Unlock()
	if len(claims) == 0 {
		return
	}
	st := x.leaseStore()
	if err := st.insertRequests(ctx, claims); err != nil {
		if ctx.Err() == nil {
			x.logger.Warn("deletion request leases: cannot take over expired requests; retrying", zap.Int("requests", len(claims)), zap.Error(err))
		}
		return
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(x.settle()):
	}
	again, err := st.openRequests(ctx)
	if err != nil {
		if ctx.Err() == nil {
			x.logger.Warn("deletion request leases: cannot re-read the requests taken over; their leases expire again", zap.Error(err))
		}
		return
	}
	now2 := map[string]*request{}
	for _, s := range again {
		now2[s.ID] = s
	}
	for _, c := range claims {
		s := now2[c.ID]
		if s == nil {
			continue // finished meanwhile
		}
		if s.Owner != me {
			x.logger.Info("deletion request taken over by another collector at the same time; leaving it",
				zap.String("request_id", c.ID), zap.String("owner", s.Owner))
			continue
		}
		x.mu.Lock()
		if r := x.byID[s.ID]; r != nil && !r.lost {
			x.mu.Unlock()
			continue
		}
		x.mu.Unlock()
		x.enqueue(s)
		x.logger.Info("taking over deletion request (its owner's lease expired)", zap.String("request_id", s.ID), zap.String("tenant", s.Tenant),
			zap.String("previous_owner", prev[s.ID]), zap.String("status", s.Status))
	}
}

// ownedFinals are the finals of the batch's requests still this collector's (finish): a request
// another collector took over gets its receipt from that one.
func ownedFinals(batch []*request, finals []request) ([]request, []string) {
	var out []request
	var ids []string
	for i, r := range batch {
		if !r.lost {
			out = append(out, finals[i])
			ids = append(ids, r.ID)
		}
	}
	return out, ids
}

// storeFinals stores the finals of the batch's requests still this collector's and returns their
// ids (finish). The final version is written with no renewal in flight; if it fails, the requests
// are renewed again while the worker retries.
func (x *dataRights) storeFinals(ctx context.Context, batch []*request, finals []request) ([]string, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.Lock()
	owned, ids := ownedFinals(batch, finals)
	x.mu.Unlock()
	if len(owned) == 0 {
		return nil, nil
	}
	err := x.store.insertRequests(ctx, owned)
	if err != nil {
		x.mu.Lock()
		for _, r := range batch {
			r.finishing = false
		}
		x.mu.Unlock()
	}
	return ids, err
}

// releaseLeases ends the leases of the open requests this collector runs, on a graceful stop after
// the worker stopped: another collector takes them over at its next round (a scale-down) instead
// of after the lease; the same instance restarting resumes them at once anyway. Bounded: a stop
// with ClickHouse unreachable leaves the leases to run out.
func (x *dataRights) releaseLeases(ctx context.Context) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	x.mu.Lock()
	now := x.now().UnixMilli()
	var next []request
	for _, r := range x.byID {
		if !r.open() || !r.persisted || r.lost || r.finishing {
			continue
		}
		r.LeaseUntil = now
		next = append(next, r.nextVersion(now))
	}
	x.mu.Unlock()
	if len(next) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, min(x.cfg.Storage.Timeout, 5*time.Second))
	defer cancel()
	if err := x.leaseStore().insertRequests(ctx, next); err != nil {
		x.logger.Warn("deletion request leases: not released at shutdown; another collector takes the requests over when they expire",
			zap.Int("requests", len(next)), zap.Error(err))
		return
	}
	x.logger.Info("deletion request leases released at shutdown", zap.Int("requests", len(next)))
}
