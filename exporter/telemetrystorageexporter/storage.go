package telemetrystorageexporter

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// insertSettings apply to every INSERT. A batch spanning many days would
// otherwise fail with TOO_MANY_PARTS (more than 100 partitions per block),
// an error indistinguishable from merge back-pressure.
var insertSettings = clickhouse.Settings{"throw_on_max_partitions_per_insert_block": 0}

// storage is one ClickHouse connection and schema, shared by the traces,
// metrics and logs exporters of one component configuration, so migrations
// run once per collector and the pool is shared.
type storage struct {
	cfg    *Config
	schema *chschema.Schema
	logger *zap.Logger
	tel    *metadata.Telemetry
	// rowLimit guards the data tables' TTL (see rowLimit).
	rowLimit rowLimit
	// suppress is the data_rights extension's suppression list, if any (suppress.go).
	suppress atomic.Pointer[suppression.List]

	mu      sync.Mutex
	refs    int
	conn    driver.Conn
	columns map[string][]clickhouse.ColumnNameAndType
	// migrated is the result of the last Migrate, for tests and logs.
	migrated chschema.MigrateResult
	// sampler decides staged traces while the connection is open (sampling::enabled).
	sampler *sampler
	// stagedAt is when (local clock, Unix ms) an insert into telemetry_spans_staging last ended,
	// successful or not: the sampler skips its runs once everything staged before was decided
	// (sampler.go, idle).
	stagedAt atomic.Int64
}

func newStorage(cfg *Config, logger *zap.Logger, tel *metadata.Telemetry) (*storage, error) {
	schema, err := chschema.New(cfg.schemaOptions())
	if err != nil {
		return nil, err
	}
	s := &storage{cfg: cfg, schema: schema, logger: logger, tel: tel,
		rowLimit: ttlRowLimit(cfg.Retention.Duration())}
	// Fail at creation, not at the first export, if the insert statements
	// and the converters disagree on columns.
	for _, tb := range []struct {
		table string
		b     block
	}{
		{chschema.Events, &logBlock{events: true}},
		{chschema.Logs, &logBlock{}},
		{chschema.Spans, &spanBlock{}},
		{chschema.SpansStaging, &spanBlock{staging: true}},
		{chschema.Metrics, &metricBlock{}},
	} {
		if err := checkBinding(schema.Table(tb.table), tb.b); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// start opens the connection and migrates on the first caller.
func (s *storage) start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.refs++
		return nil
	}
	opt, err := s.cfg.clickhouseOptions(ctx)
	if err != nil {
		return err
	}
	conn, err := clickhouse.Open(opt)
	if err != nil {
		return fmt.Errorf("open ClickHouse %s: %w", redactedEndpoint(s.cfg.Endpoint), err)
	}
	if err := s.prepare(ctx, conn); err != nil {
		_ = conn.Close()
		return err
	}
	s.conn = conn
	s.refs++
	if s.cfg.Sampling.Enabled {
		smp, err := newSampler(s)
		if err != nil {
			s.conn = nil
			s.refs--
			_ = conn.Close()
			return err
		}
		s.sampler = smp
		smp.start()
	}
	return nil
}

func (s *storage) prepare(ctx context.Context, conn driver.Conn) error {
	if s.cfg.CreateSchema {
		res, err := s.schema.Migrate(ctx, conn)
		if err != nil {
			return fmt.Errorf("migrate schema in database %s: %w", s.schema.Database(), err)
		}
		s.migrated = res
		s.logger.Info("ClickHouse schema ready",
			zap.String("database", s.schema.Database()),
			zap.Uint32s("applied_migrations", res.Applied),
			zap.Strings("ttl_modified", res.TTLModified),
			zap.Strings("ttl_removed", res.TTLRemoved))
	}
	cols := map[string][]clickhouse.ColumnNameAndType{}
	tables := []string{chschema.Events, chschema.Logs, chschema.Spans, chschema.Metrics}
	if s.cfg.Sampling.Enabled {
		// Only then: a schema managed out of band (create_schema: false) need not have it.
		tables = append(tables, chschema.SpansStaging)
	}
	for _, name := range tables {
		t := s.schema.Table(name)
		c, err := describe(ctx, conn, t)
		if err != nil {
			return err
		}
		cols[name] = c
	}
	s.columns = cols
	return nil
}

