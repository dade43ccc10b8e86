// Package eventsreceiver receives product events (the telemetry API's track-event routes) as JSON and
// turns each into an OpenTelemetry log record following the semantic conventions for events.
package eventsreceiver // import "github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

const defaultEndpoint = "127.0.0.1:8090"

// NewFactory returns the factory of the telemetry_events receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability))
}

func createDefaultConfig() component.Config {
	httpCfg := confighttp.NewDefaultServerConfig()
	httpCfg.NetAddr.Endpoint = defaultEndpoint
	// Non-nil and empty: confighttp leaves Content-Encoding to the handler, which accepts gzip and
	// answers 415 for anything else. Behind the API extension its router decompresses (after the
	// key check) and the handler gets the plain body without Content-Encoding.
	httpCfg.CompressionAlgorithms = []string{}
	return &Config{
		HTTP:                  configoptional.Default(httpCfg),
		MaxBatchEvents:        1000,
		MaxBodySize:           5 << 20,
		MaxPropertyDepth:      8,
		MaxPropertyKeys:       256,
		MaxPropertyValueBytes: 64 << 10,
		ServiceName:           "unknown_service",
		ServiceNameHeader:     "X-Service-Name",
		RetryAfter:            5 * time.Second,
	}
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(cfg.(*Config), set, next)
}
