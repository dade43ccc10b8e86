package eventsreceiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"github.com/google/uuid"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

const specBatch = `{"events": [
 {"event_name": "user_action", "properties": {"action": "checkout", "value": 99.99, "currency": "USD"}, "user_id": "user123", "tenant_id": "tenant456"},
 {"event_name": "api_call", "properties": {"endpoint": "/api/users", "method": "GET", "duration_ms": 145},
  "context": {"ip": "192.168.1.1", "user_agent": "Mozilla/5.0", "session_id": "sess789"}}]}`

type testServer struct {
	url  string
	tel  *componenttest.Telemetry
	sink *consumertest.LogsSink
}

// startOwn starts the receiver on its own loopback endpoint in front of next (a sink when nil).
func startOwn(t *testing.T, next consumer.Logs, mod func(*Config)) *testServer {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP.GetOrInsertDefault().NetAddr.Endpoint = "127.0.0.1:0"
	if mod != nil {
		mod(cfg)
	}
	require.NoError(t, cfg.Validate())
	ts := &testServer{tel: componenttest.NewTelemetry(), sink: new(consumertest.LogsSink)}
	if next == nil {
		next = ts.sink
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = ts.tel.NewTelemetrySettings()
	r, err := newReceiver(cfg, set, next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() {
		require.NoError(t, r.Shutdown(context.Background()))
		require.NoError(t, ts.tel.Shutdown(context.Background()))
	})
	ts.url = "http://" + r.addr.String() + telemetryapi.BasePath
	return ts
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func post(t *testing.T, url, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	rep := reply{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(raw, &rep.body), "%s", raw)
	}
	return rep
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

func errCode(r reply) string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func errMessage(r reply) string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestReceiverOwnEndpoint(t *testing.T) {
	ts := startOwn(t, nil, func(c *Config) { c.MaxBodySize = 4096; c.MaxBatchEvents = 3 })

	rep := post(t, ts.url+"/events/batch", specBatch, "X-Service-Name", "shop-api")
	require.Equal(t, http.StatusAccepted, rep.status, rep.body)
	ids := rep.body["event_ids"].([]any)
	require.Len(t, ids, 2)
	delete(rep.body, "event_ids")
	assert.Equal(t, map[string]any{"accepted": 2.0, "rejected": 0.0, "errors": []any{}}, rep.body)
	require.Len(t, ts.sink.AllLogs(), 1)
	ld := ts.sink.AllLogs()[0]
	assert.Equal(t, 2, ld.LogRecordCount())
	// The ids answered are the records' log.record.uid, in request order, each its own.
	for i, lr := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
		uid, _ := lr.Attributes().Get("log.record.uid")
		assert.Equal(t, ids[i], uid.Str())
		_, err := uuid.Parse(uid.Str())
		assert.NoError(t, err, "a generated id is a UUID")
	}
	assert.NotEqual(t, ids[0], ids[1])
	res := ld.ResourceLogs().At(0).Resource().Attributes().AsRaw()
	assert.Equal(t, map[string]any{"service.name": "shop-api", "tenant.id": "default"}, res,
		"unauthenticated: tenant_id of the payload is ignored")

	rep = post(t, ts.url+"/events", `{"event_name":"signup","user_id":"u1"}`)
	assert.Equal(t, http.StatusAccepted, rep.status)
	assert.Equal(t, 1.0, rep.body["accepted"])
	assert.NotContains(t, rep.body, "event_ids", "a single event answers event_id")
	lr := ts.sink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	uid, _ := lr.Attributes().Get("log.record.uid")
	assert.Equal(t, rep.body["event_id"], uid.Str())
	assert.Equal(t, "signup", lr.EventName())
	svc, _ := ts.sink.AllLogs()[1].ResourceLogs().At(0).Resource().Attributes().Get("service.name")
	assert.Equal(t, "unknown_service", svc.Str(), "config default without the header")

	rep = post(t, ts.url+"/events/batch", gz(specBatch), "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusAccepted, rep.status, rep.body)
	assert.Len(t, ts.sink.AllLogs(), 3)

	rep = post(t, ts.url+"/events/batch", `{"events":[{"event_name":"ok"},{"event_name":"bad name"}]}`)
	assert.Equal(t, http.StatusAccepted, rep.status)
	ids = rep.body["event_ids"].([]any)
	require.Len(t, ids, 2, "one per event of the request")
	assert.NotEmpty(t, ids[0])
	assert.Equal(t, "", ids[1], "the rejected event has none")
	delete(rep.body, "event_ids")
	assert.Equal(t, map[string]any{"accepted": 1.0, "rejected": 1.0, "errors": []any{map[string]any{
		"index": 1.0, "field": "event_name", "message": "must be 1 to 128 characters of A-Z a-z 0-9 _ . : -"}}}, rep.body)

	n := len(ts.sink.AllLogs())
	f := func(path, body string, status int, code, msgPart string, header ...string) {
		t.Helper()
		rep := post(t, ts.url+path, body, header...)
		assert.Equal(t, status, rep.status, "%s %q", path, body)
		if code != "" {
			assert.Equal(t, code, errCode(rep), rep.body)
			assert.Contains(t, errMessage(rep), msgPart)
		}
		assert.Len(t, ts.sink.AllLogs(), n, "nothing reaches the pipeline")
	}
	f("/events/batch", `{"events":[{"event_name":"bad name"}]}`, http.StatusBadRequest, "", "")
	f("/events", `{"event_name":"a","properties":{"user.id":1}}`, http.StatusBadRequest, "invalid_event", "properties.user.id: is reserved")
	f("/events/batch", "{\"events\":\n[}", http.StatusBadRequest, "malformed_json", "line 2, column 2")
	f("/events", `{"event_name":"a"}`, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type", "Content-Type", "text/plain")
	f("/events", `{"event_name":"a"}`, http.StatusUnsupportedMediaType, "unsupported_media_type", "br", "Content-Encoding", "br")
	f("/events", `{"event_name":"a"}`, http.StatusBadRequest, "invalid_body", "gzip", "Content-Encoding", "gzip")
	big := `{"event_name":"a","properties":{"p":"` + strings.Repeat("x", 5000) + `"}}`
	f("/events", big, http.StatusRequestEntityTooLarge, "payload_too_large", "4096")
	f("/events", gz(big), http.StatusRequestEntityTooLarge, "payload_too_large", "after decompression", "Content-Encoding", "gzip")
	f("/events/batch", `{"events":[{"event_name":"a"},{"event_name":"a"},{"event_name":"a"},{"event_name":"a"}]}`,
		http.StatusRequestEntityTooLarge, "too_many_events", "at most 3")
	f("/events", `{"event_name":"a"}`, http.StatusBadRequest, "invalid_request", "X-Service-Name", "X-Service-Name", strings.Repeat("s", 300))

	resp, err := http.Get(ts.url + "/events")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	// own metrics: generic receiver counts and the rejected/requests counters
	m, err := ts.tel.GetMetric("otelcol_receiver_accepted_log_records")
	require.NoError(t, err)
	assert.Equal(t, int64(6), sumOf(m))
	m, err = ts.tel.GetMetric("otelcol_telemetry_events_rejected")
	require.NoError(t, err)
	assert.Equal(t, int64(3), sumOf(m)) // two "bad name" events and one reserved property
	m, err = ts.tel.GetMetric("otelcol_telemetry_events_requests")
	require.NoError(t, err)
	assert.Equal(t, int64(14), sumOf(m)) // 405 is answered by the mux, not counted
}

func sumOf(m metricdata.Metrics) int64 {
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += dp.Value
	}
	return n
}

func TestReceiverPipelineErrors(t *testing.T) {
	f := func(err error, status int, retryAfter string) {
		t.Helper()
		ts := startOwn(t, consumertest.NewErr(err), func(c *Config) { c.RetryAfter = 1500 * time.Millisecond })
		rep := post(t, ts.url+"/events/batch", specBatch)
		assert.Equal(t, status, rep.status, err)
		assert.Equal(t, retryAfter, rep.header.Get("Retry-After"))
		m, gerr := ts.tel.GetMetric("otelcol_receiver_refused_log_records")
		if status == http.StatusServiceUnavailable {
			require.NoError(t, gerr)
			assert.Equal(t, int64(2), sumOf(m))
		}
	}
	// memory_limiter refuses with a plain (retryable) error
	f(errors.New("data refused due to high memory usage"), http.StatusServiceUnavailable, "2")
	f(consumererror.NewPermanent(errors.New("schema mismatch")), http.StatusBadRequest, "")
}

// fakeAPI is a telemetry API extension as far as the receiver can tell.
type fakeAPI struct {
	component.StartFunc
	component.ShutdownFunc
	routes []telemetryapi.Route
}

func (f *fakeAPI) Register(routes ...telemetryapi.Route) error {
	f.routes = append(f.routes, routes...)
	return nil
}

type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

func TestReceiverAPIExtension(t *testing.T) {
	id := component.MustNewID("telemetry_api")
	api := &fakeAPI{}
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP = configoptional.None[confighttp.ServerConfig]() // routes on the extension only
	cfg.APIExtension = &id
	cfg.TenantFromPayload = true
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.LogsSink)
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type), sink)
	require.NoError(t, err)

	err = r.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `api_extension: extension "telemetry_api" is not configured`)
	require.NoError(t, r.Start(context.Background(), hostWith{id: api}))
	require.Len(t, api.routes, 2)
	for i, want := range []string{"/events", "/events/batch"} {
		assert.Equal(t, http.MethodPost, api.routes[i].Method)
		assert.Equal(t, want, api.routes[i].Path)
		assert.Equal(t, telemetryapi.RoleIngest, api.routes[i].Role)
	}

	call := func(h http.Handler, ctx context.Context, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, telemetryapi.BasePath+"/events/batch", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	ctx := telemetryapi.WithPrincipal(context.Background(), telemetryapi.Principal{KeyID: "k1", TenantID: "acme", Roles: []telemetryapi.Role{telemetryapi.RoleIngest}})
	rec := call(api.routes[1].Handler, ctx, specBatch)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	tenant, _ := sink.AllLogs()[0].ResourceLogs().At(0).Resource().Attributes().Get("tenant.id")
	assert.Equal(t, "acme", tenant.Str(), "the key's tenant wins over tenant_id and tenant_from_payload")

	rec = call(api.routes[1].Handler, context.Background(), specBatch)
	require.Equal(t, http.StatusAccepted, rec.Code)
	tenants := map[string]int{}
	for _, rl := range sink.AllLogs()[1].ResourceLogs().All() {
		v, _ := rl.Resource().Attributes().Get("tenant.id")
		tenants[v.Str()] = rl.ScopeLogs().At(0).LogRecords().Len()
	}
	assert.Equal(t, map[string]int{"tenant456": 1, "default": 1}, tenants, "unauthenticated with tenant_from_payload")

	require.NoError(t, r.Shutdown(context.Background()))
	rec = call(api.routes[1].Handler, ctx, specBatch)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code, "routes outlive the receiver; they refuse after Shutdown")
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Len(t, sink.AllLogs(), 2)
}

