package main

import (
	"context"
	"fmt"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/clickhouseexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter"
)

const (
	oursDatabase    = "bench_telemetry_storage"
	contribDatabase = "bench_clickhouse_contrib"
)

// candidate is one exporter under test, created through its factory as the collector does.
type candidate struct {
	name     string
	database string
	logs     exporter.Logs
	traces   exporter.Traces
	// Tables the candidate writes; logs may be split over several.
	logTables, spanTables []string
}

// The settings both exporters share, so the comparison measures the exporters: no sending queue
// (ConsumeX returns once the INSERT is acknowledged, so wall time covers the whole write), no
// retry (an error ends the run instead of hiding in a backoff), one timeout, lz4 insert blocks.
const exportTimeout = 2 * time.Minute

func newCandidates(ctx context.Context, endpoint string, asyncInsert bool) ([]*candidate, error) {
	ours := &candidate{
		name: "telemetry_storage", database: oursDatabase,
		logTables:  []string{"telemetry_logs", "telemetry_events"},
		spanTables: []string{"telemetry_spans"},
	}
	of := telemetrystorageexporter.NewFactory()
	oc := of.CreateDefaultConfig().(*telemetrystorageexporter.Config)
	oc.Endpoint = endpoint
	oc.Database = ours.database
	oc.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	oc.BackOffConfig.Enabled = false
	oc.Timeout = exportTimeout
	oc.AsyncInsert = asyncInsert
	oc.Compression = telemetrystorageexporter.CompressionLZ4
	if err := ours.create(ctx, of, oc); err != nil {
		return nil, err
	}

	contrib := &candidate{
		name: "clickhouse (contrib)", database: contribDatabase,
		logTables:  []string{"otel_logs"},
		spanTables: []string{"otel_traces"},
	}
	cf := clickhouseexporter.NewFactory()
	cc := cf.CreateDefaultConfig().(*clickhouseexporter.Config)
	cc.Endpoint = endpoint
	cc.Database = contrib.database
	cc.QueueSettings = configoptional.None[exporterhelper.QueueBatchConfig]()
	cc.BackOffConfig.Enabled = false
	cc.TimeoutSettings.Timeout = exportTimeout
	cc.AsyncInsert = asyncInsert
	cc.Compress = "lz4"
	if err := contrib.create(ctx, cf, cc); err != nil {
		return nil, err
	}
	return []*candidate{ours, contrib}, nil
}

func (c *candidate) create(ctx context.Context, f exporter.Factory, cfg component.Config) error {
	if v, ok := cfg.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("%s config: %w", c.name, err)
		}
	}
	set := exportertest.NewNopSettings(f.Type())
	var err error
	if c.logs, err = f.CreateLogs(ctx, set, cfg); err != nil {
		return fmt.Errorf("%s logs: %w", c.name, err)
	}
	if c.traces, err = f.CreateTraces(ctx, set, cfg); err != nil {
		return fmt.Errorf("%s traces: %w", c.name, err)
	}
	host := componenttest.NewNopHost()
	if err := c.logs.Start(ctx, host); err != nil {
		return fmt.Errorf("start %s logs: %w", c.name, err)
	}
	if err := c.traces.Start(ctx, host); err != nil {
		return fmt.Errorf("start %s traces: %w", c.name, err)
	}
	return nil
}

func (c *candidate) shutdown(ctx context.Context) {
	if c.logs != nil {
		_ = c.logs.Shutdown(ctx)
	}
	if c.traces != nil {
		_ = c.traces.Shutdown(ctx)
	}
}
