// Package client sends product events to the telemetry_events receiver of otelcol-telemetry
// (POST {endpoint}/api/v1/telemetry/events/batch).
//
// TrackEvent never blocks on the network: events go to a bounded in-memory buffer, a background
// goroutine sends them in gzip-compressed batches when BatchSize events are waiting or every
// FlushInterval, and retries refused batches with exponential backoff and jitter, honouring the
// server's Retry-After. When the buffer is full the overflow policy drops the newest or the oldest
// event and counts it (Stats().Dropped). Flush and Close drain the buffer within the deadline of
// their context.
//
// Sampling: TrackEvent keeps each event with probability SampleRate (TELEMETRY_SAMPLE_RATE, default
// 0.1) and counts the others in Stats().SampledOut. A kept event carries the rate as the
// OpenTelemetry threshold property "sampling.threshold" (SamplingThresholdProperty); the collector
// stores it as the event's sample_rate, so weighted counts (sum of 1/sample_rate) estimate the
// events tracked. The collector does not sample events again.
//
//	cfg, err := client.ConfigFromEnv() // TELEMETRY_ENDPOINT, TELEMETRY_API_KEY, ...
//	if err != nil { ... }
//	c, err := client.New(cfg)
//	if err != nil { ... }
//	defer c.Close(ctxWithTimeout)
//	c.TrackEvent(ctx, client.Event{Name: "user_action", UserID: "user123",
//		Properties: map[string]any{"action": "checkout", "value": 99.99, "currency": "USD"}})
package client // import "github.com/otelcol-telemetry/otelcol-telemetry/client"
