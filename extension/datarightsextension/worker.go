package datarightsextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// work runs queued requests in batches: the requests accepted within batch_window of the oldest
// waiting one (same tenant and time range) are erased with one statement per table, each request
// keeping its own counts, status and receipt. Batches run one at a time.
func (x *dataRights) work(ctx context.Context) {
	for {
		batch := x.nextBatch(ctx)
		if batch == nil {
			return
		}
		x.process(ctx, batch)
		if ctx.Err() != nil {
			return
		}
	}
}

// nextBatch waits for a request, then for the batch window to close, and takes the requests that
// share the oldest one's tenant and range (at most max_batch). nil when ctx ends.
func (x *dataRights) nextBatch(ctx context.Context) []*request {
	for {
		x.mu.Lock()
		var first *request
		if len(x.queue) > 0 {
			first = x.queue[0]
		}
		x.mu.Unlock()
		if first == nil {
			select {
			case <-ctx.Done():
				return nil
			case <-x.wake:
			}
			continue
		}
		if wait := time.UnixMilli(first.AcceptedAt).Add(x.cfg.BatchWindow).Sub(x.now()); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
		if !x.awaitIncoming(ctx, first) {
			return nil
		}
		x.mu.Lock()
		var batch, rest []*request
		for _, r := range x.queue {
			if len(batch) < x.cfg.MaxBatch && first.sameBatch(r) {
				batch = append(batch, r)
			} else {
				rest = append(rest, r)
			}
		}
		x.queue = rest
		x.mu.Unlock()
		return batch
	}
}

// burstWait bounds how long a closed window waits for requests still in their accept round.
var burstWait = 5 * time.Second