// blockingLogs holds ConsumeLogs until released, like a memory_limiter or exporter queue under load.
type blockingLogs struct {
	consumertest.LogsSink
	entered, release chan struct{}
}

func (b *blockingLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	close(b.entered)
	<-b.release
	return b.LogsSink.ConsumeLogs(ctx, ld)
}

// Routes on the API extension outlive the receiver, and the collector shuts the pipeline down
// right after the receiver: Shutdown must wait for requests already handing events to the
// pipeline, else they reach stopped processors after Shutdown returned.
func TestReceiverShutdownWaitsForAPIRequests(t *testing.T) {
	id := component.MustNewID("telemetry_api")
	api := &fakeAPI{}
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP = configoptional.None[confighttp.ServerConfig]()
	cfg.APIExtension = &id
	next := &blockingLogs{entered: make(chan struct{}), release: make(chan struct{})}
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type), next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), hostWith{id: api}))

	served := make(chan int)
	go func() {
		req := httptest.NewRequest(http.MethodPost, telemetryapi.BasePath+"/events/batch", strings.NewReader(specBatch))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.routes[1].Handler.ServeHTTP(rec, req)
		served <- rec.Code
	}()
	<-next.entered

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, r.Shutdown(ctx), context.DeadlineExceeded, "Shutdown returned while a request was in the pipeline")

	shut := make(chan error)
	go func() { shut <- r.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a request was in the pipeline", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(next.release)
	assert.Equal(t, http.StatusAccepted, <-served)
	require.NoError(t, <-shut)
	assert.Equal(t, 2, next.LogRecordCount())
}

