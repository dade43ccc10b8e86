package telemetryapiextension

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Test keys: every role in tenant-a (operator explicitly given to one key), a viewer in tenant-b,
// and the bootstrap key (admin and operator).
const (
	bootstrapKey = "bootstrap-key-0123456789abcdef"
	keyIngestA   = "ingest-a-key-0123456789abcdef"
	keyViewerA   = "viewer-a-key-0123456789abcdef"
	keyAnalystA  = "analyst-a-key-0123456789abcdef"
	keyPrivacyA  = "privacy-a-key-0123456789abcdef"
	keyAdminA    = "admin-a-key-0123456789abcdef"
	keyOperatorA = "operator-a-key-0123456789abcdef"
	keyViewerB   = "viewer-b-key-0123456789abcdef"
	wrongKey     = "wrong-key-0123456789abcdef-guess"
)

var allSecrets = []string{bootstrapKey, keyIngestA, keyViewerA, keyAnalystA, keyPrivacyA, keyAdminA, keyOperatorA, keyViewerB, wrongKey}

func testConfig() *Config {
	cfg := createDefaultConfig()
	cfg.HTTP.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Auth.BootstrapKey = bootstrapKey
	key := func(id, k, tenant string, roles ...telemetryapi.Role) APIKeyConfig {
		return APIKeyConfig{ID: id, Key: configopaqueString(k), Tenant: tenant, Roles: roles}
	}
	cfg.Auth.APIKeys = []APIKeyConfig{
		key("ingest-a", keyIngestA, "tenant-a", telemetryapi.RoleIngest),
		key("viewer-a", keyViewerA, "tenant-a", telemetryapi.RoleViewer),
		key("analyst-a", keyAnalystA, "tenant-a", telemetryapi.RoleAnalyst),
		key("privacy-a", keyPrivacyA, "tenant-a", telemetryapi.RolePrivacy),
		key("admin-a", keyAdminA, "tenant-a", telemetryapi.RoleAdmin),
		key("operator-a", keyOperatorA, "tenant-a", telemetryapi.RoleOperator),
		key("viewer-b", keyViewerB, "tenant-b", telemetryapi.RoleViewer),
	}
	cfg.Audit.FlushInterval = 20 * time.Millisecond
	cfg.Audit.LogOutput = auditLogCollector // the harness observes the collector logger
	return cfg
}

// harness is a started extension with observed logs and metrics.
type harness struct {
	t      testing.TB
	ext    *apiExtension
	logs   *observer.ObservedLogs
	reader *sdkmetric.ManualReader
	store  *fakeStore
	base   string
	client *http.Client
}

func newHarness(t testing.TB, cfg *Config, store *fakeStore) *harness {
	t.Helper()
	var st auditStore
	if store != nil {
		st = store
	}
	h := newHarnessWithStore(t, cfg, st)
	h.store = store
	return h
}

func newHarnessWithStore(t testing.TB, cfg *Config, st auditStore) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zapcore.DebugLevel)
	reader := sdkmetric.NewManualReader()
	set := extension.Settings{ID: component.NewID(metadata.Type), TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo()}
	set.Logger = zap.New(core)
	set.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	ext, err := newExtension(cfg, set, st)
	require.NoError(t, err)
	h := &harness{t: t, ext: ext, logs: logs, reader: reader,
		client: &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}}
	return h
}

func (h *harness) start() *harness {
	h.t.Helper()
	require.NoError(h.t, h.ext.Start(context.Background(), componenttest.NewNopHost()))
	h.t.Cleanup(func() {
		require.NoError(h.t, h.ext.Shutdown(context.Background()))
		h.client.CloseIdleConnections()
	})
	h.base = "http://" + h.ext.listenAddr().String()
	return h
}

type response struct {
	status int
	header http.Header
	body   string
}

// do calls the API; key "" sends none. Extra headers come as "Name: value".
func (h *harness) do(method, path, key, body string, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.base+telemetryapi.BasePath+path, rd)
	require.NoError(h.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for _, hd := range headers {
		name, val, _ := strings.Cut(hd, ": ")
		req.Header.Set(name, val)
	}
	resp, err := h.client.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// counter sums a counter's points whose attributes include attrs ("k=v").
func (h *harness) counter(name string, attrs ...string) int64 {
	h.t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(h.t, h.reader.Collect(context.Background(), &rm))
	var sum int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				ok := true
				for _, a := range attrs {
					k, v, _ := strings.Cut(a, "=")
					got, found := dp.Attributes.Value(attributeKey(k))
					ok = ok && found && got.AsString() == v
				}
				if ok {
					sum += dp.Value
				}
			}
		}
	}
	return sum
}

