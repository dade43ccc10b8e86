package telemetrystorageexporter

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

//go:embed sql/*.sql
var samplingSQLFiles embed.FS

var samplingTemplates = template.Must(template.New("").Option("missingkey=error").ParseFS(samplingSQLFiles, "sql/*.sql"))

// Timing of a run (all on the engine's clock, so every gateway of a fleet agrees):
//   - settle: rows stamped (received_at) less than this ago are left to the next run, so an insert
//     stamped before a run but committed after it is not skipped;
//   - overlap: windows reach this far back over the previous run's, for the same reason; the copy
//     of late spans skips what is already stored, so nothing is copied twice.
const (
	samplerSettle  = time.Second
	samplerOverlap = time.Second
	// samplerRunTimeout bounds one run (a first run after a long stop reads more).
	samplerRunTimeout = 5 * time.Minute
	// samplerFinalTimeout bounds the run at shutdown.
	samplerFinalTimeout = 30 * time.Second
)

// sampler is the in-ClickHouse tail sampler of one storage: every interval it decides the traces
// whose first span was staged decision_wait ago (one row each in telemetry_sampling_decisions) and
// copies the kept traces' spans from telemetry_spans_staging into telemetry_spans. Its state is in
// ClickHouse: after a crash the next start resumes from the last decision it recorded, so a span
// acknowledged into the staging table is decided and, if kept, stored exactly once.
type sampler struct {
	cfg    SamplingConfig
	st     *storage
	logger *zap.Logger

	decideSQL, decidedSQL             string
	moveSQL, moveAntiJoinSQL, lateSQL string
	lateCheckSQL                      string
	threshold                         uint64
	queryPrefix                       string
	decidedAttrs                      map[string]metric.MeasurementOption
	stop, done                        chan struct{}
	stopOnce                          sync.Once

	// prev is the engine time (ms) up to which the last successful run looked; 0 before the first.
	prev int64
	// recovering: the previous run did not finish (or this is the first run after a start), so
	// copies skip spans already stored.
	recovering bool
	// offset is the engine's clock less this process's (ms), measured by every run; started is
	// when this sampler was made (local, Unix ms): rows staged before it (by an earlier process
	// under the same instance) count as staged then.
	offset, started int64
	// runs counts the runs made (skipped ones not), for tests.
	runs atomic.Int64
}

// samplerIdleMargin is how much later than the last staging insert's end, beyond decision_wait and
// the overlap, the last run must have looked before the next ones are skipped: the clock offset's
// error (a query's round trip) and a row stamped by the engine before its insert ended.
const samplerIdleMargin = 2 * time.Second

// idle: the next run has nothing to do, so it is skipped without a query (a sampler without
// traffic costs the engine nothing): the last run finished, and its windows (ending at s.prev, on
// the engine's clock) reached decision_wait past everything staged, so every staged trace was
// decided and, if kept, copied, and no late span came since. A staging insert, or a failed run,
// ends it.
func (s *sampler) idle() bool {
	if s.recovering || s.prev == 0 {
		return false
	}
	at := max(s.st.stagedAt.Load(), s.started)
	return at+s.offset+s.cfg.DecisionWait.Milliseconds()+samplerOverlap.Milliseconds()+samplerIdleMargin.Milliseconds() < s.prev
}

