// Package config holds the collector configuration `make run` starts (local.yaml); this test runs
// parts of it in process.
package config

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
)

// TestREDMetricsCarryNoUserOfTheirFirstSpan: the span_metrics connector gives every metric of a
// (tenant, service) the resource attributes of the first span it saw for that key, for as long as the
// service keeps sending. An application that sets the user on its resource (a browser or mobile SDK:
// one resource per user) would stamp that user's id on the whole service's api_requests and
// response_time: stored in their user_id column, exported as that user's data, deleted with that
// user, and every later point suppressed at write time once that user's deletion is requested.
// transform/red keeps only the resource attributes that name the series.
func TestREDMetricsCarryNoUserOfTheirFirstSpan(t *testing.T) {
	cm, err := confmaptest.LoadConf("local.yaml")
	require.NoError(t, err)
	sub, err := cm.Sub("processors::transform/red")
	require.NoError(t, err)
	f := transformprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(t, sub.Unmarshal(cfg))
	sink := &consumertest.MetricsSink{}
	p, err := f.CreateMetrics(context.Background(), processortest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), nil))
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	res := rm.Resource().Attributes()
	res.PutStr("tenant.id", "acme")
	res.PutStr("service.name", "shop")
	res.PutStr("service.namespace", "web")
	res.PutStr("telemetry.gateway", "gw-1")
	res.PutStr("user.id", "tok_first_user")
	res.PutStr("enduser.id", "tok_first_user")
	res.PutStr("session.id", "tok_session")
	res.PutStr("client.address", "203.0.113.0")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("traces.span.metrics.calls")
	dp := m.SetEmptySum().DataPoints().AppendEmpty()
	dp.Attributes().PutStr("http.route", "/checkout")
	dp.SetIntValue(3)
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))

	require.Len(t, sink.AllMetrics(), 1)
	out := sink.AllMetrics()[0].ResourceMetrics().At(0)
	assert.Equal(t, map[string]any{"tenant.id": "acme", "service.name": "shop", "service.namespace": "web", "telemetry.gateway": "gw-1"},
		out.Resource().Attributes().AsRaw(), "the series' names only, no user of the first span")
	om := out.ScopeMetrics().At(0).Metrics().At(0)
	assert.Equal(t, "api_requests", om.Name())
	assert.Equal(t, map[string]any{"endpoint": "/checkout"}, om.Sum().DataPoints().At(0).Attributes().AsRaw())
}
