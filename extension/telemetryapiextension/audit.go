package telemetryapiextension

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Outcome values of the telemetry_audit outcome column.
const (
	outcomeSuccess = "success"
	outcomeFailure = "failure"
	outcomeDenied  = "denied"
)

// Actor types.
const (
	actorAPIKey          = "api_key"
	actorAnonymous       = "anonymous" // auth::enabled false
	actorUnauthenticated = "unauthenticated"
	actorSystem          = "system"
)

// auditRecord is one line of the audit trail. It never holds a key, only the key id.
type auditRecord struct {
	Time       time.Time
	RequestID  string
	Tenant     string
	KeyID      string
	ActorType  string
	Action     string // "GET /metrics" (method and route pattern), "collector.start", "ingest.authenticate"
	TargetType string // "user" when TargetID names a data subject
	TargetID   string
	Outcome    string
	// Details: status, roles, required_role, client_address, method, route, config_sha256, ...
	Details map[string]string
}

// outcomeOf classifies an HTTP status for the audit outcome column.
func outcomeOf(status int, denied bool) string {
	switch {
	case denied || status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests:
		return outcomeDenied
	case status >= 400:
		return outcomeFailure
	}
	return outcomeSuccess
}

func rolesString(roles []telemetryapi.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// auditStore is where records are kept (ClickHouse in production, a fake in tests).
type auditStore interface {
	// prepare connects and checks that the audit table exists.
	prepare(ctx context.Context) error
	insert(ctx context.Context, recs []auditRecord) error
	query(ctx context.Context, q auditQuery) ([]auditRecord, error)
	close() error
}

// auditor writes every record to its log line (never sampled) and to ClickHouse in batches by a
// goroutine. While ClickHouse cannot take them, records move to the disk spool (when configured)
// and are inserted once it is back. Memory holds at most queue_size records; an API request
// first reserves its record's place and is refused (503 + Retry-After) when there is none, so no
// request is served without its record being kept.
type auditor struct {
	logger   *zap.Logger // the auditor's own operational messages
	auditLog *zap.Logger // one line per record
	tel      *metadata.Telemetry
	store    auditStore // nil: log only
	cfg      AuditConfig
	// timeout bounds each prepare/insert.
	timeout time.Duration
	spool   *spool // nil: memory only; set before start

	queue chan auditRecord
	// held counts records reserved, queued or pending in memory; reserve keeps it ≤ queue_size,
	// so a send on queue (capacity queue_size) never blocks.
	held atomic.Int64
	stop chan struct{}
	done chan struct{}
	once sync.Once

	ready       atomic.Bool
	started     atomic.Bool
	queueDrops  atomic.Int64 // since the last "full" log line
	refusals    atomic.Int64 // since the last "full" log line
	spoolWarned bool
	lastPrepare error
	warned      string    // the prepare error last logged as a warning
	startedAt   time.Time // a first start waits for the exporter's migration (schemaGrace)
	retryAt     time.Time
	backoff     time.Duration
	// unsure is the size of the batch at the head of pending whose insert failed: ClickHouse may
	// have stored it before the failure reached us. It is retried, or spooled as a segment of its
	// own, as exactly that batch, so every attempt carries the same deduplication token (auditToken).
	unsure int
}

func newAuditor(logger, auditLog *zap.Logger, tel *metadata.Telemetry, store auditStore, cfg AuditConfig, timeout time.Duration) *auditor {
	return &auditor{
		logger: logger.Named("audit"), auditLog: auditLog, tel: tel, store: store, cfg: cfg, timeout: timeout,
		queue: make(chan auditRecord, cfg.QueueSize),
		stop:  make(chan struct{}), done: make(chan struct{}),
	}
}

// reserve takes the place of one record that emitReserved will fill; false when queue_size
// records are already held in memory (ClickHouse away and the spool full or absent).
func (a *auditor) reserve() bool {
	if a.store == nil {
		return true
	}
	if a.held.Add(1) > int64(a.cfg.QueueSize) {
		a.held.Add(-1)
		return false
	}
	return true
}

// reserveWithin is reserve for an API request: when the memory is full for a moment (a burst
// while the run loop is moving records to the spool on a loaded machine), it waits up to d for a
// place before the request is refused; a trail that stays full (spool full too) still refuses.
func (a *auditor) reserveWithin(ctx context.Context, d time.Duration) bool {
	if a.reserve() {
		return true
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(reserveRetry):
		}
		if a.reserve() {
			return true
		}
	}
	return false
}

// reserveRetry is how often reserveWithin looks for a freed place.
const reserveRetry = 10 * time.Millisecond

func (a *auditor) release(n int) { a.held.Add(-int64(n)) }

// refused counts an API request turned away because its record could not be kept.
func (a *auditor) refused(ctx context.Context) {
	a.tel.AuditRequestsRefused.Add(ctx, 1)
	a.refusals.Add(1)
}

