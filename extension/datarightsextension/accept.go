package datarightsextension

import (
	"context"
	"errors"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// Accepting a request stores it (and its suppression entry) before the 202, after looking for an
// open request of the same subject another collector of the fleet accepted. On the embedded
// engine every statement runs after the previous one, so a thousand concurrent DELETEs would queue
// three thousand statements. The accept loop groups what arrives while a round is running: one
// lookup per tenant and two inserts per round, whatever the number of requests in it.

// maxAcceptRound bounds the requests of one round (the IN list of its lookup, its inserts).
const maxAcceptRound = 1000

// acceptJob is one request waiting to be stored.
type acceptJob struct {
	req   *request
	entry suppression.Entry
	// fleet: look for an open request of the subject in ClickHouse first (whole-user requests).
	fleet bool
	done  chan acceptResult
}

type acceptResult struct {
	theirs *request // the open request of the subject another collector accepted
	err    error    // storing failed: the request is accepted unstored (the worker retries)
}

var errStopping = errors.New("the data-rights extension is stopping")

// acceptWait bounds how long a DELETE waits for its round: an overloaded engine must not hold the
// answer past the API's write timeout. A request not stored by then is accepted unstored
// (persisted: false, journaled); its round still stores it, or the worker does.
const acceptWait = 5 * time.Second

var errSlow = errors.New("ClickHouse did not store the request within 5s")

// accept stores req (or finds another collector's open request of its subject), through the accept
// loop when it runs, else directly.
func (x *dataRights) accept(ctx context.Context, req *request, entry suppression.Entry, fleet bool) acceptResult {
	x.mu.Lock()
	if x.incoming != nil {
		x.incoming[req] = struct{}{} // until enqueueAccepted (or the other collector's answer)
	}
	x.mu.Unlock()
	if x.accepts == nil {
		return x.commitAccepts(ctx, []*acceptJob{{req: req, entry: entry, fleet: fleet}})[0]
	}
	j := &acceptJob{req: req, entry: entry, fleet: fleet, done: make(chan acceptResult, 1)}
	select {
	case x.accepts <- j:
	case <-x.stopping:
		return acceptResult{err: errStopping}
	case <-ctx.Done():
		return acceptResult{err: ctx.Err()}
	}
	timer := time.NewTimer(acceptWait)
	defer timer.Stop()
	select {
	case res := <-j.done:
		return res
	case <-timer.C:
		return acceptResult{err: errSlow}
	case <-x.stopping:
		return acceptResult{err: errStopping}
	case <-ctx.Done():
		return acceptResult{err: ctx.Err()}
	}
}

// acceptLoop runs rounds: the first waiting job and every job queued behind it.
func (x *dataRights) acceptLoop(ctx context.Context) {
	for {
		var jobs []*acceptJob
		select {
		case <-ctx.Done():
			return
		case j := <-x.accepts:
			jobs = append(jobs, j)
		}
	drain:
		for len(jobs) < maxAcceptRound {
			select {
			case j := <-x.accepts:
				jobs = append(jobs, j)
			default:
				break drain
			}
		}
		x.acceptRounds.Add(1)
		for i, res := range x.commitAccepts(ctx, jobs) {
			jobs[i].done <- res
		}
	}
}

// commitAccepts runs one round: the fleet lookups (one query per tenant), then one insert of the
// suppression entries and one of the requests not found elsewhere.
func (x *dataRights) commitAccepts(ctx context.Context, jobs []*acceptJob) []acceptResult {
	out := make([]acceptResult, len(jobs))
	byTenant := map[string][]int{}
	for i, j := range jobs {
		if j.fleet {
			byTenant[j.req.Tenant] = append(byTenant[j.req.Tenant], i)
		}
	}
	for tenant, idx := range byTenant {
		subjects := make([]string, len(idx))
		for k, i := range idx {
			subjects[k] = jobs[i].req.Subject
		}
		// Unreadable storage is no reason to refuse: the requests are accepted here.
		found, err := x.store.openRequestsOf(ctx, tenant, subjects)
		if err != nil {
			continue
		}
		for _, i := range idx {
			out[i].theirs = found[jobs[i].req.Subject]
		}
	}
	var (
		entries []suppression.Entry
		snaps   []request
		mine    []int
	)
	x.mu.Lock()
	now := x.now().UnixMilli()
	for i, j := range jobs {
		if out[i].theirs != nil {
			continue
		}
		if j.req.suppresses() {
			entries = append(entries, j.entry)
		}
		x.hold(j.req, now) // accepted here: this collector's (lease.go)
		snaps = append(snaps, j.req.nextVersion(now))
		mine = append(mine, i)
	}
	x.mu.Unlock()
	if len(mine) == 0 {
		return out
	}
	err := x.store.insertSuppressions(ctx, entries)
	if err == nil {
		err = x.store.insertRequests(ctx, snaps)
	}
	x.mu.Lock()
	for _, i := range mine {
		out[i].err = err
		if err == nil {
			jobs[i].req.persisted = true
		}
	}
	x.mu.Unlock()
	return out
}
