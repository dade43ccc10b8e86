package telemetryapiextension

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

// retentionTables maps a policy's signal to the table it shortens.
var retentionTables = map[string]string{
	"traces": chschema.Spans, "logs": chschema.Logs, "metrics": chschema.Metrics, "events": chschema.Events,
}

// purger applies tenants' retention_days to data already stored: for each tenant and signal with
// a retention, a ClickHouse mutation deletes that tenant's rows older than it. The table TTL
// (telemetry_storage retention) cannot do it per tenant: parts mix tenants and the tables drop
// whole parts only (ttl_only_drop_parts). It runs at once on the collector that accepted a policy
// change and every purge_interval on every collector (idempotent), so a row outlives its tenant's
// retention by at most purge_interval plus the mutation's run time.
type purger struct {
	cfg     StorageConfig
	reg     *privacypolicy.Registry
	logger  *zap.Logger
	deletes map[string]string // signal -> ALTER TABLE ... DELETE

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
	p := &purger{cfg: cfg, reg: reg, logger: logger, deletes: map[string]string{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	for sig, name := range retentionTables {
		t := schema.Table(name)
		// Single-node tables: the storage table is the one queried. (Cluster mode would need
		// ON CLUSTER on the _local tables; not supported yet.)
		p.deletes[sig] = "ALTER TABLE " + t.Qualified + " DELETE WHERE tenant_id = ? AND timestamp < now64(9) - toIntervalDay(?)"
	}
	return p, nil
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
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
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
	for tenant, v := range p.reg.All() {
		for sig, days := range v.Policy.RetentionDays {
			if _, ok := p.deletes[sig]; ok && days > 0 {
				jobs = append(jobs, job{tenant, sig, days})
			}
		}
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].tenant+jobs[i].signal < jobs[j].tenant+jobs[j].signal })
	conn, err := p.connection()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		if err := conn.Exec(ctx, p.deletes[j.signal], j.tenant, j.days); err != nil {
			return n, fmt.Errorf("purge %s of tenant %s: %w", j.signal, j.tenant, err)
		}
		n++
	}
	return n, nil
}