// awaitIncoming waits, at most burstWait after the window, while requests of first's batch are in
// their accept round and the batch is not full: a burst of a thousand DELETEs is stored in rounds
// that end after the window closes, and a second batch would read every table again (on the
// embedded engine the first batch's statements would also hold the remaining rounds back). A
// trickle of requests leaves gaps between rounds, so it does not hold a batch. False when ctx ends.
func (x *dataRights) awaitIncoming(ctx context.Context, first *request) bool {
	limit := time.UnixMilli(first.AcceptedAt).Add(x.cfg.BatchWindow + burstWait)
	for x.now().Before(limit) {
		x.mu.Lock()
		waiting, queued := false, 0
		for r := range x.incoming {
			if first.sameBatch(r) {
				waiting = true
				break
			}
		}
		for _, r := range x.queue {
			if first.sameBatch(r) {
				queued++
			}
		}
		waiting = waiting && queued < x.cfg.MaxBatch
		x.mu.Unlock()
		if !waiting {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}

// process erases the batch, then completes it in the background.
func (x *dataRights) process(ctx context.Context, batch []*request) {
	x.erasing.Add(1)
	ok := x.retry(ctx, batch, false)
	x.erasing.Add(-1)
	if !ok {
		return
	}
	x.wg.Add(1)
	go func() { defer x.wg.Done(); x.retry(ctx, batch, true) }()
}

// retry repeats an attempt until it succeeds: a ClickHouse outage makes the batch wait, never fail.
// It reports false when ctx ended first.
func (x *dataRights) retry(ctx context.Context, batch []*request, completing bool) bool {
	backoff := x.cfg.Retry.InitialInterval
	for {
		err := x.attempt(ctx, batch, completing)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		x.mu.Lock()
		for _, r := range batch {
			r.lastError = err.Error()
		}
		x.mu.Unlock()
		x.tel.Retries.Add(ctx, 1)
		x.logger.Warn("deletion requests wait for ClickHouse", zap.String("request_id", batch[0].ID), zap.Int("batch", len(batch)), zap.Duration("retry_in", backoff), zap.Error(err))
		select {
		case <-ctx.Done():
			return false
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, x.cfg.Retry.MaxInterval)
	}
}

// update stores a changed version of each request in one insert and then applies the change in
// memory (handlers read it concurrently), so what the API reports is always stored.
func (x *dataRights) update(ctx context.Context, reqs []*request, change func(*request)) error {
	x.writeMu.Lock() // with the lease renewals (lease.go)
	defer x.writeMu.Unlock()
	x.mu.Lock()
	reqs = held(reqs) // another collector took these over: it stores them now
	next := make([]request, len(reqs))
	now := x.now().UnixMilli()
	for i, r := range reqs {
		x.hold(r, now)
		next[i] = r.nextVersion(now)
	}
	x.mu.Unlock()
	if len(next) == 0 {
		return nil
	}
	for i := range next {
		change(&next[i])
	}
	if err := x.store.insertRequests(ctx, next); err != nil {
		return err
	}
	x.mu.Lock()
	for _, r := range reqs {
		change(r)
	}
	x.mu.Unlock()
	return nil
}

// attempt runs the batch from where it stands; every step is idempotent, so repeating one after a
// failure or a restart is harmless.
//
// An attempt either erases (completing false: counts, then one statement per table; the rows are
// unreadable when it returns) or completes (after execution_delay: recount, erase what arrived
// meanwhile, sign and store the receipts). The worker runs the erasing attempts one batch at a
// time and leaves the completion to a goroutine, so a new batch never waits for the previous one's
// execution_delay; the completions give way to waiting batches (yield).
//
// The counts are taken before erasing: erased rows stay in the parts only until a merge of their
// part applies the patch, so counting them afterwards (without patches and masks) could miss rows.
// The trace-id lookup table (trace ids and times, found through the subject's erased spans) is
// counted and erased (patch parts, like the data tables) by the completion, before its recounts:
// it holds no identifier, and for a large batch its count holds the embedded engine for seconds (1000
// users at 10M rows: 1.8 s alone, 4.7 s under the bench's ingest), which right after erased_at
// held every status read, insert and the next batch's accept behind it. The completion yields to
// new batches first; the purge waits for pending trace steps (traceSteps), as it removes the
// erased spans they are found through.
func (x *dataRights) attempt(ctx context.Context, batch []*request, completing bool) error {
	for _, r := range batch {
		if r.persisted {
			continue
		}
		if r.suppresses() {
			entry := suppression.Entry{Tenant: r.Tenant, Subject: r.Subject, RequestID: r.ID, Since: r.AcceptedAt}
			if err := x.store.insertSuppression(ctx, entry); err != nil {
				return fmt.Errorf("store the suppression entry: %w", err)
			}
		}
		if err := x.update(ctx, []*request{r}, func(r *request) { r.persisted = true }); err != nil {
			return fmt.Errorf("store the request: %w", err)
		}
		x.syncJournal()
	}
	// markRunning stores the batch's requests not yet started here as running, folded into the next
	// store of their progress (one insert fewer on the way to erased_at).
	starting := map[string]bool{}
	for _, r := range batch {
		if !r.started {
			starting[r.ID] = true
		}
	}
	markRunning := func(r *request) {
		if starting[r.ID] {
			r.Status = statusRunning
			r.Attempts++
		}
	}
	started := func() {
		x.mu.Lock()
		for _, r := range batch {
			r.started = true
		}
		x.mu.Unlock()
		starting = nil
	}
	owners, users := make([]string, len(batch)), make([]string, len(batch))
	progs := make(map[string]*progress, len(batch))
	for i, r := range batch {
		owners[i], users[i] = r.ID, r.UserID
		if r.event() {
			users[i] = r.EventID
		}
		p := &progress{}
		if r.Receipt != "" {
			_ = json.Unmarshal([]byte(r.Receipt), p)
		}
		// The request's scope is stored with every progress, so a resumed request keeps it.
		p.From, p.To, p.EventID = r.From, r.To, r.EventID
		progs[r.ID] = p
	}
	tenant := batch[0].Tenant
	var f *forms
	if batch[0].event() {
		f = eventForms(owners, users)
	} else {
		f = newForms(x.list.Token, batch[0].From, batch[0].To, owners, users)
	}
	tables := x.tablesOf(batch[0])
	targets := make([]target, len(tables))
	for i, b := range tables {
		targets[i] = *b.t
	}
	traceIDs := func(t *target) bool { return t.name == chschema.TraceIDTimestamps }

	mechanisms := map[string]string{}
	for _, p := range progs {
		for t, m := range p.Mechanisms {
			mechanisms[t] = m
		}
	}
	var mechMu sync.Mutex
	erase := func(t *target, st *chStore) error {
		mech, err := x.eraseFrom(ctx, st, t, tenant, batch, f)
		if mech != "" {
			mechMu.Lock()
			mechanisms[t.name] = mech
			mechMu.Unlock()
		}
		return err
	}
	// countInto sets each request's Before of the tables which, counted at once.
	countInto := func(which func(*target) bool) error {
		counts := make([]map[string]uint64, len(tables))
		err := eachTable(x.cfg.ParallelStatements, tables, which, func(i int, b bound) error {
			n, err := b.st.count(ctx, b.t, tenant, f, false)
			counts[i] = n
			return err
		})
		if err != nil {
			return err
		}
		for i, b := range tables {
			if counts[i] == nil {
				continue
			}
			for _, r := range batch {
				p := progs[r.ID]
				if p.Before == nil {
					p.Before = map[string]uint64{}
				}
				p.Before[b.t.name] = counts[i][r.ID]
			}
		}
		return nil
	}

	if !completing {
		// Counts before, once per request (a resumed request keeps its first counts).
		need := false
		for _, p := range progs {
			need = need || p.Before == nil
		}
		if need {
			if err := countInto(func(t *target) bool { return !traceIDs(t) }); err != nil {
				return err
			}
			if err := x.storeProgress(ctx, batch, progs, markRunning); err != nil {
				return err
			}
			started()
		}
		if len(starting) > 0 { // resumed with its counts: mark it running alone
			if err := x.update(ctx, batch, markRunning); err != nil {
				return fmt.Errorf("store the requests: %w", err)
			}
			started()
		}
		// Unreadable now: every table that had rows of the batch, one statement each, at once
		// (staging first: the sampler must not copy a staged span into telemetry_spans after that
		// table's erasure).
		needs := func(t *target) bool { return !traceIDs(t) && sumBefore(progs, t.name) > 0 }
		staging := func(t *target) bool { return t.name == chschema.SpansStaging }
		for _, which := range []func(*target) bool{
			func(t *target) bool { return needs(t) && staging(t) },
			func(t *target) bool { return needs(t) && !staging(t) },
		} {
			if err := eachTable(x.cfg.ParallelStatements, tables, which, func(_ int, b bound) error { return erase(b.t, b.st) }); err != nil {
				return err
			}
		}
		at := x.now().UnixMilli()
		for _, p := range progs {
			if p.ErasedAt == 0 {
				p.ErasedAt = at
			}
			p.Mechanisms = mechanisms
		}
		for _, b := range tables {
			if traceIDs(b.t) {
				x.mu.Lock()
				if x.traceSteps == nil {
					x.traceSteps = map[string]bool{}
				}
				x.traceSteps[batch[0].ID] = true
				x.mu.Unlock()
			}
		}
		return x.storeProgress(ctx, batch, progs)
	}
	if x.cfg.ExecutionDelay > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(x.cfg.ExecutionDelay):
		}
	}
	// The trace-id lookup rows of the subject's traces, found through the erased spans (read
	// without patches and masks, not purged yet: the purge waits for this step).
	for _, b := range tables {
		if !traceIDs(b.t) {
			continue
		}
		counted := true
		for _, p := range progs {
			_, ok := p.Before[b.t.name]
			counted = counted && ok
		}
		if !counted {
			x.yield(ctx)
			if err := countInto(traceIDs); err != nil {
				return err
			}
			// Patch parts since migration 65 (the table was an AggregatingMergeTree, whose DELETE
			// was a mutation reading the whole table: 0.74 s of engine CPU per request at 10M rows).
			if sumBefore(progs, b.t.name) > 0 {
				x.yield(ctx)
				if err := erase(b.t, b.st); err != nil {
					return err
				}
			}
			for _, p := range progs {
				p.Mechanisms = mechanisms
			}
			if err := x.storeProgress(ctx, batch, progs); err != nil {
				return err
			}
		}
		x.mu.Lock()
		delete(x.traceSteps, batch[0].ID)
		x.mu.Unlock()
	}
	recount := func() (map[string]map[string]uint64, bool, error) {
		out, left := map[string]map[string]uint64{}, false
		for _, b := range tables {
			x.yield(ctx)
			n, err := b.st.count(ctx, b.t, tenant, f, false)
			if err != nil {
				return nil, false, err
			}
			out[b.t.name] = n
			left = left || sum(n) > 0
		}
		return out, left, nil
	}
	remaining, left, err := recount()
	for pass := 0; err == nil && left && pass < 2; pass++ {
		for _, b := range tables {
			if sum(remaining[b.t.name]) == 0 {
				continue
			}
			x.yield(ctx)
			if err := erase(b.t, b.st); err != nil {
				return err
			}
		}
		remaining, left, err = recount()
	}
	if err != nil {
		return err
	}
	if x.cfg.ApplyDeletedMask {
		if _, err := x.purge(ctx); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
	}
	x.yield(ctx)
	return x.finish(ctx, batch, targets, progs, remaining, mechanisms)
}

