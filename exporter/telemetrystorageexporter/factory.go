// Package telemetrystorageexporter stores traces, metrics, logs and events in
// the Telemetry Module's ClickHouse schema (internal/chschema), with tenant
// and user as first-class columns, versioned migrations and retention that
// follows configuration changes.
package telemetrystorageexporter // import "github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter"

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
)

// NewFactory creates the factory of the telemetry_storage exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		exporter.WithTraces(createTraces, metadata.TracesStability),
		exporter.WithMetrics(createMetrics, metadata.MetricsStability),
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

// storages shares one storage between the signals of one component: the
// collector hands the same *Config to each signal's create function.
var storages = struct {
	sync.Mutex
	m map[*Config]*sharedStorage
}{m: map[*Config]*sharedStorage{}}

type sharedStorage struct {
	st   *storage
	uses int
}

func acquireStorage(set exporter.Settings, cfg *Config) (*storage, func(), error) {
	storages.Lock()
	defer storages.Unlock()
	if s, ok := storages.m[cfg]; ok {
		s.uses++
		return s.st, releaser(cfg), nil
	}
	tel, err := metadata.NewTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, nil, err
	}
	st, err := newStorage(cfg, set.Logger, tel)
	if err != nil {
		return nil, nil, err
	}
	storages.m[cfg] = &sharedStorage{st: st, uses: 1}
	return st, releaser(cfg), nil
}

// releaser forgets the shared storage once every signal has shut down, so
// a reloaded configuration gets a fresh one.
func releaser(cfg *Config) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			storages.Lock()
			defer storages.Unlock()
			if s, ok := storages.m[cfg]; ok {
				s.uses--
				if s.uses <= 0 {
					delete(storages.m, cfg)
				}
			}
		})
	}
}

func helperOptions(cfg *Config, e *signalExporter, release func()) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(func(ctx context.Context) error {
			defer release()
			return e.shutdown(ctx)
		}),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithRetry(cfg.BackOffConfig),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
	}
}

// newSignalExporter is what every signal's exporter shares: the storage of this configuration and
// the residency regions; release gives both back.
func newSignalExporter(set exporter.Settings, cfg *Config) (*signalExporter, func(), error) {
	st, release, err := acquireStorage(set, cfg)
	if err != nil {
		return nil, nil, err
	}
	e := &signalExporter{st: st}
	if release, err = withRegions(set, cfg, e, release); err != nil {
		return nil, nil, err
	}
	return e, release, nil
}

func createTraces(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Traces, error) {
	cfg := c.(*Config)
	e, release, err := newSignalExporter(set, cfg)
	if err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewTraces(ctx, set, cfg, e.pushTraces, helperOptions(cfg, e, release)...)
	if err != nil {
		release()
		return nil, err
	}
	return receiptTraces{exp}, nil
}

func createMetrics(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Metrics, error) {
	cfg := c.(*Config)
	e, release, err := newSignalExporter(set, cfg)
	if err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewMetrics(ctx, set, cfg, e.pushMetrics, helperOptions(cfg, e, release)...)
	if err != nil {
		release()
		return nil, err
	}
	return receiptMetrics{exp}, nil
}

func createLogs(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Logs, error) {
	cfg := c.(*Config)
	e, release, err := newSignalExporter(set, cfg)
	if err != nil {
		return nil, err
	}
	exp, err := exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs, helperOptions(cfg, e, release)...)
	if err != nil {
		release()
		return nil, err
	}
	return receiptLogs{exp}, nil
}
