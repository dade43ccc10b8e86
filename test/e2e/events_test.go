package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// specEvents are the spec's two track_event examples.
func specEvents() []client.Event {
	return []client.Event{
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
}

// trackSpecEvents sends the spec's events with the Go client, as an application would, and
// returns when the collector has accepted both.
func trackSpecEvents(t *testing.T, c *collector, key string) time.Time {
	t.Helper()
	cfg := client.DefaultConfig()
	cfg.Endpoint = "http://" + c.api
	cfg.APIKey = key
	cfg.SampleRate = 1
	cfg.ServiceName = "shop-backend"
	tc, err := client.New(cfg)
	require.NoError(t, err)
	sent := time.Now()
	for _, ev := range specEvents() {
		require.NoError(t, tc.TrackEvent(context.Background(), ev))
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeWithin)
	defer cancel()
	require.NoError(t, tc.Close(ctx))
	st := tc.Stats()
	require.Equal(t, int64(2), st.Sent, "stats %+v, last error %v", st, tc.LastError())
	return sent
}

// storedEvent is one telemetry_events row as the tests read it.
type storedEvent struct {
	Tenant, User, Session, Service string
	Timestamp                      time.Time
	Attrs, Resource                map[string]string
}

func readEvent(t *testing.T, c *collector, tenant, name string) storedEvent {
	t.Helper()
	eventuallyCount(t, c.db(), 1, "SELECT count() FROM telemetry_events WHERE tenant_id = ? AND event_name = ?", tenant, name)
	var e storedEvent
	require.NoError(t, c.db().QueryRow(context.Background(), `SELECT tenant_id, user_id, session_id, service_name,
		timestamp, attributes, resource_attributes FROM telemetry_events WHERE tenant_id = ? AND event_name = ?`, tenant, name).
		Scan(&e.Tenant, &e.User, &e.Session, &e.Service, &e.Timestamp, &e.Attrs, &e.Resource))
	return e
}

// TestClientSpecEventsThroughCollector (issue #7): the Go client's two spec events reach
// telemetry_events with exact values. Minimal mode keeps identifiers, so what is stored is what
// was sent; the tenant is the key's, not the payload's tenant456.
func TestClientSpecEventsThroughCollector(t *testing.T) {
	c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"})
	sent := trackSpecEvents(t, c, acmeIngestKey)

	checkout := readEvent(t, c, "acme", "user_action")
	assert.Equal(t, "user123", checkout.User)
	assert.Empty(t, checkout.Session)
	assert.Equal(t, "shop-backend", checkout.Service, "OTEL_SERVICE_NAME / X-Service-Name")
	assert.Equal(t, "acme", checkout.Resource["tenant.id"])
	// Properties are top-level attributes, stored as text of their type: the double as 99.99.
	for k, v := range map[string]string{"action": "checkout", "value": "99.99", "currency": "USD", "user.id": "user123", "event.name": "user_action"} {
		assert.Equal(t, v, checkout.Attrs[k], "attributes[%q]", k)
	}
	assert.WithinDuration(t, sent, checkout.Timestamp, 5*time.Second, "the client's TrackEvent time")

	call := readEvent(t, c, "acme", "api_call")
	assert.Empty(t, call.User)
	assert.Equal(t, "sess789", call.Session)
	for k, v := range map[string]string{
		"endpoint": "/api/users", "method": "GET", "duration_ms": "145",
		"client.address": "192.168.1.1", "user_agent.original": "Mozilla/5.0", "session.id": "sess789",
	} {
		assert.Equal(t, v, call.Attrs[k], "attributes[%q]", k)
	}

	var n uint64
	require.NoError(t, c.db().QueryRow(context.Background(), "SELECT count() FROM telemetry_events").Scan(&n))
	assert.Equal(t, uint64(2), n, "exactly the two events")
	assert.NotContains(t, dumpTable(t, c.database, "telemetry_events"), "tenant456", "the payload's tenant_id is ignored")
}

// TestClientSpecEventsRedacted (issue #7): in strict (opt-in, with the user's consent) and
// balanced mode the same events are stored without the raw identifiers and client address.
func TestClientSpecEventsRedacted(t *testing.T) {
	for _, mode := range []string{"strict", "balanced"} {
		t.Run(mode, func(t *testing.T) {
			c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": mode})
			if mode == "strict" { // opt-in: without consent user123's event would be dropped
				c.grantConsent(t, acmePrivacyKey, "user123", map[string]bool{"analytics": true})
			}
			trackSpecEvents(t, c, acmeIngestKey)

			checkout := readEvent(t, c, "acme", "user_action")
			call := readEvent(t, c, "acme", "api_call")
			assert.Regexp(t, "^hmac:[0-9a-f]{32}$", checkout.User)
			assert.Regexp(t, "^hmac:[0-9a-f]{32}$", call.Session)
			assert.Equal(t, "192.168.1.0", call.Attrs["client.address"], "IPs truncated to their /24")
			for k, v := range map[string]string{"action": "checkout", "value": "99.99", "currency": "USD"} {
				assert.Equal(t, v, checkout.Attrs[k], "non-personal property %q kept", k)
			}
			assert.Equal(t, "145", call.Attrs["duration_ms"])
			stored := dumpTable(t, c.database, "telemetry_events")
			for _, raw := range []string{"user123", "sess789", "192.168.1.1", "tenant456"} {
				assert.NotContains(t, stored, raw, "%s stored raw in %s mode", raw, mode)
			}
		})
	}
}

// TestEventsHTTPThroughCollector (issue #7): the receiver's raw HTTP answers through the built
// collector, the example program as a user runs it, and events only in the key's tenant.
func TestEventsHTTPThroughCollector(t *testing.T) {
	c := startTenantCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"})
	one, batch := c.apiURL("/events"), c.apiURL("/events/batch")
	valid := []byte(`{"event_name":"page_view"}`)

	requireAPIError(t, send(t, http.MethodPost, one, "", jsonHeader, valid), http.StatusUnauthorized, "unauthenticated")
	requireAPIError(t, send(t, http.MethodPost, one, wrongKey, jsonHeader, valid), http.StatusUnauthorized, "unauthenticated")
	requireAPIError(t, send(t, http.MethodPost, one, acmeViewerKey, jsonHeader, valid), http.StatusForbidden, "forbidden")

	malformed := []byte("{\"event_name\": \"x\",\n \"properties\": {\"a\": 1,}}")
	// The offending byte is the '}' after the trailing comma: its 0-based offset, and its 1-based
	// column on line 2.
	bad := bytes.Index(malformed, []byte(",}")) + 1
	col := bad - bytes.IndexByte(malformed, '\n')
	got := send(t, http.MethodPost, one, acmeIngestKey, jsonHeader, malformed)
	requireAPIError(t, got, http.StatusBadRequest, "malformed_json")
	msg := got.json()["error"].(map[string]any)["message"].(string)
	assert.Contains(t, msg, fmt.Sprintf("byte %d (line 2, column %d)", bad, col), "names the position")

	got = send(t, http.MethodPost, one, acmeIngestKey, map[string]string{"Content-Type": "text/plain"}, valid)
	requireAPIError(t, got, http.StatusUnsupportedMediaType, "unsupported_media_type")

	// One invalid event in a batch: the others are kept, the invalid one is named.
	got = send(t, http.MethodPost, batch, acmeIngestKey, jsonHeader, []byte(`{"events":[
		{"event_name":"cart_update","properties":{"cart":{"items":[1,2.5,"x"]},"gift":true,"qty":3},"tenant_id":"globex"},
		{"properties":{"a":1}}]}`))
	require.Equal(t, http.StatusAccepted, got.status, "%s", got.body)
	res := got.json()
	assert.Equal(t, 1.0, res["accepted"])
	assert.Equal(t, 1.0, res["rejected"])
	errs, _ := res["errors"].([]any)
	require.Len(t, errs, 1, "%s", got.body)
	first := errs[0].(map[string]any)
	assert.Equal(t, 1.0, first["index"])
	assert.Equal(t, "event_name", first["field"])
	assert.NotEmpty(t, first["message"])

	// gzip, from globex, claiming acme in the payload.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"events":[{"event_name":"gzip_event","tenant_id":"acme","properties":{"n":1}}]}`))
	require.NoError(t, zw.Close())
	got = send(t, http.MethodPost, batch, globexIngestKey,
		map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, gz.Bytes())
	require.Equal(t, http.StatusAccepted, got.status, "%s", got.body)

	// The example program, run the way its doc comment says, with globex's key.
	cmd := exec.Command("go", "run", "./client/example")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOWORK=off", "TELEMETRY_ENDPOINT=http://"+c.api,
		"TELEMETRY_API_KEY="+globexIngestKey, "TELEMETRY_SAMPLE_RATE=1", "TELEMETRY_FLUSH_INTERVAL=0.2")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go run ./client/example: %s", out)
	assert.Contains(t, string(out), `"Sent":2`, "%s", out)

	cart := readEvent(t, c, "acme", "cart_update")
	for k, v := range map[string]string{"cart": `{"items":[1,2.5,"x"]}`, "gift": "true", "qty": "3"} {
		assert.Equal(t, v, cart.Attrs[k], "attributes[%q] keeps its JSON type's text", k)
	}
	readEvent(t, c, "globex", "gzip_event")
	readEvent(t, c, "globex", "user_action")
	readEvent(t, c, "globex", "api_call")

	rows, err := c.db().Query(context.Background(),
		"SELECT tenant_id, arraySort(groupArray(event_name)) FROM telemetry_events GROUP BY tenant_id ORDER BY tenant_id")
	require.NoError(t, err)
	perTenant := map[string][]string{}
	for rows.Next() {
		var tenant string
		var names []string
		require.NoError(t, rows.Scan(&tenant, &names))
		perTenant[tenant] = names
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string][]string{
		"acme":   {"cart_update"},
		"globex": {"api_call", "gzip_event", "user_action"},
	}, perTenant, "each event in its key's tenant only")
	assert.False(t, strings.Contains(dumpTable(t, c.database, "telemetry_events"), "tenant456"))
}