// The API extension resolves the tenant a call acts on (an admin may name another one with
// ?tenant=); the receiver stamps that tenant, as every route reads telemetryapi.EffectiveTenant.
func TestReceiverEffectiveTenant(t *testing.T) {
	id := component.MustNewID("telemetry_api")
	api := &fakeAPI{}
	cfg := createDefaultConfig().(*Config)
	cfg.HTTP = configoptional.None[confighttp.ServerConfig]()
	cfg.APIExtension = &id
	sink := new(consumertest.LogsSink)
	r, err := newReceiver(cfg, receivertest.NewNopSettings(metadata.Type), sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), hostWith{id: api}))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	operator := telemetryapi.Principal{KeyID: "op", TenantID: "acme", Roles: []telemetryapi.Role{telemetryapi.RoleOperator}}
	f := func(ctx context.Context, want string) {
		t.Helper()
		sink.Reset()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, telemetryapi.BasePath+"/events/batch", strings.NewReader(specBatch))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.routes[1].Handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
		rls := sink.AllLogs()[0].ResourceLogs()
		require.Equal(t, 1, rls.Len())
		v, _ := rls.At(0).Resource().Attributes().Get("tenant.id")
		assert.Equal(t, want, v.Str())
	}
	ctx := telemetryapi.WithPrincipal(context.Background(), operator)
	f(ctx, "acme")
	f(telemetryapi.WithTenant(ctx, "beta"), "beta")
}
