package client_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestAgainstReceiver sends the spec's two example events through the real receiver, on its own
// endpoint in front of a sink, and checks the log records that come out.
func TestAgainstReceiver(t *testing.T) {
	addr := freeAddr(t)
	f := eventsreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*eventsreceiver.Config)
	cfg.HTTP.GetOrInsertDefault().NetAddr.Endpoint = addr
	sink := new(consumertest.LogsSink)
	r, err := f.CreateLogs(context.Background(), receivertest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	ccfg := client.DefaultConfig()
	ccfg.Endpoint, ccfg.SampleRate, ccfg.ServiceName = "http://"+addr, 1, "shop"
	c, err := client.New(ccfg)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, c.TrackEvent(ctx, client.Event{Name: "user_action", UserID: "user123", TenantID: "tenant456",
		Properties: map[string]any{"action": "checkout", "value": 99.99, "currency": "USD"}}))
	require.NoError(t, c.TrackEvent(ctx, client.Event{Name: "api_call",
		Properties: map[string]any{"endpoint": "/api/users", "method": "GET", "duration_ms": 145},
		Context:    &client.Context{IP: "192.168.1.1", UserAgent: "Mozilla/5.0", SessionID: "sess789"}}))
	// valid for the client, refused by the server: a property may not override user.id
	require.NoError(t, c.TrackEvent(ctx, client.Event{Name: "bad", Properties: map[string]any{"user.id": "x"}}))
	closeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, c.Close(closeCtx))
	st := c.Stats()
	assert.Equal(t, client.Stats{Tracked: 3, Sent: 2, Rejected: 1}, st)

	require.Len(t, sink.AllLogs(), 1)
	ld := sink.AllLogs()[0]
	res := ld.ResourceLogs().At(0).Resource().Attributes().AsRaw()
	assert.Equal(t, map[string]any{"service.name": "shop", "tenant.id": "default"}, res)
	lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 2, lrs.Len())
	byName := map[string]plog.LogRecord{}
	for _, lr := range lrs.All() {
		byName[lr.EventName()] = lr
	}
	checkout := byName["user_action"].Attributes()
	v, _ := checkout.Get("value")
	assert.Equal(t, pcommon.ValueTypeDouble, v.Type())
	assert.Equal(t, 99.99, v.Double())
	u, _ := checkout.Get("user.id")
	assert.Equal(t, "user123", u.Str())
	api := byName["api_call"].Attributes().AsRaw()
	assert.Equal(t, int64(145), api["duration_ms"], "integers stay integers")
	assert.Equal(t, "192.168.1.1", api["client.address"])
	assert.Equal(t, "Mozilla/5.0", api["user_agent.original"])
	assert.Equal(t, "sess789", api["session.id"])
	assert.NotZero(t, byName["api_call"].Timestamp(), "the client stamps the time of TrackEvent")
}
