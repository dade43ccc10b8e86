package datarightsextension

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// mechanismAuto picks patch parts where the table supports them (erase_mechanism).
const mechanismAuto = "auto"

// PurgeStatus is the answer of POST /data/purge: what one purge did.
type PurgeStatus struct {
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Partitions are the partitions purged, as table/partition_id.
	Partitions []string `json:"partitions"`
	Seconds    float64  `json:"seconds"`
	Error      string   `json:"error,omitempty"`
}

// purger serialises purges: the schedule and the endpoint never run two at once.
type purger struct {
	mu   sync.Mutex
	last PurgeStatus
}

// purge applies patches and deleted masks in the partitions of the data tables (every region)
// that hold erased rows, one partition at a time: each ALTER rewrites one partition's parts in the
// background while inserts go on (new parts are not touched), and the engine never has more than
// one such rewrite of ours running. Requests that finished before the purge started get purged_at.
func (x *dataRights) purge(ctx context.Context) (PurgeStatus, error) {
	x.purger.mu.Lock()
	defer x.purger.mu.Unlock()
	x.awaitTraceSteps(ctx)
	st := PurgeStatus{StartedAt: x.now().UTC(), Partitions: []string{}}
	err := x.purgeStores(ctx, &st)
	st.FinishedAt = x.now().UTC()
	if err == nil {
		err = x.markPurged(ctx, st.StartedAt, st.FinishedAt)
	}
	st.Seconds = st.FinishedAt.Sub(st.StartedAt).Seconds()
	if err != nil {
		st.Error = err.Error()
	}
	x.purger.last = st
	x.logger.Info("purge finished", zap.Int("partitions", len(st.Partitions)), zap.Float64("seconds", st.Seconds), zap.Error(err))
	return st, err
}

func (x *dataRights) purgeStores(ctx context.Context, st *PurgeStatus) error {
	stores := []*chStore{x.store}
	for _, r := range x.regions {
		stores = append(stores, r)
	}
	for _, s := range stores {
		for _, t := range dataTargets(s.sql.targets) {
			parts, err := s.erasedPartitions(ctx, t.storage)
			if err != nil {
				return fmt.Errorf("list the erased partitions of %s: %w", t.name, err)
			}
			for _, p := range parts {
				if err := s.mutate(ctx, t.storage, t.applyPatches, p); err != nil {
					return fmt.Errorf("apply patches to %s partition %s: %w", t.name, p, err)
				}
				if err := s.mutate(ctx, t.storage, t.applyMask, p); err != nil {
					return fmt.Errorf("apply the deleted mask to %s partition %s: %w", t.name, p, err)
				}
				st.Partitions = append(st.Partitions, t.name+"/"+p)
			}
		}
	}
	return nil
}

// markPurged gives the receipts of the requests that finished before the purge began their
// purged_at, signed again, in one insert of new versions.
func (x *dataRights) markPurged(ctx context.Context, began, at time.Time) error {
	var reqs []request
	err := x.store.query(ctx, x.store.sql.unpurgedRequests, []any{began.UnixMilli()}, func(rows driver.Rows) error {
		r, err := scanRequest(rows)
		reqs = append(reqs, r)
		return err
	})
	if err != nil || len(reqs) == 0 {
		if errors.Is(err, errNoTable) {
			return nil
		}
		return err
	}
	key := signingKey([]byte(x.cfg.ReceiptKey))
	x.mu.Lock()
	now := x.now().UnixMilli()
	for i := range reqs {
		var rc Receipt
		if json.Unmarshal([]byte(reqs[i].Receipt), &rc) != nil {
			continue
		}
		t := at.UTC()
		rc.PurgedAt = &t
		rc.sign(key)
		raw, _ := json.Marshal(rc)
		reqs[i] = reqs[i].nextVersion(now)
		reqs[i].Receipt = string(raw)
		if mem, ok := x.byID[reqs[i].ID]; ok {
			mem.Receipt, mem.version = reqs[i].Receipt, max(mem.version, reqs[i].version)
		}
	}
	x.mu.Unlock()
	if err := x.store.insertRequests(ctx, reqs); err != nil {
		return fmt.Errorf("store purged_at in the receipts: %w", err)
	}
	return nil
}

// purgeLoop runs the purge every purge_interval.
func (x *dataRights) purgeLoop(ctx context.Context) {
	if x.cfg.PurgeInterval <= 0 {
		return
	}
	ticker := time.NewTicker(x.cfg.PurgeInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if _, err := x.purge(ctx); err != nil && ctx.Err() == nil {
			x.logger.Warn("scheduled purge failed; the next one retries", zap.Error(err))
		}
	}
}

// handlePurge runs a purge now and answers with its status (role admin).
func (x *dataRights) handlePurge(w http.ResponseWriter, r *http.Request) {
	st, err := x.purge(r.Context())
	if err != nil {
		telemetryapi.WriteJSON(w, http.StatusServiceUnavailable, st)
		return
	}
	telemetryapi.WriteJSON(w, http.StatusOK, st)
}

// maxTraceWait bounds how long a purge waits for the batches' pending trace-id steps.
var maxTraceWait = 2 * time.Minute

// awaitTraceSteps waits (at most maxTraceWait) until every erased batch has counted and scheduled
// the deletion of its trace-id lookup rows: they are found through the erased spans, which the
// purge removes from the parts. A purge run by a completion (apply_deleted_mask) comes after its
// own batch's step.
func (x *dataRights) awaitTraceSteps(ctx context.Context) {
	deadline := time.Now().Add(maxTraceWait)
	for time.Now().Before(deadline) {
		x.mu.Lock()
		n := len(x.traceSteps)
		x.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
	x.logger.Warn("purge runs while erased batches have not yet erased their trace-id lookup rows", zap.Duration("waited", maxTraceWait))
}