func newSampler(st *storage) (*sampler, error) {
	cfg := st.cfg.Sampling
	s := &sampler{cfg: cfg, st: st, logger: st.logger, recovering: true, started: time.Now().UnixMilli(),
		queryPrefix:  "telemetry-sampler-" + st.schema.Database() + "-" + cfg.Instance + "-",
		decidedAttrs: map[string]metric.MeasurementOption{}}
	// Consistent probability sampling (OTel): keep when randomness >= threshold.
	thRate := "0"
	switch {
	case cfg.Rate <= 0:
		s.threshold = sampling.MaxAdjustedCount // 2^56: no randomness reaches it
		thRate = ""
	case cfg.Rate >= 1:
		s.threshold = 0
	default:
		th, err := sampling.ProbabilityToThreshold(cfg.Rate)
		if err != nil {
			return nil, fmt.Errorf("sampling::rate %v: %w", cfg.Rate, err)
		}
		s.threshold = th.Unsigned()
		thRate = th.TValue()
	}
	staging := st.schema.Table(chschema.SpansStaging)
	decisions := st.schema.Table(chschema.SamplingDecisions)
	spans := st.schema.Table(chschema.Spans)
	selects := make([]string, 0, len(spans.InsertColumns))
	for _, c := range spans.InsertColumns {
		switch c {
		case "trace_state":
			selects = append(selects, traceStateExpr(thRate)+" AS trace_state")
		case "sample_rate":
			selects = append(selects, "least(s.sample_rate, d.decision_rate) AS sample_rate")
		case "service_name", "user_id", "session_id":
			selects = append(selects, derivedColumns[c]+" AS "+c)
		default:
			selects = append(selects, "s."+chschema.QuoteIdent(c))
		}
	}
	data := map[string]any{
		"Staging": staging.Qualified, "Decisions": decisions.Qualified, "Spans": spans.Qualified,
		"Columns": strings.Join(spans.InsertColumns, ", "), "Select": strings.Join(selects, ",\n    "),
	}
	var err error
	render := func(name string, anti, late bool) string {
		var b bytes.Buffer
		data["AntiJoin"], data["Late"] = anti, late
		if e := samplingTemplates.ExecuteTemplate(&b, name, data); e != nil {
			err = errors.Join(err, e)
		}
		return strings.TrimSpace(b.String())
	}
	s.decideSQL = render("sampling_decide.sql", false, false)
	s.moveSQL = render("sampling_move.sql", false, false)
	s.moveAntiJoinSQL = render("sampling_move.sql", true, false)
	s.lateSQL = render("sampling_move.sql", true, true)
	s.lateCheckSQL = render("sampling_late_check.sql", false, true)
	s.decidedSQL = render("sampling_decided.sql", false, false)
	for _, r := range []string{"error", "slow", "rate", "dropped"} {
		s.decidedAttrs[r] = metric.WithAttributeSet(attribute.NewSet(
			attribute.Bool("sampled", r != "dropped"), attribute.String("reason", r)))
	}
	return s, err
}

// derivedColumns are the columns of telemetry_spans that staged rows do not carry (spans_block.go:
// the collector would compute them for every span, nine in ten of which are dropped at the default
// rate): the copy computes them from the maps as the exporter does for stored spans (attrs.go:
// serviceOf, userOf, sessionOf; map values are the attributes' AsString). Staged rows written before
// (which have them) get the same values.
var derivedColumns = map[string]string{
	"service_name": "s.resource_attributes['service.name']",
	"user_id":      firstAttrExpr(attrUserID, attrEndUserID),
	"session_id":   firstAttrExpr(attrSessionID),
}

// firstAttrExpr is firstAttr in SQL: the first non-empty value of keys in the span's attributes, then
// in its resource's.
func firstAttrExpr(keys ...string) string {
	var b strings.Builder
	b.WriteString("multiIf(")
	for _, m := range []string{"s.attributes", "s.resource_attributes"} {
		for _, k := range keys {
			v := m + "[" + chschema.QuoteString(k) + "]"
			b.WriteString(v + " != '', " + v + ", ")
		}
	}
	b.WriteString("'')")
	return b.String()
}

// traceStateExpr gives a kept span the decision's OTel threshold (th) in the `ot` entry of its
// tracestate unless the span already carries one at least as strict (an SDK's head sampling):
// the rate's threshold for a trace kept by chance, th:0 for one kept by a rule.
func traceStateExpr(thRate string) string {
	const hasTh = `match(s.trace_state, '(^|,)\\s*ot=([^,]*;)?th:')`
	with := func(th string) string {
		return `if(match(s.trace_state, '(^|,)\\s*ot='),
            if(` + hasTh + `,
                replaceRegexpOne(s.trace_state, '((?:^|,)\\s*ot=(?:[^,]*;)?)th:[0-9a-f]*', '\\1th:` + th + `'),
                replaceRegexpOne(s.trace_state, '((?:^|,)\\s*ot=[^,]*)', '\\1;th:` + th + `')),
            if(s.trace_state = '', 'ot=th:` + th + `', concat('ot=th:` + th + `,', s.trace_state)))`
	}
	byRate := "s.trace_state" // rate 0: nothing is kept by chance
	if thRate != "" {
		byRate = with(thRate)
	}
	return `multiIf(` + hasTh + ` AND s.sample_rate <= d.decision_rate, s.trace_state,
        d.decision_rate < 1, ` + byRate + `,
        ` + with("0") + `)`
}

