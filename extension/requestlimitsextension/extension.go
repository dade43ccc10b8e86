package requestlimitsextension

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/requestlimitsextension/internal/metadata"
)

type limitsExtension struct {
	lim    *Limits
	tel    *metadata.Telemetry
	logger *zap.Logger
	// refusals hands a verdict of the gRPC codec to the interceptor (grpc.go).
	refusals refusalTable
}

var (
	_ extensionmiddleware.HTTPServer = (*limitsExtension)(nil)
	_ extensionmiddleware.GRPCServer = (*limitsExtension)(nil)
)

func newExtension(cfg *Config, set component.TelemetrySettings) (*limitsExtension, error) {
	tel, err := metadata.NewTelemetry(set)
	if err != nil {
		return nil, err
	}
	return &limitsExtension{lim: cfg.limits(), tel: tel, logger: set.Logger}, nil
}

func (*limitsExtension) Start(context.Context, component.Host) error { return nil }
func (*limitsExtension) Shutdown(context.Context) error              { return nil }

// signal of an OTLP message, for the metrics.
func signalOf(m *message) string {
	switch m {
	case logsRequest:
		return "logs"
	case tracesRequest:
		return "traces"
	case metricsRequest:
		return "metrics"
	}
	return "unknown"
}

// refused counts and logs (at debug: a hostile client must not flood the log) one refusal.
func (e *limitsExtension) refused(ctx context.Context, protocol string, m *message, r *refusal) {
	e.tel.Refused.Add(ctx, 1, metric.WithAttributes(
		attribute.String("protocol", protocol),
		attribute.String("signal", signalOf(m)),
		attribute.String("reason", r.reason)))
	e.logger.Debug("request refused", zap.String("protocol", protocol), zap.String("signal", signalOf(m)), zap.String("reason", r.reason), zap.String("message", r.msg))
}