// fakeStore is an in-memory auditStore whose failures tests switch on and off.
type fakeStore struct {
	mu         sync.Mutex
	recs       []auditRecord
	prepareErr error
	insertErr  error
	block      chan struct{} // when set, insert waits for it
	inserts    int
	closed     bool
	// commitThenFail makes that many inserts store their records and then fail, as an INSERT
	// whose answer is lost after the server committed it.
	commitThenFail int
	// tokens are the deduplication tokens of the stored batches: like ClickHouse, the fake stores
	// a batch whose token it has seen only once (auditToken, as chStore.insert sends it).
	tokens map[string]bool
}

func (s *fakeStore) prepare(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prepareErr
}

func (s *fakeStore) insert(ctx context.Context, recs []auditRecord) error {
	s.mu.Lock()
	block := s.block
	s.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inserts++
	if s.insertErr != nil {
		return s.insertErr
	}
	if tok := auditToken(recs); !s.tokens[tok] {
		if s.tokens == nil {
			s.tokens = map[string]bool{}
		}
		s.tokens[tok] = true
		s.recs = append(s.recs, recs...)
	}
	if s.commitThenFail > 0 {
		s.commitThenFail--
		return errors.New("read: connection reset by peer")
	}
	return nil
}

func (s *fakeStore) query(_ context.Context, q auditQuery) ([]auditRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []auditRecord
	for _, r := range s.recs {
		if r.Time.Before(q.From) || !r.Time.Before(q.To) || (!q.AllTenants && r.Tenant != q.Tenant) ||
			(q.KeyID != "" && r.KeyID != q.KeyID) {
			continue
		}
		if !(r.Time.Before(q.BeforeTime) || (r.Time.Equal(q.BeforeTime) && r.RequestID < q.BeforeID)) {
			continue
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b auditRecord) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(b.RequestID, a.RequestID)
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (s *fakeStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *fakeStore) set(f func(*fakeStore)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *fakeStore) records() []auditRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recs)
}

// waitRecords waits until the store holds n records for which match is true.
func (s *fakeStore) waitRecords(t *testing.T, n int, match func(auditRecord) bool) []auditRecord {
	t.Helper()
	var got []auditRecord
	require.Eventually(t, func() bool {
		got = got[:0]
		for _, r := range s.records() {
			if match(r) {
				got = append(got, r)
			}
		}
		return len(got) >= n
	}, 5*time.Second, 5*time.Millisecond, "want %d audit records", n)
	return got
}

// echoRoute answers 200 with the effective tenant and principal; for routes with {user_id} it
// serves only the data subjects of the effective tenant, like a real data-subject route.
func echoRoute(method, path string, role telemetryapi.Role) telemetryapi.Route {
	users := map[string][]string{"tenant-a": {"u-a"}, "tenant-b": {"u-b"}, telemetryapi.DefaultTenant: {"u-default"}}
	rt := telemetryapi.Route{Method: method, Path: path, Role: role}
	rt.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := telemetryapi.EffectiveTenant(r)
		p, _ := telemetryapi.PrincipalFrom(r.Context())
		user := r.PathValue("user_id")
		if strings.Contains(path, "{user_id}") && !slices.Contains(users[tenant], user) {
			telemetryapi.WriteNotFound(w)
			return
		}
		telemetryapi.WriteJSON(w, http.StatusOK, map[string]string{"tenant": tenant, "key_id": p.KeyID, "user": user})
	})
	if strings.Contains(path, "{user_id}") {
		rt.TargetUser = func(r *http.Request) string { return r.PathValue("user_id") }
	}
	return rt
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

func configopaqueString(s string) configopaque.String { return configopaque.String(s) }

func attributeKey(k string) attribute.Key { return attribute.Key(k) }

func zapString(k, v string) zap.Field { return zap.String(k, v) }