func (s *sampler) start() {
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.loop()
}

// shutdown stops the runs, then decides every trace still waiting on what was staged (the exporter's
// queue has stopped, so nothing more arrives from this process): a gateway scaled down or rolled
// over under a new name leaves no undecided spans behind, as contrib tail_sampling decides its
// pending traces at shutdown. A crash skips this; the next start under the same name resumes.
func (s *sampler) shutdown(ctx context.Context) error {
	if s.stop == nil {
		return nil
	}
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
	ctx, cancel := context.WithTimeout(ctx, samplerFinalTimeout)
	defer cancel()
	if err := s.run(ctx, true); err != nil {
		s.logger.Warn("final sampling run failed; traces waiting for a decision are decided when this instance starts again",
			zap.String("instance", s.cfg.Instance), zap.Error(err))
		return nil
	}
	return nil
}

func (s *sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if s.idle() {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), samplerRunTimeout)
		go func() { // a stop cancels a run in flight; the next start resumes it
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := s.run(ctx, false)
		cancel()
		if err != nil {
			s.recovering = true
			s.st.tel.SamplingRunFailures.Add(context.Background(), 1)
			s.logger.Warn("sampling run failed; the next run resumes it", zap.Error(err))
		}
	}
}

// run is one decision run: decide, record, copy the kept spans. The final run (at shutdown) decides
// every trace staged so far, whatever its age.
func (s *sampler) run(ctx context.Context, final bool) error {
	conn, _ := s.st.connection()
	if conn == nil {
		return errors.New("not connected")
	}
	s.runs.Add(1)
	var now int64
	local := time.Now().UnixMilli()
	if err := conn.QueryRow(ctx, "SELECT toUnixTimestamp64Milli(now64(3))").Scan(&now); err != nil {
		return fmt.Errorf("read the engine's clock: %w", err)
	}
	s.offset = now - local
	if !final {
		now -= samplerSettle.Milliseconds()
	}
	if s.prev == 0 {
		last, err := s.lastDecision(ctx, conn)
		if err != nil {
			return err
		}
		s.prev = last
		if last == 0 {
			s.prev = now - chschema.StagingRetention.Milliseconds()
		}
	}
	if now <= s.prev {
		return nil
	}
	wait, overlap, late := s.cfg.DecisionWait.Milliseconds(), samplerOverlap.Milliseconds(), s.cfg.LateSpans.Milliseconds()
	from := s.prev - wait - overlap
	cutoff := now - wait
	if final {
		cutoff = now
	}
	n, err := s.decide(ctx, conn, from, now, cutoff, now-late)
	if err != nil {
		return err
	}
	// Spans of the traces decided now (after a failed or interrupted run: since the last recorded
	// decision, whose copy may have been cut short).
	decidedAfter, newFrom := s.prev, from
	if s.recovering {
		decidedAfter, newFrom = s.prev-1, s.prev-late-wait-overlap
	}
	if n > 0 || s.recovering {
		q := s.moveSQL
		if s.recovering {
			q = s.moveAntiJoinSQL
		}
		if err := s.exec(ctx, conn, "move", q, clickhouse.Parameters{
			"decided_after": fmt.Sprint(decidedAfter), "decided_until": fmt.Sprint(now),
			"from": fmt.Sprint(newFrom), "now": fmt.Sprint(now)}); err != nil {
			return fmt.Errorf("copy the kept traces: %w", err)
		}
	}
	// Late spans: staged since the last run, of traces decided before this one.
	lateParams := func() clickhouse.Parameters {
		return clickhouse.Parameters{
			"decided_after": fmt.Sprint(now - late), "decided_until": fmt.Sprint(decidedAfter),
			"from": fmt.Sprint(s.prev - overlap), "now": fmt.Sprint(now)}
	}
	var candidates uint64
	if err := conn.QueryRow(s.queryContext(ctx, "late-check", lateParams()), s.lateCheckSQL).Scan(&candidates); err != nil {
		return fmt.Errorf("look for late spans: %w", err)
	}
	if candidates > 0 {
		if err := s.exec(ctx, conn, "late", s.lateSQL, lateParams()); err != nil {
			return fmt.Errorf("copy late spans: %w", err)
		}
	}
	s.prev, s.recovering = now, false
	return nil
}

