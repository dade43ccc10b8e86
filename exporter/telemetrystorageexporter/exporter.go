package telemetrystorageexporter

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// Blocks are pooled: queue consumers push concurrently, and reusing the
// column slices removes most per-batch allocations.
var (
	logBlocks    = sync.Pool{New: func() any { return &[2]logBlock{{events: true}, {}} }}
	spanBlocks   = sync.Pool{New: func() any { return &spanBlock{} }}
	metricBlocks = sync.Pool{New: func() any { return &metricBlock{} }}
)

// signalExporter is the exporterhelper-facing side of one signal.
type signalExporter struct {
	st      *storage
	started atomic.Bool
	// route, when residency is configured, sends each tenant's records to its region (residency.go).
	route *router
}

func (e *signalExporter) start(ctx context.Context, host component.Host) error {
	if err := e.st.useSuppression(host); err != nil {
		return err
	}
	if err := e.st.start(ctx); err != nil {
		return err
	}
	if e.route != nil {
		if err := e.route.start(ctx, host); err != nil {
			return err
		}
	}
	e.started.Store(true)
	return nil
}

// shutdown releases this signal's use of the shared connection; an
// exporter that never started holds none.
func (e *signalExporter) shutdown(ctx context.Context) error {
	if !e.started.Swap(false) {
		return nil
	}
	if e.route != nil {
		return errors.Join(e.route.shutdown(ctx), e.st.shutdown(ctx))
	}
	return e.st.shutdown(ctx)
}

func (e *signalExporter) pushLogs(ctx context.Context, ld plog.Logs) (err error) {
	if e.route != nil {
		return e.route.pushLogs(ctx, ld)
	}
	blocks := logBlocks.Get().(*[2]logBlock)
	defer func() {
		blocks[0].reset()
		blocks[1].reset()
		logBlocks.Put(blocks)
	}()
	events, logs := &blocks[0], &blocks[1]
	token := logsToken(ld)
	ld, suppressed := e.st.suppressLogs(ld)
	defer func() { e.st.countSuppressed(ctx, "logs", suppressed, err) }()
	e.st.recordDrops(ctx, "logs", appendLogs(ld, events, logs, time.Now().UTC(), e.st.rowLimit))
	if events.rows() == 0 || logs.rows() == 0 {
		return joinInsertErrors(
			e.st.insert(ctx, chschema.Events, events, token),
			e.st.insert(ctx, chschema.Logs, logs, token),
		)
	}
	// The two inserts are independent: sending them at once lets the server
	// (or, on a single-threaded engine, at least the transfer) work on both.
	var eventsErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		eventsErr = e.st.insert(ctx, chschema.Events, events, token)
	}()
	logsErr := e.st.insert(ctx, chschema.Logs, logs, token)
	<-done
	return joinInsertErrors(eventsErr, logsErr)
}

func (e *signalExporter) pushTraces(ctx context.Context, td ptrace.Traces) (err error) {
	if e.route != nil {
		return e.route.pushTraces(ctx, td)
	}
	b := spanBlocks.Get().(*spanBlock)
	defer func() {
		b.reset()
		spanBlocks.Put(b)
	}()
	sampling := e.st.cfg.Sampling
	token := ""
	if !sampling.Enabled {
		// Staged spans need no token (and skip its cost, an OTLP encoding and hash of every batch,
		// as much CPU as converting it: BenchmarkBatchToken): a span staged twice by a retried batch
		// is copied into telemetry_spans once (sampling_move.sql: LIMIT 1 BY, and spans already
		// stored are skipped), which is where deduplication matters.
		token = tracesToken(td)
	}
	td, suppressed := e.st.suppressTraces(td)
	defer func() { e.st.countSuppressed(ctx, "traces", suppressed, err) }()
	if sampling.Enabled {
		b.stageAs(sampling.Instance)
	}
	e.st.recordDrops(ctx, "traces", appendSpans(td, b, time.Now().UTC(), e.st.rowLimit))
	if sampling.Enabled {
		// Acknowledged once staged: the decision is taken in ClickHouse (sampler.go).
		b.stageAs(sampling.Instance)
		defer func() { e.st.stagedAt.Store(time.Now().UnixMilli()) }()
		return e.st.insert(ctx, chschema.SpansStaging, b, token)
	}
	return e.st.insert(ctx, chschema.Spans, b, token)
}

func (e *signalExporter) pushMetrics(ctx context.Context, md pmetric.Metrics) (err error) {
	if e.route != nil {
		return e.route.pushMetrics(ctx, md)
	}
	b := metricBlocks.Get().(*metricBlock)
	defer func() {
		b.reset()
		metricBlocks.Put(b)
	}()
	token := metricsToken(md)
	md, suppressed := e.st.suppressMetrics(md)
	defer func() { e.st.countSuppressed(ctx, "metrics", suppressed, err) }()
	e.st.recordDrops(ctx, "metrics", appendMetrics(md, b, time.Now().UTC(), e.st.rowLimit))
	return e.st.insert(ctx, chschema.Metrics, b, token)
}
