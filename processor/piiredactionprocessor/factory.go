// Package piiredactionprocessor implements the pii_redaction processor: it
// removes, hashes, masks or anonymizes personal data and credentials in
// traces, metrics and logs according to a privacy mode (strict, balanced,
// minimal).
package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

// The processor modifies data in place.
var processorCapabilities = consumer.Capabilities{MutatesData: true}

// NewFactory returns the factory of the pii_redaction processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func newProcessor(set processor.Settings, cfg component.Config) (*piiProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return newPIIProcessor(cfg.(*Config), set.ID.String(), tb), nil
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newProcessor(set, cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces, processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start))
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := newProcessor(set, cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics, processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newProcessor(set, cfg)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs, processorhelper.WithCapabilities(processorCapabilities), processorhelper.WithStart(p.start))
}
