package piiredactionprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

// TestGeoAnonymize: coordinates are cut like an IP to its network in strict (1 decimal) and kept
// coarse in balanced (2 decimals); the output is not found again (idempotent), and the dry run
// names geo for the change.
func TestGeoAnonymize(t *testing.T) {
	const in = "courier position 48.85837, 2.29448; driver at 40.71278,-74.00597"
	for _, tc := range []struct {
		mode Mode
		want string
	}{
		{ModeStrict, "courier position 48.8, 2.2; driver at 40.7,-74.0"},
		{ModeBalanced, "courier position 48.85, 2.29; driver at 40.71,-74.00"},
		{ModeMinimal, in},
	} {
		cfg := strictCfg()
		cfg.Mode = tc.mode
		require.NoError(t, cfg.Validate())
		p := newTestProcessor(t, cfg)
		ld, err := p.processLogs(t.Context(), tenantNoteLogs(in, "us"))
		require.NoError(t, err)
		assert.Equal(t, tc.want, logNote(ld, 0), "%s", tc.mode)
		again, err := p.processLogs(t.Context(), tenantNoteLogs(tc.want, "us"))
		require.NoError(t, err)
		assert.Equal(t, tc.want, logNote(again, 0), "%s: idempotent", tc.mode)
	}
	cfg := strictCfg()
	cfg.Actions = map[string]Action{"email": ActionAnonymize}
	assert.ErrorContains(t, cfg.Validate(), "actions.email: anonymize is only valid for the ip and geo detectors")

	p := newTestProcessor(t, createDefaultConfig())
	sample, err := (&plog.JSONMarshaler{}).MarshalLogs(tenantNoteLogs(in, "eu"))
	require.NoError(t, err)
	res, err := p.DryRun(t.Context(), privacypolicy.Policy{}, "logs", sample)
	require.NoError(t, err)
	found := false
	for _, ch := range res.Changes {
		if ch.Field == "resource_logs[0].log_records[0].attributes.note" {
			found = true
			assert.Equal(t, "anonymized", ch.Action)
			assert.Equal(t, "geo", ch.Detector)
			assert.Equal(t, "courier position 48.8, 2.2; driver at 40.7,-74.0", ch.After)
		}
	}
	assert.True(t, found, "%+v", res.Changes)
}

// TestFreeTextDetectorsMetrics: each free-text corpus detector counts its replacements in the
// redactions metric under its own name (strict, the first positive of its file as a log body).
func TestFreeTextDetectorsMetrics(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	lp, err := NewFactory().CreateLogs(t.Context(), set, strictCfg(), consumertest.NewNop())
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, c := range loadFreeText(t) {
		if c.Kind != "positive" || seen[c.detector] {
			continue
		}
		seen[c.detector] = true
		ld := plog.NewLogs()
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(c.Text)
		require.NoError(t, lp.ConsumeLogs(t.Context(), ld))
	}
	m, err := tel.GetMetric(metadata.MetricRedactionsName)
	require.NoError(t, err)
	sum := m.Data.(metricdata.Sum[int64])
	got := map[string]int64{}
	for _, p := range sum.DataPoints {
		d, _ := p.Attributes.Value(attribute.Key("detector"))
		s, _ := p.Attributes.Value(attribute.Key("signal"))
		if s.AsString() == "logs" {
			got[d.AsString()] += p.Value
		}
	}
	for det := range seen {
		assert.Positive(t, got[det], "%s counted (got %v)", det, got)
	}
}