// emit records what has no request to refuse (collector start, refused ingest credentials): it
// is dropped and counted, after its log line, when no place is left.
func (a *auditor) emit(rec auditRecord) {
	if !a.reserve() {
		a.logRecord(&rec)
		a.drop(1, "spool_full")
		a.queueDrops.Add(1)
		return
	}
	a.emitReserved(rec)
}

// emitReserved never blocks; the caller holds a place from reserve.
func (a *auditor) emitReserved(rec auditRecord) {
	a.logRecord(&rec)
	if a.store == nil {
		return
	}
	a.queue <- rec
}

func (a *auditor) logRecord(rec *auditRecord) {
	// The table keeps milliseconds (DateTime64(3)); the GET /audit cursor relies on records
	// having exactly the time they are stored with.
	rec.Time = rec.Time.UTC().Truncate(time.Millisecond)
	fields := []zap.Field{
		zap.Time("time", rec.Time), zap.String("request_id", rec.RequestID), zap.String("tenant", rec.Tenant),
		zap.String("key_id", rec.KeyID), zap.String("actor_type", rec.ActorType), zap.String("action", rec.Action),
		zap.String("outcome", rec.Outcome),
	}
	if rec.TargetID != "" {
		fields = append(fields, zap.String("target_type", rec.TargetType), zap.String("target_id", rec.TargetID))
	}
	fields = append(fields, zap.Any("details", rec.Details))
	a.auditLog.Info("audit", fields...)
}

func (a *auditor) start() {
	if !a.started.CompareAndSwap(false, true) {
		return
	}
	if a.store == nil {
		close(a.done)
		return
	}
	a.startedAt = time.Now()
	go a.run()
}

// shutdown stops the writer after a last flush bounded by the storage timeout; what ClickHouse
// did not take goes to the spool, and only what the spool cannot take is counted as dropped.
func (a *auditor) shutdown(ctx context.Context) error {
	if !a.started.Load() {
		return nil
	}
	a.once.Do(func() { close(a.stop) })
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// always is a ready channel: the run loop drains the spool as fast as ClickHouse takes it.
var always = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (a *auditor) run() {
	defer close(a.done)
	ticker := time.NewTicker(a.cfg.FlushInterval)
	defer ticker.Stop()
	var pending []auditRecord
	a.tryPrepare()
	for {
		var drain <-chan struct{}
		if a.spool != nil && a.ready.Load() && !a.spool.empty() {
			drain = always
		}
		select {
		case rec := <-a.queue:
			pending = append(pending, rec)
			if len(pending) >= a.cfg.BatchSize {
				if !a.ready.Load() {
					// Spooling: take everything queued meanwhile, so one fsync covers it all.
					pending = a.takeQueued(pending)
				}
				pending = a.flush(pending)
			}
		case <-ticker.C:
			pending = a.flush(pending)
		case <-drain:
			a.drainSpool()
		case <-a.stop:
			pending = a.takeQueued(pending)
			a.retryAt = time.Time{} // one last attempt even while backing off
			pending = a.flush(pending)
			if n := len(pending); n > 0 {
				a.drop(n, "shutdown")
				a.release(n)
				a.logger.Error("audit records neither stored in ClickHouse nor spooled at shutdown (they are in the audit log)", zap.Int("records", n))
			}
			if a.spool != nil {
				if err := a.spool.close(); err != nil {
					a.logger.Error("audit spool close failed", zap.Error(err))
				}
			}
			return
		}
	}
}

// takeQueued appends what waits in the queue to pending, without waiting.
func (a *auditor) takeQueued(pending []auditRecord) []auditRecord {
	for {
		select {
		case rec := <-a.queue:
			pending = append(pending, rec)
		default:
			return pending
		}
	}
}

// drainSpool inserts the oldest spooled segment in one INSERT (all or nothing, so a failure never
// stores part of it twice) and deletes it.
func (a *auditor) drainSpool() {
	seg, recs, corrupt, err := a.spool.oldest()
	if err != nil {
		a.logger.Error("audit spool segment unreadable, skipped", zap.String("segment", seg.name), zap.Error(err))
		a.drop(len(recs)+max(corrupt, 1), "spool_corrupt")
		if rerr := a.spool.remove(seg); rerr != nil {
			a.logger.Error("audit spool segment cannot be removed", zap.String("segment", seg.name), zap.Error(rerr))
			a.ready.Store(false) // stop the drain loop; tryPrepare retries with backoff
		}
		return
	}
	if seg.name == "" {
		return
	}
	if corrupt > 0 {
		// A line torn by a crash while it was appended.
		a.drop(corrupt, "spool_corrupt")
		a.logger.Warn("audit spool lines unreadable, skipped", zap.String("segment", seg.name), zap.Int("lines", corrupt))
	}
	if len(recs) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
		err = a.store.insert(ctx, recs)
		cancel()
		if err != nil {
			a.insertFailed(len(recs), err)
			return
		}
		a.tel.AuditRecordsWritten.Add(context.Background(), int64(len(recs)))
	}
	if err := a.spool.remove(seg); err != nil {
		a.logger.Error("audit spool segment stored but not removed: it will be stored again", zap.String("segment", seg.name), zap.Error(err))
		a.ready.Store(false)
		return
	}
	if a.spool.empty() {
		a.logger.Info("audit spool drained into ClickHouse")
	}
}

