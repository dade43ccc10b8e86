package e2e

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// TestGatewayRefusesWithRetryAfterAndLosesNothing: a gateway (deploy/gateway.yaml) whose ClickHouse
// is away and whose queue is small fills up; from then on every ingest path refuses with a retryable
// answer that says when to retry (OTLP/HTTP 503 + Retry-After, OTLP/gRPC UNAVAILABLE + RetryInfo,
// events API 503 + Retry-After), the process stays up, and once ClickHouse is back every accepted
// record is stored: sent - refused = stored. The long run at 3x the sustainable rate is
// bench/overload.
func TestGatewayRefusesWithRetryAfterAndLosesNothing(t *testing.T) {
	eng, c := startGatewayOwnEngine(t, "overload", "--set=exporters::telemetry_storage::sending_queue::queue_size=5")
	conn := c.db()
	eng.Signal(syscall.SIGTERM)

	const service = "overload"
	var accepted []int
	refusedHTTP := 0
	var retryAfter string
	for seq := 0; seq < 200 && refusedHTTP < 3; seq++ {
		body, err := plogotlp.NewExportRequestFromLogs(numberedLogs(service, seq, 1)).MarshalProto()
		require.NoError(t, err)
		r := send(t, http.MethodPost, "http://"+c.otlpHTTP+"/v1/logs", testAPIKey, map[string]string{"Content-Type": "application/x-protobuf"}, body)
		switch r.status {
		case http.StatusOK:
			accepted = append(accepted, seq)
		case http.StatusServiceUnavailable, http.StatusTooManyRequests:
			refusedHTTP++
			retryAfter = r.header.Get("Retry-After")
		default:
			t.Fatalf("seq %d: unexpected %d: %s", seq, r.status, r.body)
		}
	}
	require.Equal(t, 3, refusedHTTP, "the queue never filled: %d accepted", len(accepted))
	t.Logf("queue full after %d accepted requests", len(accepted))
	assert.Equal(t, "5", retryAfter, "OTLP/HTTP 503 says when to retry")

	// OTLP/gRPC: UNAVAILABLE with RetryInfo of 5 s.
	gc, err := grpc.NewClient(c.otlpGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer gc.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+testAPIKey)
	_, err = plogotlp.NewGRPCClient(gc).Export(ctx, plogotlp.NewExportRequestFromLogs(numberedLogs(service, 100000, 1)))
	st, ok := status.FromError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, codes.Unavailable, st.Code(), "%v", err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	assert.Equal(t, 5*time.Second, delay, "OTLP/gRPC RetryInfo")

	// Events API: 503 + Retry-After.
	r := send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, map[string]string{"Content-Type": "application/json"},
		[]byte(`{"event_name":"overload_probe"}`))
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	assert.NotEmpty(t, r.header.Get("Retry-After"), "events API Retry-After")
	assert.Equal(t, "unavailable", errorCode(r.json()), "JSON error body: %s", r.body)

	// Still alive and healthy; ClickHouse back: everything accepted is stored, nothing refused is.
	requireHealthy(t, c)
	require.NoError(t, eng.Restart())
	dups := requireAllStored(t, conn, service, accepted, 60*time.Second)
	assert.Zero(t, dups)
	got, err := storedSeqs(conn, service)
	require.NoError(t, err)
	assert.Len(t, got, len(accepted), "refused records are not stored (the client keeps them): sent - refused = stored")
}

// startGatewayOwnEngine runs deploy/gateway.yaml (retrying fast) against an engine of its own,
// which the test may stop and restart without touching the shared one.
func startGatewayOwnEngine(t *testing.T, gatewayID string, args ...string) (*chtest.Engine, *collector) {
	t.Helper()
	eng := startTestEngine(t)
	c := startCollector(t, collectorOptions{
		config: "deploy/gateway.yaml",
		env:    map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint, "TELEMETRY_GATEWAY_ID": gatewayID},
		args:   append(args, fastRetry...),
	})
	return eng, c
}

// requireHealthy: the collector is up and its health check answers 200.
func requireHealthy(t *testing.T, c *collector) {
	t.Helper()
	resp, err := http.Get("http://" + c.health + "/")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// errorCode is error.code of a telemetry API error body.
func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}
