package consentprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor/internal/metadata"
)

func TestSelfTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := nopSettings()
	set.TelemetrySettings = tel.NewTelemetrySettings()

	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "t1", "A", map[string]bool{"analytics": true, "performance": true})
	e.set(t, "t1", "B", map[string]bool{"analytics": true})
	e.set(t, "t1", "B", map[string]bool{"analytics": false})
	cfg := createDefaultConfig()
	cfg.Action = ActionAnonymize
	p := e.start(t, cfg, set)
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil,
		map[string]string{"n": "a", "user.id": "A"},
		map[string]string{"n": "c", "user.id": "C"},
		map[string]string{"n": "anon"})))
	require.NoError(t, p.logs.ConsumeLogs(ctx, newLogs("t1", nil,
		map[string]string{"body": "e", "user.id": "B", "event_name": "click"},
		map[string]string{"body": "e", "user.id": "A", "event_name": "click"})))

	m, err := tel.GetMetric(metadata.MetricRecordsName)
	require.NoError(t, err)
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok && sum.IsMonotonic, "want a monotonic int64 sum, got %T", m.Data)
	got := map[[4]string]int64{}
	for _, dp := range sum.DataPoints {
		var k [4]string
		for i, key := range []attribute.Key{"signal", "purpose", "outcome", "reason"} {
			v, _ := dp.Attributes.Value(key)
			k[i] = v.AsString()
		}
		got[k] = dp.Value
	}
	assert.Equal(t, map[[4]string]int64{
		{"traces", "performance", "passed", "granted"}:            1,
		{"traces", "performance", "anonymized", "default_opt_in"}: 1,
		{"traces", "performance", "passed", "anonymous"}:          1,
		{"logs", "analytics", "anonymized", "withdrawn"}:          1,
		{"logs", "analytics", "passed", "granted"}:                1,
	}, got)
}