func (a *auditor) insertFailed(n int, err error) {
	a.tel.AuditWriteFailures.Add(context.Background(), 1)
	a.logger.Error("audit insert failed, will retry", zap.Int("records", n), zap.Error(err))
	// Re-check the table with backoff rather than hammering a failing server.
	a.ready.Store(false)
	a.lastPrepare = err
	a.backoff = min(max(2*a.backoff, 500*time.Millisecond), 10*time.Second)
	a.retryAt = time.Now().Add(a.backoff)
}

// tryPrepare connects to the audit table, backing off from 500ms to 10s between attempts.
func (a *auditor) tryPrepare() {
	if a.ready.Load() || time.Now().Before(a.retryAt) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	err := a.store.prepare(ctx)
	if err == nil {
		a.ready.Store(true)
		a.backoff = 0
		if a.lastPrepare != nil {
			a.logger.Info("audit storage is ready")
		}
		a.lastPrepare, a.warned = nil, ""
		return
	}
	switch {
	case chschema.NotCreatedYet(err) && time.Since(a.startedAt) < schemaGrace:
		// A first start: extensions start before the telemetry_storage exporter, whose migration
		// creates the database and the audit table a moment later. Nothing is wrong yet.
		if a.lastPrepare == nil {
			a.logger.Info("audit storage waits for the telemetry_storage schema migration, records wait in memory", zap.Error(err))
		}
	case a.warned != err.Error():
		a.logger.Warn("audit storage not ready, records wait in memory", zap.Error(err))
		a.warned = err.Error()
	}
	a.lastPrepare = err
	a.backoff = min(max(2*a.backoff, 500*time.Millisecond), 10*time.Second)
	a.retryAt = time.Now().Add(a.backoff)
}

// flush inserts pending in batches and returns what is left. What ClickHouse cannot take goes to
// the spool; what the spool cannot take either stays in memory (at most queue_size records, as
// reserve refuses requests beyond), never dropped.
func (a *auditor) flush(pending []auditRecord) []auditRecord {
	if n, r := a.queueDrops.Swap(0), a.refusals.Swap(0); n > 0 || r > 0 {
		a.logger.Warn("audit trail full (ClickHouse unavailable and no room in the spool): API requests refused with 503, other records not stored (they are in the audit log)",
			zap.Int64("requests_refused", r), zap.Int64("records_dropped", n))
	}
	// Also without pending records, so readiness recovers as soon as the table is reachable.
	a.tryPrepare()
	if len(pending) == 0 {
		return pending
	}
	for a.ready.Load() && len(pending) > 0 {
		n := min(len(pending), a.cfg.BatchSize)
		if a.unsure > 0 {
			n = a.unsure
		}
		ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
		err := a.store.insert(ctx, pending[:n])
		cancel()
		if err != nil {
			a.unsure = n
			a.insertFailed(n, err)
			break
		}
		a.unsure = 0
		a.tel.AuditRecordsWritten.Add(context.Background(), int64(n))
		a.release(n)
		pending = pending[n:]
	}
	if len(pending) > 0 && a.spool != nil {
		var err error
		pending, err = a.spoolPending(pending)
		switch {
		case err == nil:
			a.spoolWarned = false
		case !a.spoolWarned:
			a.spoolWarned = true
			a.logger.Error("audit records cannot be spooled, they wait in memory; API requests are refused once audit::queue_size are waiting",
				zap.Int("records", len(pending)), zap.Int("queue_size", a.cfg.QueueSize), zap.Error(err))
		}
	}
	if len(pending) == 0 {
		return nil // release the backing array
	}
	return pending
}

// spoolPending spools pending and returns what stays in memory. A batch whose insert may have been
// stored goes into a segment of its own, which drainSpool later inserts whole with the same token,
// so ClickHouse drops it if the failed attempt had in fact committed.
func (a *auditor) spoolPending(pending []auditRecord) ([]auditRecord, error) {
	spooled := func(n int) {
		a.tel.AuditRecordsSpooled.Add(context.Background(), int64(n))
		a.release(n)
	}
	if a.unsure > 0 {
		if err := a.spool.writeSegment(pending[:a.unsure]); err != nil {
			return pending, err
		}
		spooled(a.unsure)
		pending, a.unsure = pending[a.unsure:], 0
		if len(pending) == 0 {
			return nil, nil
		}
	}
	if err := a.spool.write(pending); err != nil {
		return pending, err
	}
	spooled(len(pending))
	return nil, nil
}

// schemaGrace is how long after start a missing database or audit table is expected (the exporter's
// migration has not run yet) rather than a problem worth a warning.
const schemaGrace = time.Minute

func (a *auditor) drop(n int, reason string) {
	a.tel.AuditRecordsDropped.Add(context.Background(), int64(n), metric.WithAttributes(attribute.String("reason", reason)))
}
