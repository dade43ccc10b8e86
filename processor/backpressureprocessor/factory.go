// Package backpressureprocessor makes a refusal from further down the pipeline say when to retry. Put
// it first in a pipeline: when the memory_limiter or a full sending queue refuses data, OTLP/HTTP
// clients get 503 with Retry-After and OTLP/gRPC clients UNAVAILABLE with RetryInfo, instead of a
// bare 503 / UNAVAILABLE that stock receivers send. Data is never changed or dropped here.
package backpressureprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/backpressureprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/backpressureprocessor/internal/metadata"
)

// NewFactory returns the factory of the backpressure processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

// passThrough is what the three signals share: no state, no goroutines, data untouched.
type passThrough struct {
	component.StartFunc
	component.ShutdownFunc
	cfg *Config
}

func (passThrough) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

type tracesProcessor struct {
	passThrough
	next consumer.Traces
}

func (p *tracesProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	return annotate(p.next.ConsumeTraces(ctx, td), p.cfg.RetryAfter)
}

type metricsProcessor struct {
	passThrough
	next consumer.Metrics
}

func (p *metricsProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	return annotate(p.next.ConsumeMetrics(ctx, md), p.cfg.RetryAfter)
}

type logsProcessor struct {
	passThrough
	next consumer.Logs
}

func (p *logsProcessor) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	return annotate(p.next.ConsumeLogs(ctx, ld), p.cfg.RetryAfter)
}

func createTraces(_ context.Context, _ processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	return &tracesProcessor{passThrough{cfg: cfg.(*Config)}, next}, nil
}

func createMetrics(_ context.Context, _ processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	return &metricsProcessor{passThrough{cfg: cfg.(*Config)}, next}, nil
}

func createLogs(_ context.Context, _ processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	return &logsProcessor{passThrough{cfg: cfg.(*Config)}, next}, nil
}
