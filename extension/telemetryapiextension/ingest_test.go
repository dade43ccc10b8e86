package telemetryapiextension

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/processor/processortest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestAuthenticate(t *testing.T) {
	h := newHarness(t, testConfig(), &fakeStore{})
	f := func(sources map[string][]string, wantCode codes.Code, wantTenant, wantKey string) {
		t.Helper()
		ctx, err := h.ext.Authenticate(context.Background(), sources)
		if wantCode != codes.OK {
			require.Error(t, err)
			assert.Equal(t, wantCode, status.Code(err), err.Error())
			return
		}
		require.NoError(t, err)
		auth := client.FromContext(ctx).Auth
		require.NotNil(t, auth)
		assert.Equal(t, wantTenant, auth.GetAttribute("tenant.id"))
		assert.Equal(t, wantKey, auth.GetAttribute("key.id"))
		assert.NotEmpty(t, auth.GetAttribute("roles"))
		assert.ElementsMatch(t, []string{"tenant.id", "key.id", "roles"}, auth.GetAttributeNames())
	}
	// gRPC metadata keys are lower case, HTTP headers canonical.
	f(map[string][]string{"authorization": {"Bearer " + keyIngestA}}, codes.OK, "tenant-a", "ingest-a")
	f(map[string][]string{"Authorization": {"Bearer " + keyIngestA}}, codes.OK, "tenant-a", "ingest-a")
	f(map[string][]string{"X-Api-Key": {keyIngestA}}, codes.OK, "tenant-a", "ingest-a")
	f(map[string][]string{"x-api-key": {bootstrapKey}}, codes.OK, "default", "bootstrap") // admin includes ingest
	f(map[string][]string{"authorization": {"Bearer " + keyViewerA}}, codes.PermissionDenied, "", "")
	f(map[string][]string{"authorization": {"Bearer " + wrongKey}}, codes.Unauthenticated, "", "")
	f(map[string][]string{}, codes.Unauthenticated, "", "")

	// Refused credentials are audited with the key id, never the key.
	require.NoError(t, h.ext.Shutdown(context.Background()))
	var denied []auditRecord
	for _, e := range h.logs.FilterMessage("audit").All() {
		if e.ContextMap()["action"] == "ingest.authenticate" {
			denied = append(denied, auditRecord{KeyID: e.ContextMap()["key_id"].(string), Outcome: e.ContextMap()["outcome"].(string)})
		}
	}
	assert.Equal(t, []auditRecord{{KeyID: "viewer-a", Outcome: "denied"}, {KeyID: "", Outcome: "denied"}}, denied)
}

func TestAuthenticateDisabled(t *testing.T) {
	cfg := testConfig()
	cfg.Auth = AuthConfig{Enabled: false, FailedAttempts: cfg.Auth.FailedAttempts}
	h := newHarness(t, cfg, nil).start()
	ctx, err := h.ext.Authenticate(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, telemetryapi.DefaultTenant, client.FromContext(ctx).Auth.GetAttribute("tenant.id"))
	require.NoError(t, h.ext.Register(echoRoute("GET", "/metrics", telemetryapi.RoleViewer)))
	got := h.do("GET", "/metrics", "", "")
	assert.Equal(t, 200, got.status)
	assert.JSONEq(t, `{"tenant":"default","key_id":"anonymous","user":""}`, got.body)
}

// tenantStampConfig is the processor block the README asks for: the stock resource processor
// reading the authenticator's tenant (default tenant only when a request carries no auth).
const tenantStampConfig = `
attributes:
  - key: tenant.id
    action: upsert
    from_context: auth.tenant.id
    default_value: default
`

// TestTenantStampingPipeline runs receiver context -> resource/tenant -> batch -> sink: data sent
// with tenant A's key but tenant.id=B in the payload is stamped A, and batching data of two
// tenants together keeps each resource's tenant.
func TestTenantStampingPipeline(t *testing.T) {
	h := newHarness(t, testConfig(), nil)
	sink := &consumertest.LogsSink{}

	bf := batchprocessor.NewFactory()
	bcfg := bf.CreateDefaultConfig().(*batchprocessor.Config)
	bcfg.Timeout = 50 * time.Millisecond
	batch, err := bf.CreateLogs(context.Background(), processortest.NewNopSettings(bf.Type()), bcfg, sink)
	require.NoError(t, err)

	stamp := newTenantStamp(t, batch)
	host := componenttest.NewNopHost()
	require.NoError(t, batch.Start(context.Background(), host))
	require.NoError(t, stamp.Start(context.Background(), host))

	send := func(ctx context.Context, payloadTenant, marker string) {
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		if payloadTenant != "" {
			rl.Resource().Attributes().PutStr("tenant.id", payloadTenant)
		}
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(marker)
		require.NoError(t, stamp.ConsumeLogs(ctx, ld))
	}
	authed := func(key string) context.Context {
		ctx, err := h.ext.Authenticate(context.Background(), map[string][]string{"authorization": {"Bearer " + key}})
		require.NoError(t, err)
		return ctx
	}
	send(authed(keyIngestA), "tenant-b", "a-claims-b")
	send(authed(bootstrapKey), "tenant-a", "default-claims-a")
	send(authed(keyIngestA), "", "a-plain")
	send(context.Background(), "tenant-b", "no-auth") // a receiver without the authenticator

	require.NoError(t, stamp.Shutdown(context.Background()))
	require.NoError(t, batch.Shutdown(context.Background()))

	got := map[string]string{}
	for _, ld := range sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			tenant, _ := rl.Resource().Attributes().Get("tenant.id")
			body := rl.ScopeLogs().At(0).LogRecords().At(0).Body().Str()
			got[body] = tenant.Str()
		}
	}
	assert.Equal(t, map[string]string{
		"a-claims-b":       "tenant-a",
		"default-claims-a": "default",
		"a-plain":          "tenant-a",
		"no-auth":          "default",
	}, got)
}

func newTenantStamp(t *testing.T, next consumer.Logs) processor.Logs {
	t.Helper()
	rf := resourceprocessor.NewFactory()
	rcfg := rf.CreateDefaultConfig()
	conf, err := confmap.NewRetrievedFromYAML([]byte(tenantStampConfig))
	require.NoError(t, err)
	raw, err := conf.AsConf()
	require.NoError(t, err)
	require.NoError(t, raw.Unmarshal(rcfg))
	require.NoError(t, confmap.Validate(rcfg))
	p, err := rf.CreateLogs(context.Background(), processortest.NewNopSettings(rf.Type()), rcfg, next)
	require.NoError(t, err)
	return p
}
