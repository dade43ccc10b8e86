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
//
// The spec's configure_privacy, per tenant at run time (an admin key of the tenant): read the
// policy, try a draft on a sample record (nothing is stored), then apply it with the ETag read, so
// a concurrent change fails with ErrPolicyChanged instead of being overwritten:
//
//	st, err := c.PrivacyPolicy(ctx)
//	yes := true
//	draft := client.PrivacyPolicy{Mode: "strict", PIIFields: []string{"loyalty_no"}, HashIdentifiers: &yes, AnonymizeIPs: &yes}
//	res, err := c.TestPrivacyPolicy(ctx, "logs", sampleOTLPJSON, &draft) // res.Changes, res.Record
//	st, err = c.ConfigurePrivacy(ctx, draft, st.ETag)
//
// Keys: CreateAPIKey (the secret is in the answer only), APIKeys, RotateAPIKey (with an overlap),
// RevokeAPIKey (refused on every collector of the fleet within seconds).
package client // import "github.com/otelcol-telemetry/otelcol-telemetry/client"
