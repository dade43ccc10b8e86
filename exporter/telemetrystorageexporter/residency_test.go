package telemetrystorageexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
)

var testResidency = residency.Config{
	Regions: map[string]residency.Region{"eu": {Endpoint: "http://eu:8123"}, "us": {Endpoint: "http://us:8123"}},
	Tenants: map[string]string{"t-eu": "eu", "t-eu2": "eu", "t-us": "us"},
}

// tenantTraces has one resource per tenant ("" = no tenant.id), each with spans spans.
func tenantTraces(spans int, tenants ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, tn := range tenants {
		rs := td.ResourceSpans().AppendEmpty()
		if tn != "" {
			rs.Resource().Attributes().PutStr("tenant.id", tn)
		}
		ss := rs.ScopeSpans().AppendEmpty()
		for i := 0; i < spans; i++ {
			ss.Spans().AppendEmpty().SetName(tn)
		}
	}
	return td
}

func TestSplitByRegion(t *testing.T) {
	regionOf := testResidency.RegionOf

	one := tenantTraces(2, "t-eu", "t-eu2")
	parts := splitTraces(one, regionOf)
	require.Len(t, parts, 1)
	assert.Equal(t, one, parts["eu"], "one region: the request itself, no copy")

	mixed := tenantTraces(3, "t-eu", "t-us", "", "t-eu2", "other")
	parts = splitTraces(mixed, regionOf)
	require.Len(t, parts, 3)
	assert.Equal(t, 6, parts["eu"].SpanCount())
	assert.Equal(t, 3, parts["us"].SpanCount())
	assert.Equal(t, 6, parts[""].SpanCount(), "no tenant (default) and unlisted tenants stay in the exporter's own store")
	for region, p := range parts {
		for _, rs := range p.ResourceSpans().All() {
			assert.Equal(t, region, regionOf(tenantOf(rs.Resource().Attributes())))
		}
	}
	assert.Empty(t, splitTraces(ptrace.NewTraces(), regionOf))

	md := pmetric.NewMetrics()
	for _, tn := range []string{"t-us", "t-eu"} {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("tenant.id", tn)
		rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(1)
	}
	mparts := splitMetrics(md, regionOf)
	require.Len(t, mparts, 2)
	assert.Equal(t, 1, mparts["eu"].DataPointCount())
	assert.Equal(t, 1, mparts["us"].DataPointCount())

	ld := plog.NewLogs()
	for _, tn := range []string{"t-us", "t-us", "t-eu"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("tenant.id", tn)
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	}
	lparts := splitLogs(ld, regionOf)
	require.Len(t, lparts, 2)
	assert.Equal(t, 2, lparts["us"].LogRecordCount())
	assert.Equal(t, 1, lparts["eu"].LogRecordCount())
}

func TestRegionConfigInherits(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Endpoint, cfg.Database, cfg.Username, cfg.Password = "http://own:8123", "tel", "u", "p"
	cfg.Residency = residency.Config{Regions: map[string]residency.Region{
		"eu": {Endpoint: "http://eu:8123"},
		"us": {Endpoint: "http://us:8123", Database: "tel_us", Username: "us", Password: "pw"},
	}}
	eu := regionConfig(cfg, "eu")
	assert.Equal(t, "http://eu:8123", eu.Endpoint)
	assert.Equal(t, "tel", eu.Database)
	assert.Equal(t, "u", eu.Username)
	assert.False(t, eu.Residency.Enabled(), "a region store does not route again")
	assert.Same(t, eu, regionConfig(cfg, "eu"), "signals of one component share the region's storage")
	us := regionConfig(cfg, "us")
	assert.Equal(t, []string{"http://us:8123", "tel_us", "us", "pw"}, []string{us.Endpoint, us.Database, us.Username, string(us.Password)})
	assert.Equal(t, cfg.Retention, us.Retention, "retention, TLS, queue settings are the exporter's")
}

func TestResidencyConfigLoads(t *testing.T) {
	cfg, err := loadConfig(t, "residency")
	require.NoError(t, err)
	assert.Equal(t, "eu", cfg.Residency.RegionOf("acme-gmbh"))
	assert.Equal(t, "us", cfg.Residency.RegionOf("acme-inc"))
	assert.Equal(t, "telemetry_us", cfg.Residency.Regions["us"].Database)

	_, err = loadConfig(t, "residency_invalid")
	require.ErrorContains(t, err, `residency::tenants::acme-gmbh: region "eu"`)
}