func (s *sampler) lastDecision(ctx context.Context, conn driver.Conn) (int64, error) {
	var last int64
	q := "SELECT toUnixTimestamp64Milli(max(decided_at)) FROM " + s.st.schema.Table(chschema.SamplingDecisions).Qualified +
		" WHERE sampler = {sampler:String}"
	ctx = clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"sampler": s.cfg.Instance}))
	if err := conn.QueryRow(ctx, q).Scan(&last); err != nil {
		return 0, fmt.Errorf("read the last sampling decision: %w", err)
	}
	return last, nil
}

// decide records a decision for every trace due, in ClickHouse (sampling_decide.sql), then reads
// back how many of this run's decisions each rule took; it returns how many traces were kept.
func (s *sampler) decide(ctx context.Context, conn driver.Conn, from, now, cutoff, late int64) (int, error) {
	keepErrors := "0"
	if s.cfg.KeepErrors {
		keepErrors = "1"
	}
	if err := s.exec(ctx, conn, "decide", s.decideSQL, clickhouse.Parameters{
		"from": fmt.Sprint(from), "now": fmt.Sprint(now), "cutoff": fmt.Sprint(cutoff),
		"late": fmt.Sprint(late), "keep_errors": keepErrors, "slow_ms": fmt.Sprint(s.cfg.SlowThresholdMs),
		"threshold": fmt.Sprint(s.threshold), "rate": fmt.Sprint(s.cfg.Rate)}); err != nil {
		return 0, fmt.Errorf("decide: %w", err)
	}
	qctx := clickhouse.Context(ctx, clickhouse.WithQueryID(s.queryPrefix+"decided"), clickhouse.WithParameters(clickhouse.Parameters{
		"sampler": s.cfg.Instance, "now": fmt.Sprint(now)}))
	rows, err := conn.Query(qctx, s.decidedSQL)
	if err != nil {
		return 0, fmt.Errorf("count the decisions: %w", err)
	}
	defer rows.Close()
	kept := 0
	for rows.Next() {
		var reason string
		var n uint64
		if err := rows.Scan(&reason, &n); err != nil {
			return 0, fmt.Errorf("count the decisions: %w", err)
		}
		if reason != "dropped" {
			kept += int(n)
		}
		if opt, ok := s.decidedAttrs[reason]; ok {
			s.st.tel.SamplingTracesDecided.Add(ctx, int64(n), opt)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count the decisions: %w", err)
	}
	return kept, nil
}

func (s *sampler) exec(ctx context.Context, conn driver.Conn, name, q string, p clickhouse.Parameters) error {
	return conn.Exec(clickhouse.Context(s.queryContext(ctx, name, p), clickhouse.WithSettings(insertSettings)), q)
}

// queryContext names a query of this sampler and binds p, with the sampler's own parameters.
func (s *sampler) queryContext(ctx context.Context, name string, p clickhouse.Parameters) context.Context {
	p["sampler"] = s.cfg.Instance
	p["overlap_ms"] = fmt.Sprint(samplerOverlap.Milliseconds())
	return clickhouse.Context(ctx, clickhouse.WithQueryID(s.queryPrefix+name), clickhouse.WithParameters(p))
}
