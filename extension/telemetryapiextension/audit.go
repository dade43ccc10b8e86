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

// auditor logs every record synchronously (the collector log is the copy that cannot be lost)
// and queues it for ClickHouse; a goroutine inserts in batches. Requests never wait for
// ClickHouse: a full queue drops the record for ClickHouse and counts it.
type auditor struct {
	logger *zap.Logger
	tel    *metadata.Telemetry
	store  auditStore // nil: log only
	cfg    AuditConfig
	// timeout bounds each prepare/insert.
	timeout time.Duration

	queue chan auditRecord
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once

	ready       atomic.Bool
	started     atomic.Bool
	queueDrops  atomic.Int64 // since the last "queue full" log line
	lastPrepare error
	warned      string    // the prepare error last logged as a warning
	startedAt   time.Time // a first start waits for the exporter's migration (schemaGrace)
	retryAt     time.Time
	backoff     time.Duration
}

func newAuditor(logger *zap.Logger, tel *metadata.Telemetry, store auditStore, cfg AuditConfig, timeout time.Duration) *auditor {
	return &auditor{
		logger: logger.Named("audit"), tel: tel, store: store, cfg: cfg, timeout: timeout,
		queue: make(chan auditRecord, cfg.QueueSize),
		stop:  make(chan struct{}), done: make(chan struct{}),
	}
}

// emit never blocks.
func (a *auditor) emit(rec auditRecord) {
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
	a.logger.Info("audit", fields...)
	if a.store == nil {
		return
	}
	select {
	case a.queue <- rec:
	default:
		a.tel.AuditRecordsDropped.Add(context.Background(), 1, metric.WithAttributes(attribute.String("reason", "queue_full")))
		a.queueDrops.Add(1)
	}
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

// shutdown stops the writer after a last flush bounded by the storage timeout; records that
// still could not be stored are counted and logged.
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

func (a *auditor) run() {
	defer close(a.done)
	ticker := time.NewTicker(a.cfg.FlushInterval)
	defer ticker.Stop()
	var pending []auditRecord
	a.tryPrepare()
	for {
		select {
		case rec := <-a.queue:
			pending = append(pending, rec)
			if len(pending) >= a.cfg.BatchSize {
				pending = a.flush(pending)
			}
		case <-ticker.C:
			pending = a.flush(pending)
		case <-a.stop:
		drain:
			for {
				select {
				case rec := <-a.queue:
					pending = append(pending, rec)
				default:
					break drain
				}
			}
			a.retryAt = time.Time{} // one last attempt even while backing off
			pending = a.flush(pending)
			if n := len(pending); n > 0 {
				a.drop(n, "shutdown")
				a.logger.Error("audit records not stored in ClickHouse at shutdown (they are in this log)", zap.Int("records", n))
			}
			return
		}
	}
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
	case notCreatedYet(err) && time.Since(a.startedAt) < schemaGrace:
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

// flush inserts pending in batches and returns what is left. While ClickHouse is unavailable
// records stay pending up to queue_size; older ones beyond that are dropped and counted.
func (a *auditor) flush(pending []auditRecord) []auditRecord {
	if n := a.queueDrops.Swap(0); n > 0 {
		a.logger.Warn("audit queue full, records not stored in ClickHouse (they are in this log)", zap.Int64("records", n))
	}
	// Also without pending records, so readiness recovers as soon as the table is reachable.
	a.tryPrepare()
	if len(pending) == 0 {
		return pending
	}
	for a.ready.Load() && len(pending) > 0 {
		n := min(len(pending), a.cfg.BatchSize)
		ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
		err := a.store.insert(ctx, pending[:n])
		cancel()
		if err != nil {
			a.tel.AuditWriteFailures.Add(context.Background(), 1)
			a.logger.Error("audit insert failed, will retry", zap.Int("records", n), zap.Error(err))
			// Re-check the table with backoff rather than hammering a failing server.
			a.ready.Store(false)
			a.lastPrepare = err
			a.backoff = min(max(2*a.backoff, 500*time.Millisecond), 10*time.Second)
			a.retryAt = time.Now().Add(a.backoff)
			break
		}
		a.tel.AuditRecordsWritten.Add(context.Background(), int64(n))
		pending = pending[n:]
	}
	if over := len(pending) - a.cfg.QueueSize; over > 0 {
		a.drop(over, "storage_unavailable")
		a.logger.Error("audit storage unavailable, oldest records dropped from memory (they are in this log)", zap.Int("records", over))
		pending = pending[over:]
	}
	if len(pending) == 0 {
		return nil // release the backing array
	}
	return pending
}

// schemaGrace is how long after start a missing database or audit table is expected (the exporter's
// migration has not run yet) rather than a problem worth a warning.
const schemaGrace = time.Minute

// notCreatedYet reports ClickHouse's "unknown database" (81) and "unknown table" (60).
func notCreatedYet(err error) bool {
	code, ok := chschema.ErrorCode(err)
	return ok && (code == 60 || code == 81)
}

func (a *auditor) drop(n int, reason string) {
	a.tel.AuditRecordsDropped.Add(context.Background(), int64(n), metric.WithAttributes(attribute.String("reason", reason)))
}
