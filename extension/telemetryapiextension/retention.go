package telemetryapiextension

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

// retentionTarget is one table a policy's signal shortens, with its row time and tenant columns.
type retentionTarget struct {
	signal, table, timeCol, tenantCol string
}

// retentionTargets are the tables each signal's retention shortens. Traces also shorten Grafana's
// trace-id table (docs/grafana.md: trace ids and times only), so a trace's row there does not
// outlive its spans.
var retentionTargets = []retentionTarget{
	{"traces", chschema.Spans, "timestamp", "tenant_id"},
	{"traces", chschema.TraceIDTimestamps, "End", "TenantId"},
	{"logs", chschema.Logs, "timestamp", "tenant_id"},
	{"metrics", chschema.Metrics, "timestamp", "tenant_id"},
	{"events", chschema.Events, "timestamp", "tenant_id"},
}

// purger applies tenants' retention_days in ClickHouse, for every data table (signal):
//
//   - the table's TTL gets one rule per tenant with a retention for that signal, after the storage
//     retention rule the telemetry_storage exporter keeps: `toDateTime(timestamp) +
//     toIntervalDay(30) WHERE tenant_id = 'eu'` (system.tables shows it: ClickHouse's effective
//     TTL, applied by its TTL merges to every part written from then on);
//   - a mutation deletes the tenant's rows already older than it, at once, since TTL merges of
//     existing parts may take hours (merge_with_ttl_timeout) and the tables drop whole parts only
//     (ttl_only_drop_parts).
//
// It runs at once on the collector that accepted a policy change, shortly after start and every
// purge_interval on every collector (idempotent: the TTL is altered only when it differs), so a row
// outlives its tenant's retention by at most purge_interval plus the mutation's run time.
type purger struct {
	cfg     StorageConfig
	reg     *privacypolicy.Registry
	logger  *zap.Logger
	targets []purgeTarget
	// engines reads the tables' engine_full.
	engines string

	mu   sync.Mutex
	conn driver.Conn
	// kick asks the loop to purge now.
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newPurger(cfg StorageConfig, reg *privacypolicy.Registry, logger *zap.Logger) (*purger, error) {
	schema, err := chschema.New(chschema.Options{Database: cfg.Database})
	if err != nil {
		return nil, err
	}
	p := &purger{cfg: cfg, reg: reg, logger: logger,
		engines: "SELECT name, engine_full FROM system.tables WHERE database = ?",
		kick:    make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for _, rt := range retentionTargets {
		t := schema.Table(rt.table)
		// Single-node tables: the storage table is the one queried. (Cluster mode would need
		// ON CLUSTER on the _local tables; not supported yet.)
		p.targets = append(p.targets, purgeTarget{retentionTarget: rt, storage: t.StorageName,
			// The trace-id table's End is a DateTime (seconds), the data tables' timestamp a DateTime64(9).
			deleteSQL: "ALTER TABLE " + t.Qualified + " DELETE WHERE " + rt.tenantCol + " = ? AND " + rt.timeCol + " < now() - toIntervalDay(?)",
			// Without materializing: the mutation above handles the rows already stored, so the
			// ALTER itself rewrites nothing.
			modify: "ALTER TABLE " + t.Qualified + " MODIFY TTL %s SETTINGS materialize_ttl_after_modify = 0",
			remove: "ALTER TABLE " + t.Qualified + " REMOVE TTL"})
	}
	return p, nil
}

// purgeTarget is a retentionTarget with its statements rendered once.
type purgeTarget struct {
	retentionTarget
	storage                   string // table name in system.tables
	deleteSQL, modify, remove string
}

// ttlRule is the tenant's TTL rule on this table; tenant ids are [A-Za-z0-9._-]
// (telemetryapi.ValidTenant), nothing to escape in a string literal.
func (t purgeTarget) ttlRule(tenant string, days int) string {
	return fmt.Sprintf("toDateTime(%s) + toIntervalDay(%d) WHERE %s = '%s'", t.timeCol, days, t.tenantCol, tenant)
}

// isTenantRule tells a tenant's rule from the storage retention rule in this table's live TTL.
func (t purgeTarget) isTenantRule(rule string) bool {
	return strings.Contains(rule, " WHERE "+t.tenantCol+" = ")
}

func (p *purger) connection() (driver.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		return p.conn, nil
	}
	opt, err := p.cfg.ClientOptions()
	if err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return nil, err
	}
	p.conn = conn
	return conn, nil
}

