package consentprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/goleak"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor/internal/metadata"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeRegistry struct {
	component.StartFunc
	component.ShutdownFunc
}

func (fakeRegistry) Register(...telemetryapi.Route) error { return nil }

type host map[component.ID]component.Component

func (h host) GetExtensions() map[component.ID]component.Component { return h }

var consentID = component.MustNewID("consent")

// env is a started consent extension (memory-only store) and the host that finds it.
type env struct {
	host  host
	store *consentextension.Store
}

func newEnv(t testing.TB, mode string) *env {
	t.Helper()
	f := consentextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*consentextension.Config)
	cfg.Mode = mode
	return newEnvWith(t, host{component.MustNewID("telemetry_api"): fakeRegistry{}}, cfg)
}

func newEnvWith(t testing.TB, h host, cfg *consentextension.Config) *env {
	t.Helper()
	f := consentextension.NewFactory()
	ext, err := f.Create(context.Background(), extension.Settings{ID: consentID,
		TelemetrySettings: componenttest.NewNopTelemetrySettings(), BuildInfo: component.NewDefaultBuildInfo()}, cfg)
	require.NoError(t, err)
	h[consentID] = ext
	require.NoError(t, ext.Start(context.Background(), h))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	store, err := consentextension.GetStore(h, consentID)
	require.NoError(t, err)
	return &env{host: h, store: store}
}

func (e *env) set(t testing.TB, tenant, user string, purposes map[string]bool) {
	t.Helper()
	_, err := e.store.Update(context.Background(), consentextension.Update{Tenant: tenant, UserID: user, Purposes: purposes})
	require.NoError(t, err)
}

type pipelines struct {
	traces  processor.Traces
	metrics processor.Metrics
	logs    processor.Logs
	tsink   *consumertest.TracesSink
	msink   *consumertest.MetricsSink
	lsink   *consumertest.LogsSink
}

func (e *env) start(t *testing.T, cfg *Config, set processor.Settings) *pipelines {
	t.Helper()
	ctx := context.Background()
	p := &pipelines{tsink: &consumertest.TracesSink{}, msink: &consumertest.MetricsSink{}, lsink: &consumertest.LogsSink{}}
	f := NewFactory()
	var err error
	p.traces, err = f.CreateTraces(ctx, set, cfg, p.tsink)
	require.NoError(t, err)
	p.metrics, err = f.CreateMetrics(ctx, set, cfg, p.msink)
	require.NoError(t, err)
	p.logs, err = f.CreateLogs(ctx, set, cfg, p.lsink)
	require.NoError(t, err)
	for _, c := range []component.Component{p.traces, p.metrics, p.logs} {
		require.NoError(t, c.Start(ctx, e.host))
		t.Cleanup(func() { require.NoError(t, c.Shutdown(ctx)) })
	}
	return p
}

func nopSettings() processor.Settings { return processortest.NewNopSettings(metadata.Type) }

// spans builds one resource per (tenant, resource attrs) with spans carrying span attrs; a span
// is named after its "n" attribute so tests can list what survived.
func spans(tenant string, resAttrs map[string]string, spanAttrs ...map[string]string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if tenant != "" {
		rs.Resource().Attributes().PutStr(telemetryapi.TenantAttribute, tenant)
	}
	for k, v := range resAttrs {
		rs.Resource().Attributes().PutStr(k, v)
	}
	ss := rs.ScopeSpans().AppendEmpty()
	for _, a := range spanAttrs {
		s := ss.Spans().AppendEmpty()
		s.SetName(a["n"])
		for k, v := range a {
			if k != "n" {
				s.Attributes().PutStr(k, v)
			}
		}
	}
	return td
}

// spanNames lists surviving spans as name or name{key=value,...} for the keys given.
func spanNames(sink *consumertest.TracesSink) []string {
	var out []string
	for _, td := range sink.AllTraces() {
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			ss := td.ResourceSpans().At(i).ScopeSpans()
			for j := 0; j < ss.Len(); j++ {
				for k := 0; k < ss.At(j).Spans().Len(); k++ {
					out = append(out, ss.At(j).Spans().At(k).Name())
				}
			}
		}
	}
	return out
}

func logNames(ld plog.Logs) []string {
	var out []string
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sl := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sl.Len(); j++ {
			for k := 0; k < sl.At(j).LogRecords().Len(); k++ {
				out = append(out, sl.At(j).LogRecords().At(k).Body().Str())
			}
		}
	}
	return out
}

func pointCount(md pmetric.Metrics) int { return md.DataPointCount() }

func mustTel(tb testing.TB) *metadata.TelemetryBuilder {
	tel, err := metadata.NewTelemetryBuilder(componenttest.NewNopTelemetrySettings())
	if err != nil {
		tb.Fatal(err)
	}
	return tel
}
