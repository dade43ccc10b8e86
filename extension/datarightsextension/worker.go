package datarightsextension

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// work runs queued requests one at a time: deletions are mutations that rewrite parts, and running
// them in parallel would only compete for the same disks.
func (x *dataRights) work(ctx context.Context) {
	for {
		x.mu.Lock()
		var r *request
		if len(x.queue) > 0 {
			r, x.queue = x.queue[0], x.queue[1:]
		}
		x.mu.Unlock()
		if r == nil {
			select {
			case <-ctx.Done():
				return
			case <-x.wake:
			}
			continue
		}
		x.process(ctx, r)
		if ctx.Err() != nil {
			return
		}
	}
}

// process retries an attempt until the request ends: a ClickHouse outage makes it wait, never fail.
func (x *dataRights) process(ctx context.Context, r *request) {
	backoff := x.cfg.Retry.InitialInterval
	for {
		err := x.attempt(ctx, r)
		if err == nil || ctx.Err() != nil {
			return
		}
		x.mu.Lock()
		r.lastError = err.Error()
		x.mu.Unlock()
		x.tel.Retries.Add(ctx, 1)
		x.logger.Warn("deletion request waits for ClickHouse", zap.String("request_id", r.ID), zap.Duration("retry_in", backoff), zap.Error(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, x.cfg.Retry.MaxInterval)
	}
}

// update stores a changed version of the request and then applies the change in memory (handlers
// read it concurrently), so what the API reports is always stored.
func (x *dataRights) update(ctx context.Context, r *request, change func(*request)) error {
	x.mu.Lock()
	next := r.nextVersion(x.now().UnixMilli())
	x.mu.Unlock()
	change(&next)
	if err := x.store.insertRequest(ctx, &next); err != nil {
		return err
	}
	x.mu.Lock()
	change(r)
	x.mu.Unlock()
	return nil
}

// attempt runs the request from where it stands; every step is idempotent, so repeating one after
// a failure or a restart is harmless.
func (x *dataRights) attempt(ctx context.Context, r *request) error {
	entry := suppression.Entry{Tenant: r.Tenant, Subject: r.Subject, RequestID: r.ID, Since: r.AcceptedAt}
	if !r.persisted {
		if err := x.store.insertSuppression(ctx, entry); err != nil {
			return fmt.Errorf("store the suppression entry: %w", err)
		}
		if err := x.update(ctx, r, func(r *request) { r.persisted = true }); err != nil {
			return fmt.Errorf("store the request: %w", err)
		}
		x.syncJournal()
	}
	if !r.started {
		if err := x.update(ctx, r, func(r *request) { r.Status = statusRunning; r.Attempts++ }); err != nil {
			return fmt.Errorf("store the request: %w", err)
		}
		x.mu.Lock()
		r.started = true
		x.mu.Unlock()
		// Let inserts that passed the write-time check before the suppression was known finish
		// (here, or on collectors that have not refreshed yet).
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(x.cfg.ExecutionDelay):
		}
	}
	ids := []string{r.UserID, x.list.Token(r.UserID)}
	var prog progress
	if r.Receipt != "" {
		_ = json.Unmarshal([]byte(r.Receipt), &prog)
	}
	if prog.Before == nil {
		prog.Before = map[string]uint64{}
		for i := range x.store.sql.targets {
			st, t := x.targetFor(r.Tenant, i)
			n, err := st.count(ctx, t, r.Tenant, ids)
			if err != nil {
				return err
			}
			prog.Before[t.name] = n
		}
		raw, _ := json.Marshal(prog)
		if err := x.update(ctx, r, func(r *request) { r.Receipt = string(raw) }); err != nil {
			return fmt.Errorf("store the request: %w", err)
		}
	}
	remaining := map[string]uint64{}
	for pass := 0; pass < 2; pass++ {
		for i := range x.store.sql.targets {
			st, t := x.targetFor(r.Tenant, i)
			// A table without rows of the subject needs no mutation (each one waits for every part
			// to be rewritten); rows arriving later are found by the recount and deleted in pass 2.
			if (pass == 0 && prog.Before[t.name] == 0) || (pass > 0 && remaining[t.name] == 0) {
				continue
			}
			if err := x.deleteFrom(ctx, st, t, r, ids); err != nil {
				return err
			}
		}
		clear(remaining)
		left := false
		for i := range x.store.sql.targets {
			st, t := x.targetFor(r.Tenant, i)
			n, err := st.count(ctx, t, r.Tenant, ids)
			if err != nil {
				return err
			}
			remaining[t.name] = n
			left = left || n > 0
		}
		if !left {
			break
		}
	}
	return x.finish(ctx, r, entry, prog, remaining)
}