// start runs the loop: a purge on every kick and every interval.
func (p *purger) start(interval time.Duration) {
	go func() {
		defer close(p.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		// Once soon after start: a restart's schema reconciliation may have reset the TTL.
		first := time.NewTimer(30 * time.Second)
		defer first.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
			case <-first.C:
			case <-p.kick:
			}
			ctx, cancel := context.WithTimeout(context.Background(), p.cfg.Timeout)
			if n, err := p.purge(ctx); err != nil {
				p.logger.Warn("retention purge failed; retried at the next change or interval", zap.Error(err))
			} else if n > 0 {
				p.logger.Info("retention purge issued", zap.Int("mutations", n))
			}
			cancel()
		}
	}()
}

// now asks for a purge soon (after a policy change).
func (p *purger) now() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *purger) shutdown() error {
	var err error
	p.once.Do(func() {
		close(p.stop)
		<-p.done
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.conn != nil {
			err = p.conn.Close()
		}
	})
	return err
}

// purge issues one mutation per tenant and signal with a retention.
func (p *purger) purge(ctx context.Context) (int, error) {
	type job struct {
		tenant, signal string
		days           int
	}
	var jobs []job
	signals := map[string]bool{}
	for _, t := range p.targets {
		signals[t.signal] = true
	}
	for tenant, v := range p.reg.All() {
		for sig, days := range v.Policy.RetentionDays {
			if signals[sig] && days > 0 {
				jobs = append(jobs, job{tenant, sig, days})
			}
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].tenant+jobs[i].signal < jobs[j].tenant+jobs[j].signal })
	conn, err := p.connection()
	if err != nil {
		return 0, err
	}
	rules := map[string][]string{} // table -> the tenants' rules
	for _, j := range jobs {
		for _, t := range p.targets {
			if t.signal == j.signal {
				rules[t.table] = append(rules[t.table], t.ttlRule(j.tenant, j.days))
			}
		}
	}
	if err := p.syncTTL(ctx, conn, rules); err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		for _, t := range p.targets {
			if t.signal != j.signal {
				continue
			}
			if err := conn.Exec(ctx, t.deleteSQL, j.tenant, j.days); err != nil {
				return n, fmt.Errorf("purge %s (%s) of tenant %s: %w", j.signal, t.table, j.tenant, err)
			}
			n++
		}
	}
	return n, nil
}

// tenantTTLRule is a tenant's TTL rule on a data table (time column timestamp, tenant column tenant_id).
func tenantTTLRule(tenant string, days int) string {
	return purgeTarget{retentionTarget: retentionTarget{timeCol: "timestamp", tenantCol: "tenant_id"}}.ttlRule(tenant, days)
}

// syncTTL sets each data table's TTL to its storage retention rules plus rules (per table).
func (p *purger) syncTTL(ctx context.Context, conn driver.Conn, rules map[string][]string) error {
	rows, err := conn.Query(ctx, p.engines, p.cfg.Database)
	if err != nil {
		return fmt.Errorf("read system.tables: %w", err)
	}
	live := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			rows.Close()
			return err
		}
		live[name] = engine
	}
	rows.Close()
	for _, t := range p.targets {
		engine, ok := live[t.storage]
		if !ok {
			continue // not migrated yet
		}
		current := liveTTL(engine)
		var base []string
		for _, r := range splitTTL(current) {
			if !t.isTenantRule(r) {
				base = append(base, r)
			}
		}
		want := strings.Join(append(base, rules[t.table]...), ", ")
		if want == current {
			continue
		}
		stmt := fmt.Sprintf(t.modify, want)
		if want == "" { // only tenants' rules were there (no storage retention), none left
			stmt = t.remove
		}
		if err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("set the TTL of %s: %w", t.storage, err)
		}
	}
	return nil
}

// liveTTL is the TTL expression list of a table's engine_full ("" when it has none).
func liveTTL(engineFull string) string {
	i := strings.Index(engineFull, " TTL ")
	if i < 0 {
		return ""
	}
	rest := engineFull[i+len(" TTL "):]
	if j := strings.Index(rest, " SETTINGS "); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimSpace(rest)
}

// splitTTL splits a TTL list into its rules, each starting with toDateTime( (how chschema and
// this purger write them).
func splitTTL(ttl string) []string {
	if ttl == "" {
		return nil
	}
	parts := strings.Split(ttl, ", toDateTime(")
	for i := 1; i < len(parts); i++ {
		parts[i] = "toDateTime(" + parts[i]
	}
	return parts
}
