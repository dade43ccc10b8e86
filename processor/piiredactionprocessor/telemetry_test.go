package piiredactionprocessor

import (
	"context"
	"testing"

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
