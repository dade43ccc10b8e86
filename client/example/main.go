// Command example tracks the spec's two example events with the Go client and prints what
// happened to them. Configure it like any client, with TELEMETRY_ENDPOINT, TELEMETRY_API_KEY,
// TELEMETRY_SAMPLE_RATE (set 1 to send both events), TELEMETRY_BATCH_SIZE, TELEMETRY_FLUSH_INTERVAL.
//
//	TELEMETRY_ENDPOINT=http://127.0.0.1:8080 TELEMETRY_API_KEY=... TELEMETRY_SAMPLE_RATE=1 go run ./client/example
//
// It exits 1 unless every tracked event was accepted by the server.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := client.ConfigFromEnv()
	if err != nil {
		return err
	}
	c, err := client.New(cfg)
	if err != nil {
		return err
	}
	ctx := context.Background()
	events := []client.Event{
		{
			Name:       "user_action",
			Properties: map[string]any{"action": "checkout", "value": 99.99, "currency": "USD"},
			UserID:     "user123",
			TenantID:   "tenant456",
		},
		{
			Name:       "api_call",
			Properties: map[string]any{"endpoint": "/api/users", "method": "GET", "duration_ms": 145},
			Context:    &client.Context{IP: "192.168.1.1", UserAgent: "Mozilla/5.0", SessionID: "sess789"},
		},
	}
	for _, ev := range events {
		if err := c.TrackEvent(ctx, ev); err != nil {
			return err
		}
	}
	closeCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	closeErr := c.Close(closeCtx)
	st := c.Stats()
	out, _ := json.Marshal(st)
	fmt.Println(string(out))
	if closeErr != nil {
		return closeErr
	}
	if cfg.Enabled && st.Sent != st.Tracked-st.SampledOut {
		return fmt.Errorf("%d of %d kept events accepted (last error: %v)", st.Sent, st.Tracked-st.SampledOut, c.LastError())
	}
	return nil
}