func (x *dataRights) deleteFrom(ctx context.Context, st *chStore, t *target, r *request, ids []string) error {
	args := t.args(r.Tenant, ids)
	if t.kind == kindAudit {
		args = append([]any{r.Subject}, args...)
	}
	if err := st.mutate(ctx, t.storage, t.deleteSQL, args...); err != nil {
		return fmt.Errorf("delete from %s: %w", t.name, err)
	}
	if t.applyMask != "" && x.cfg.ApplyDeletedMask {
		if err := st.mutate(ctx, t.storage, t.applyMask); err != nil {
			return fmt.Errorf("apply the deleted mask of %s: %w", t.name, err)
		}
	}
	return nil
}

// finish signs the receipt, stores the final version without the raw id and removes the open
// versions that held it.
func (x *dataRights) finish(ctx context.Context, r *request, entry suppression.Entry, prog progress, remaining map[string]uint64) error {
	finished := x.now().UnixMilli()
	rc := Receipt{Version: 1, RequestID: r.ID, Tenant: r.Tenant, Subject: r.Subject,
		AcceptedAt: time.UnixMilli(r.AcceptedAt).UTC(), FinishedAt: time.UnixMilli(finished).UTC(),
		Suppression:      SuppressionInfo{Subject: r.Subject, Since: time.UnixMilli(entry.Since).UTC()},
		PhysicalDeletion: x.physicalDeletion()}
	var failed []string
	for _, t := range x.store.sql.targets {
		action := "deleted"
		if t.kind == kindAudit {
			action = "pseudonymized"
		}
		rc.Tables = append(rc.Tables, TableCount{Table: t.name, Action: action, MatchedBefore: prog.Before[t.name], RemainingAfter: remaining[t.name]})
		if remaining[t.name] > 0 {
			failed = append(failed, fmt.Sprintf("%s: %d rows remain", t.name, remaining[t.name]))
		}
	}
	rc.sign(signingKey([]byte(x.cfg.ReceiptKey)))
	raw, _ := json.Marshal(rc)
	x.forget(r.Tenant, r.UserID) // the consent rows are gone now: nothing may bring them back from a reload
	status, reason := statusCompleted, ""
	if len(failed) > 0 {
		status, reason = statusFailed, "rows remain after deletion: "+strings.Join(failed, "; ")
	}
	x.mu.Lock()
	final := r.nextVersion(x.now().UnixMilli())
	x.mu.Unlock()
	final.Status, final.Reason, final.FinishedAt, final.Receipt, final.UserID = status, reason, finished, string(raw), ""
	if err := x.store.insertRequest(ctx, &final); err != nil {
		return fmt.Errorf("store the receipt: %w", err)
	}
	if err := x.store.mutate(ctx, x.store.sql.requestsStorage, x.store.sql.purgeRequest, r.Tenant, r.ID); err != nil {
		return fmt.Errorf("remove the raw id from the request's open versions: %w", err)
	}
	if x.cfg.ApplyDeletedMask {
		if err := x.store.mutate(ctx, x.store.sql.requestsStorage, x.store.sql.purgeMask); err != nil {
			return fmt.Errorf("remove the raw id from the request's open versions: %w", err)
		}
	}
	x.mu.Lock()
	r.Status, r.Reason, r.FinishedAt, r.Receipt, r.UserID, r.lastError = final.Status, final.Reason, final.FinishedAt, final.Receipt, "", ""
	delete(x.active, r.Tenant+"\x00"+r.Subject)
	x.mu.Unlock()
	x.tel.Requests.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", status)))
	for _, tc := range rc.Tables {
		if n := int64(tc.MatchedBefore) - int64(tc.RemainingAfter); n > 0 {
			x.tel.RowsDeleted.Add(ctx, n, metric.WithAttributes(attribute.String("table", tc.Table)))
		}
	}
	x.logger.Info("deletion request finished", zap.String("request_id", r.ID), zap.String("tenant", r.Tenant), zap.String("status", status), zap.String("reason", reason))
	return nil
}

func (x *dataRights) physicalDeletion() string {
	if x.cfg.ApplyDeletedMask {
		return "apply_deleted_mask: rewritten parts at finished_at; old parts removed within old_parts_lifetime (default 8 min)"
	}
	return "lightweight delete: rows masked at finished_at, bytes removed by the next merge of each part"
}