// eachTable runs fn for the tables which selects, at most parallel at once, and returns their
// errors joined. A batch's statements on different tables are independent; run together they take
// the CPU a server (or the embedded engine's sessions) has free instead of waiting for each other;
// bounded, they leave the inserts a share of both (parallel_statements).
func eachTable(parallel int, tables []bound, which func(*target) bool, fn func(i int, b bound) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	slots := make(chan struct{}, max(parallel, 1))
	for i, b := range tables {
		if !which(b.t) {
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := fn(i, b); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// maxYield bounds how long a completion step waits for erasures: a steady stream of requests must
// not keep older ones from completing.
const maxYield = 30 * time.Second

// yield waits, before a completion's statement, while a batch is erasing or waiting for its window
// or requests are in their accept round (at most maxYield): the embedded engine runs one statement
// at a time, and a completion's recounts would otherwise sit between a new request and the moment
// its rows are unreadable.
func (x *dataRights) yield(ctx context.Context) {
	deadline := time.Now().Add(maxYield)
	for time.Now().Before(deadline) {
		x.mu.Lock()
		busy := len(x.queue) > 0 || len(x.incoming) > 0 || x.erasing.Load() > 0
		x.mu.Unlock()
		if !busy {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// dataTargets are the data tables (the first targets): what a time-ranged request covers.
func dataTargets(all []target) []target {
	n := 0
	for n < len(all) && all[n].kind == kindData {
		n++
	}
	return all[:n]
}

func sum(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}

func sumBefore(progs map[string]*progress, table string) uint64 {
	var n uint64
	for _, p := range progs {
		n += p.Before[table]
	}
	return n
}

// storeProgress keeps each request's progress in its receipt column, so a resumed request reports
// its first counts and erasure time.
func (x *dataRights) storeProgress(ctx context.Context, batch []*request, progs map[string]*progress, also ...func(*request)) error {
	raw := map[string]string{}
	for id, p := range progs {
		b, _ := json.Marshal(p)
		raw[id] = string(b)
	}
	if err := x.update(ctx, batch, func(r *request) {
		r.Receipt = raw[r.ID]
		for _, f := range also {
			f(r)
		}
	}); err != nil {
		return fmt.Errorf("store the requests: %w", err)
	}
	return nil
}

// eraseFrom erases the batch's rows of t; it returns the mechanism (data tables).
func (x *dataRights) eraseFrom(ctx context.Context, st *chStore, t *target, tenant string, batch []*request, f *forms) (string, error) {
	args := t.args(tenant, f)
	switch t.kind {
	case kindAudit:
		var ids, subjects []string
		for _, r := range batch {
			ids = append(ids, r.UserID, x.list.Token(r.UserID))
			subjects = append(subjects, r.Subject, r.Subject)
		}
		if err := st.mutate(ctx, t.storage, t.deleteSQL, append([]any{ids, subjects}, args...)...); err != nil {
			return "", fmt.Errorf("pseudonymize in %s: %w", t.name, err)
		}
		return "", nil
	case kindConsent:
		mech, _, err := st.erase(ctx, t, mechanismLightweight, tenant, f)
		if err != nil {
			return "", fmt.Errorf("delete from %s: %w", t.name, err)
		}
		return mech, nil
	}
	want := x.cfg.EraseMechanism
	if want == mechanismAuto {
		ok, err := st.patchCapable(ctx, t.storage)
		if err != nil {
			return "", fmt.Errorf("read the settings of %s: %w", t.name, err)
		}
		want = mechanismLightweight
		if ok {
			want = mechanismPatchParts
		}
	}
	mech, why, err := st.erase(ctx, t, want, tenant, f)
	if err != nil {
		return "", fmt.Errorf("delete from %s: %w", t.name, err)
	}
	if mech != want || (x.cfg.EraseMechanism == mechanismAuto && mech != mechanismPatchParts) {
		if why == "" {
			why = "the table lacks enable_block_number_column / enable_block_offset_column"
		}
		x.logger.Warn("erasure falls back to the classic lightweight DELETE", zap.String("table", t.name), zap.String("reason", why))
		return mech + " (fallback: " + why + ")", nil
	}
	return mech, nil
}

// finish signs each request's receipt, stores the final versions without the raw ids and removes the
// open versions that held them.
func (x *dataRights) finish(ctx context.Context, batch []*request, targets []target, progs map[string]*progress,
	remaining map[string]map[string]uint64, mechanisms map[string]string) error {
	finished := x.now().UnixMilli()
	finals := make([]request, len(batch))
	receipts := make([]Receipt, len(batch))
	x.mu.Lock()
	for i, r := range batch {
		finals[i] = r.nextVersion(x.now().UnixMilli())
		r.finishing = true // no lease renewal after the final version (lease.go)
	}
	x.mu.Unlock()
	for i, r := range batch {
		p := progs[r.ID]
		rc := Receipt{Version: 2, RequestID: r.ID, Tenant: r.Tenant, Subject: r.Subject,
			AcceptedAt: time.UnixMilli(r.AcceptedAt).UTC(), FinishedAt: time.UnixMilli(finished).UTC(),
			Suppression:      SuppressionInfo{Subject: r.Subject, Since: time.UnixMilli(r.AcceptedAt).UTC()},
			PhysicalDeletion: x.physicalDeletion(), BatchSize: len(batch)}
		if p.ErasedAt > 0 {
			t := time.UnixMilli(p.ErasedAt).UTC()
			rc.ErasedAt = &t
		}
		if r.ranged() {
			rc.Range = &TimeRange{From: time.UnixMilli(r.From).UTC(), To: time.UnixMilli(r.To).UTC()}
			rc.Suppression = SuppressionInfo{} // a time range erases past data only
		}
		if r.event() {
			rc.EventID = r.EventID
			rc.Suppression = SuppressionInfo{} // one event: nothing later is suppressed
		}
		var failed []string
		for _, t := range targets {
			action := "deleted"
			if t.kind == kindAudit {
				action = "pseudonymized"
			}
			left := remaining[t.name][r.ID]
			rc.Tables = append(rc.Tables, TableCount{Table: t.name, Action: action, MatchedBefore: p.Before[t.name], RemainingAfter: left,
				Mechanism: mechanisms[t.name], Searched: t.searched})
			if left > 0 {
				failed = append(failed, fmt.Sprintf("%s: %d rows remain", t.name, left))
			}
		}
		rc.sign(signingKey([]byte(x.cfg.ReceiptKey)))
		raw, _ := json.Marshal(rc)
		receipts[i] = rc
		status, reason := statusCompleted, ""
		if len(failed) > 0 {
			status, reason = statusFailed, "rows remain after deletion: "+strings.Join(failed, "; ")
		}
		finals[i].Status, finals[i].Reason, finals[i].FinishedAt, finals[i].Receipt, finals[i].UserID = status, reason, finished, string(raw), ""
	}
	ids, err := x.storeFinals(ctx, batch, finals)
	if err != nil {
		return fmt.Errorf("store the receipts: %w", err)
	}
	if len(ids) == 0 {
		return nil // every request of the batch was taken over by another collector
	}
	if err := x.store.mutate(ctx, x.store.sql.requestsStorage, x.store.sql.purgeRequest, batch[0].Tenant, ids); err != nil {
		return fmt.Errorf("remove the raw ids from the requests' open versions: %w", err)
	}
	if err := x.store.mutate(ctx, x.store.sql.requestsStorage, x.store.sql.purgeMask); err != nil {
		return fmt.Errorf("remove the raw ids from the requests' open versions: %w", err)
	}
	for i, r := range batch {
		fin := finals[i]
		if r.suppresses() {
			x.forget(r.Tenant, r.UserID) // the consent rows are gone now: nothing may bring them back from a reload
		}
		// Counted before the status is published: whoever sees the request ended sees it counted.
		x.tel.Requests.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", fin.Status)))
		for _, tc := range receipts[i].Tables {
			if n := int64(tc.MatchedBefore) - int64(tc.RemainingAfter); n > 0 {
				x.tel.RowsDeleted.Add(ctx, n, metric.WithAttributes(attribute.String("table", tc.Table)))
			}
		}
		x.mu.Lock()
		r.Status, r.Reason, r.FinishedAt, r.Receipt, r.UserID, r.lastError = fin.Status, fin.Reason, fin.FinishedAt, fin.Receipt, "", ""
		if x.active[r.key()] == r {
			delete(x.active, r.key())
		}
		x.mu.Unlock()
		x.logger.Info("deletion request finished", zap.String("request_id", r.ID), zap.String("tenant", r.Tenant), zap.String("status", fin.Status), zap.String("reason", fin.Reason), zap.Int("batch", len(batch)))
	}
	return nil
}

func (x *dataRights) physicalDeletion() string {
	if x.cfg.ApplyDeletedMask {
		return "erased rows purged (patches and deleted masks applied in their partitions) at finished_at; old parts removed within old_parts_lifetime (server default 8 min)"
	}
	return fmt.Sprintf("erased rows unreadable at erased_at; purged from the parts by the purge job (every %s, or POST /data/purge), then old parts removed within old_parts_lifetime (server default 8 min); see docs/privacy.md", x.cfg.PurgeInterval)
}