// describe reads the insert columns' types once, so HTTP inserts skip the
// DESCRIBE TABLE clickhouse-go would otherwise run before every batch. It
// also proves the tables exist when create_schema is off.
func describe(ctx context.Context, conn driver.Conn, t *chschema.Table) ([]clickhouse.ColumnNameAndType, error) {
	rows, err := conn.Query(ctx, "DESCRIBE TABLE "+t.Qualified)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", t.Qualified, err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ, defaultType, defaultExpr, comment, codec, ttl string
		if err := rows.Scan(&name, &typ, &defaultType, &defaultExpr, &comment, &codec, &ttl); err != nil {
			return nil, fmt.Errorf("describe %s: %w", t.Qualified, err)
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("describe %s: %w", t.Qualified, err)
	}
	out := make([]clickhouse.ColumnNameAndType, 0, len(t.InsertColumns))
	for _, c := range t.InsertColumns {
		typ, ok := types[c]
		if !ok {
			return nil, fmt.Errorf("table %s has no column %s; was the schema changed out of band?", t.Qualified, c)
		}
		out = append(out, clickhouse.ColumnNameAndType{Name: c, Type: typ})
	}
	return out, nil
}

func (s *storage) shutdown(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs > 0 {
		s.refs--
	}
	if s.refs > 0 || s.conn == nil {
		return nil
	}
	if s.sampler != nil {
		// connection() takes mu: the sampler's run in flight must not wait on it while we hold it.
		smp := s.sampler
		s.sampler = nil
		s.mu.Unlock()
		_ = smp.shutdown(ctx)
		s.mu.Lock()
		if s.conn == nil {
			return nil
		}
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

func (s *storage) connection() (driver.Conn, map[string][]clickhouse.ColumnNameAndType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn, s.columns
}

// insert sends one block as INSERTs of at most max_rows_per_insert rows and max_bytes_per_insert
// estimated bytes each. token (see token.go) names the batch: each part carries it with its index
// as insert_deduplication_token, so a retry of the batch, whose earlier attempt stored some or all
// parts before failing, stores each part exactly once. Append failures are permanent (the same
// rows fail the same way again); server errors are classified.
func (s *storage) insert(ctx context.Context, table string, b block, token string) error {
	n := b.rows()
	if n == 0 {
		return nil
	}
	conn, columns := s.connection()
	if conn == nil {
		return errors.New("telemetry_storage exporter is not started")
	}
	parts := splitRows(b, n, s.cfg.MaxRowsPerInsert, s.cfg.MaxBytesPerInsert)
	cols := b.columns()
	for i, p := range parts {
		partToken := ""
		if token != "" {
			partToken = fmt.Sprintf("%s-%d", token, i)
		}
		if err := s.insertPart(ctx, conn, columns[table], table, cols, p, n, partToken); err != nil {
			if len(parts) > 1 {
				return fmt.Errorf("part %d of %d: %w", i+1, len(parts), err)
			}
			return err
		}
	}
	if len(parts) > 1 {
		s.tel.InsertSplits.Add(ctx, int64(len(parts)-1), metric.WithAttributeSet(attribute.NewSet(attribute.String("table", table))))
	}
	return nil
}

func (s *storage) insertPart(ctx context.Context, conn driver.Conn, types []clickhouse.ColumnNameAndType,
	table string, cols map[string]any, r rowRange, n int, token string,
) error {
	t := s.schema.Table(table)
	start := time.Now()
	settings := insertSettings
	if token != "" {
		settings = make(clickhouse.Settings, len(insertSettings)+2)
		maps.Copy(settings, insertSettings)
		settings["insert_deduplicate"] = 1
		settings["insert_deduplication_token"] = token
	}
	ctx = clickhouse.Context(ctx,
		clickhouse.WithColumnNamesAndTypes(types),
		clickhouse.WithSettings(settings))
	batch, err := conn.PrepareBatch(ctx, t.InsertSQL)
	if err != nil {
		return classifyServerError(fmt.Errorf("prepare insert into %s: %w", table, err))
	}
	defer func() { _ = batch.Close() }()
	for i, name := range t.InsertColumns {
		if err := batch.Column(i).Append(sliceColumn(cols[name], r, n)); err != nil {
			return consumererror.NewPermanent(fmt.Errorf("encode column %s.%s: %w", table, name, err))
		}
	}
	rows := r.to - r.from
	if err := batch.Send(); err != nil {
		return classifyServerError(fmt.Errorf("insert %d rows into %s: %w", rows, table, err))
	}
	tableAttr := metric.WithAttributeSet(attribute.NewSet(attribute.String("table", table)))
	s.tel.RowsInserted.Add(ctx, int64(rows), tableAttr)
	s.tel.InsertDuration.Record(ctx, time.Since(start).Seconds(), tableAttr)
	return nil
}

// recordDrops counts and logs records the converters refused.
func (s *storage) recordDrops(ctx context.Context, signal string, d drops) {
	for r, n := range d {
		if n == 0 {
			continue
		}
		reason := dropReason(r).String()
		s.tel.RecordsDropped.Add(ctx, n, metric.WithAttributes(
			attribute.String("signal", signal), attribute.String("reason", reason)))
		s.logger.Warn("records not stored", zap.String("signal", signal), zap.String("reason", reason), zap.Int64("count", n))
	}
}
