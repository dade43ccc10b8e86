package piiredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

func TestSelfTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := strictCfg()
	f := NewFactory()
	ctx := context.Background()

	tp, err := f.CreateTraces(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.Attributes().PutStr("msg", "a@example.com b@example.com 123-45-6789")
	sp.Attributes().PutStr("email", "x")
	sp.Attributes().PutStr("user.id", "42")
	sp.Attributes().PutStr("client.address", "10.1.2.3")
	if err := tp.ConsumeTraces(ctx, td); err != nil {
		t.Fatal(err)
	}

	mp, err := f.CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	md := pmetric.NewMetrics()
	dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	dp.Attributes().PutStr("q", "/x?token=abcdef")
	if err := mp.ConsumeMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}

	m, err := tel.GetMetric(metadata.MetricRedactionsName)
	if err != nil {
		t.Fatal(err)
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok || !sum.IsMonotonic {
		t.Fatalf("want a monotonic int64 sum, got %T", m.Data)
	}
	got := map[[2]string]int64{}
	for _, p := range sum.DataPoints {
		d, _ := p.Attributes.Value(attribute.Key("detector"))
		s, _ := p.Attributes.Value(attribute.Key("signal"))
		got[[2]string{d.AsString(), s.AsString()}] = p.Value
	}
	want := map[[2]string]int64{
		{"email", "traces"}:        2,
		{"ssn", "traces"}:          1,
		{"pii_field", "traces"}:    1,
		{"identifier", "traces"}:   1,
		{"ip_address", "traces"}:   1,
		{"query_param", "metrics"}: 1,
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%v = %d, want %d", k, got[k], v)
		}
	}
}

// TestSelfTelemetryRoutesCookiesSelfMentions: the issue-19 replacements are counted per detector.
func TestSelfTelemetryRoutesCookiesSelfMentions(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	ctx := context.Background()
	tp, err := NewFactory().CreateTraces(ctx, set, strictCfg(), consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("GET /users/4711/orders/x@example.com")                     // route: 1, email: 1
	sp.Attributes().PutStr("http.route", "/users/u-77/items/{id}?uid=u-9") // route: 1, identifier: 1
	sp.Attributes().PutStr("http.request.header.cookie", "a=1; b=2")       // cookie: 2
	sp.Attributes().PutStr("user.id", "user-4711")                         // identifier: 1
	sp.Attributes().PutStr("exception.message", "user-4711 and user-4711") // self_mention: 2
	sp.Attributes().PutStr("log", "GET /x?user_id=u-555 failed")           // query_id: 1
	if err := tp.ConsumeTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	m, err := tel.GetMetric(metadata.MetricRedactionsName)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		d, _ := p.Attributes.Value(attribute.Key("detector"))
		got[d.AsString()] += p.Value
	}
	want := map[string]int64{"route": 2, "email": 1, "identifier": 2, "cookie": 2, "self_mention": 2, "query_id": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

// TestSelfTelemetryProcessorID: two instances in one collector (pii_redaction in the storage path,
// pii_redaction/red in the RED metrics pipeline) see the same spans; their counts carry the component
// id in "processor" so they stay separate series instead of adding up to twice the redactions.
func TestSelfTelemetryProcessorID(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	ctx := context.Background()
	f := NewFactory()
	for _, id := range []component.ID{component.NewID(metadata.Type), component.NewIDWithName(metadata.Type, "red")} {
		set := processortest.NewNopSettings(metadata.Type)
		set.ID = id
		set.TelemetrySettings = tel.NewTelemetrySettings()
		tp, err := f.CreateTraces(ctx, set, strictCfg(), consumertest.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		td := ptrace.NewTraces()
		sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.Attributes().PutStr("msg", "a@example.com b@example.com")
		if err := tp.ConsumeTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}

	m, err := tel.GetMetric(metadata.MetricRedactionsName)
	if err != nil {
		t.Fatal(err)
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("want an int64 sum, got %T", m.Data)
	}
	got := map[[3]string]int64{}
	for _, p := range sum.DataPoints {
		pr, _ := p.Attributes.Value(attribute.Key("processor"))
		d, _ := p.Attributes.Value(attribute.Key("detector"))
		s, _ := p.Attributes.Value(attribute.Key("signal"))
		got[[3]string{pr.AsString(), d.AsString(), s.AsString()}] = p.Value
	}
	want := map[[3]string]int64{
		{"pii_redaction", "email", "traces"}:     2,
		{"pii_redaction/red", "email", "traces"}: 2,
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%v = %d, want %d", k, got[k], v)
		}
	}
}
