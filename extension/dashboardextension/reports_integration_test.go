package dashboardextension

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/residency"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// testDatabase creates a migrated database on the shared engine, dropped at the end of the test.
func testDatabase(t *testing.T, conn driver.Conn, prefix string) *chschema.Schema {
	t.Helper()
	ctx := context.Background()
	database := prefix + strconv.FormatInt(time.Now().UnixNano(), 36)
	schema, err := chschema.New(chschema.Options{Database: database})
	require.NoError(t, err)
	_, err = schema.Migrate(ctx, conn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+chschema.QuoteIdent(database)) })
	return schema
}

func testConn(t *testing.T) (string, driver.Conn) {
	t.Helper()
	endpoint := chtest.Endpoint(t)
	opt, err := chschema.ClientOptions(endpoint, "", "")
	require.NoError(t, err)
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return endpoint, conn
}

func sectionNamed(t *testing.T, rep *Report, name string) Section {
	t.Helper()
	for _, s := range rep.Sections {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no section", "%s in %+v", name, rep.Sections)
	return Section{}
}

// TestIntegrationEndpointsWeightedBySampleRate: tail sampling keeps every error or slow trace (sample_rate
// 1) and a tenth of the others (sample_rate 0.1, each standing for 10). The report's requests, errors,
// error rate and p95 are estimates of the traffic before sampling, as the query API's weighted_*
// aggregates are; counted unweighted, the errors and slow requests that sampling keeps for certain
// would dominate them.
func TestIntegrationEndpointsWeightedBySampleRate(t *testing.T) {
	endpoint, conn := testConn(t)
	schema := testDatabase(t, conn, "dashboard_weighted_")
	ctx := context.Background()
	// 2 slow error spans kept for certain, 10 fast ok spans kept at rate 0.1 (100 before sampling);
	// 12 users. Of the 102 requests 100 took 1 ms: their p95 is 1 ms (of the 12 stored spans, 500 ms).
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+schema.Table(chschema.Spans).Qualified+
		" (tenant_id, timestamp, duration_ns, trace_id, span_id, span_name, span_kind, service_name, user_id, status_code, attributes, sample_rate)"+
		" SELECT 'default', now64(9) - toIntervalSecond(number), if(number < 2, 500000000, 1000000), toString(number), toString(number),"+
		" 'GET /checkout', 'server', 'shop', concat('u', toString(number)), if(number < 2, 'error', 'ok'),"+
		" map('http.route', '/checkout'), if(number < 2, 1, 0.1) FROM numbers(12)"))

	tel, err := metadata.NewTelemetry(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	cfg := createDefaultConfig()
	cfg.Storage.Endpoint = endpoint
	cfg.Storage.Database = schema.Database()
	rp, err := newReporter(cfg, conn, nil, tel)
	require.NoError(t, err)
	now := time.Now().UTC()
	rep, err := rp.build(ctx, reportRequest{typ: reportUsage, format: formatJSON, from: now.Add(-time.Hour), to: now.Add(time.Minute), k: 5}, "default", false)
	require.NoError(t, err)
	s := sectionNamed(t, rep, "endpoints")
	require.Len(t, s.Rows, 1, "%+v", s)
	row := s.Rows[0]
	assert.Equal(t, "/checkout", row.Group)
	assert.InDelta(t, 102, row.Values["requests"], 1e-6, "requests before sampling")
	assert.InDelta(t, 2, row.Values["errors"], 1e-6)
	assert.InDelta(t, 0.0196, row.Values["error_rate"], 1e-6, "2 of 102, not 2 of the 12 stored spans")
	assert.InDelta(t, 1, row.Values["p95_ms"], 1e-6, "100 of the 102 requests took 1 ms")
	assert.InDelta(t, 12, row.Values["users"], 1e-6, "users are the stored ones, not weighted")
	assert.InDelta(t, 102, s.TotalsOfShown["requests"], 1e-6)
	// A report is read by people: its times are to the second, not the nanosecond.
	for name, ts := range map[string]time.Time{"from": rep.From, "to": rep.To, "generated_at": rep.GeneratedAt} {
		assert.Zero(t, ts.Nanosecond(), "%s %s", name, ts)
	}
}

// TestIntegrationReportsReadTenantRegion: with data residency, the telemetry_storage exporter writes
// tenant t1's events and spans to region eu's store. t1's usage report reads them there (as the
// query API and data rights do), while its privacy report reads consent history in the main store;
// the default tenant, not mapped, reads the main store.
func TestIntegrationReportsReadTenantRegion(t *testing.T) {
	endpoint, conn := testConn(t)
	main := testDatabase(t, conn, "dashboard_main_")
	eu := testDatabase(t, conn, "dashboard_eu_")
	ctx := context.Background()
	events := func(s *chschema.Schema, tenant, name string) {
		require.NoError(t, conn.Exec(ctx, "INSERT INTO "+s.Table(chschema.Events).Qualified+
			" (tenant_id, timestamp, observed_timestamp, event_name, user_id)"+
			" SELECT ?, now64(9), now64(9), ?, concat('u', toString(number)) FROM numbers(5)", tenant, name))
	}
	events(eu, "t1", "eu_event")
	events(main, "default", "main_event")
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+eu.Table(chschema.Spans).Qualified+
		" (tenant_id, timestamp, duration_ns, span_name, span_kind, user_id, status_code, attributes)"+
		" SELECT 't1', now64(9), 1000000, 'GET /eu', 'server', concat('u', toString(number)), 'ok', map('http.route', '/eu') FROM numbers(5)"))
	require.NoError(t, conn.Exec(ctx, "INSERT INTO "+main.Table(chschema.ConsentHistory).Qualified+
		" (tenant_id, user_id, purpose, status, changed_at) SELECT 't1', concat('u', toString(number)), 'analytics', 'granted', now64(3) FROM numbers(5)"))

	cfg := createDefaultConfig()
	cfg.Storage.Endpoint = endpoint
	cfg.Storage.Database = main.Database()
	cfg.Residency.Regions = map[string]residency.Region{"eu": {Endpoint: endpoint, Database: eu.Database()}}
	cfg.Residency.Tenants = map[string]string{"t1": "eu"}
	require.NoError(t, cfg.Validate())
	reg := &fakeRegistry{}
	ext, err := NewFactory().Create(ctx, extension.Settings{
		ID: component.NewID(component.MustNewType("telemetry_dashboard")), TelemetrySettings: componenttest.NewNopTelemetrySettings(),
	}, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(ctx, host{componenttest.NewNopHost(), map[component.ID]component.Component{cfg.APIExtension: reg}}))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(ctx)) })
	var reports http.Handler
	for _, r := range reg.routes {
		if r.Path == dashboardPath+"/reports" {
			reports = r.Handler
		}
	}
	require.NotNil(t, reports)
	report := func(tenant, query string) *Report {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/dashboard/reports?"+query, nil)
		r = r.WithContext(telemetryapi.WithTenant(telemetryapi.WithPrincipal(r.Context(),
			telemetryapi.Principal{KeyID: "k", TenantID: tenant, Roles: []telemetryapi.Role{telemetryapi.RoleAnalyst}}), tenant))
		rec := httptest.NewRecorder()
		reports.ServeHTTP(rec, r)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var rep Report
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
		return &rep
	}
	groups := func(s Section) []string {
		var out []string
		for _, r := range s.Rows {
			out = append(out, r.Group)
		}
		return out
	}
	rep := report("t1", "type=usage&period=1d")
	assert.Equal(t, []string{"eu_event"}, groups(sectionNamed(t, rep, "top_events")), "t1's events are in region eu")
	assert.Equal(t, []string{"/eu"}, groups(sectionNamed(t, rep, "endpoints")), "t1's spans are in region eu")
	rep = report("t1", "type=usage&period=1d&property=missing")
	assert.Empty(t, sectionNamed(t, rep, "by_property").Rows)
	rep = report("t1", "type=privacy&period=1d")
	assert.Equal(t, []string{"analytics"}, groups(sectionNamed(t, rep, "consent_by_purpose")), "consent history stays in the main store")
	rep = report("default", "type=usage&period=1d")
	assert.Equal(t, []string{"main_event"}, groups(sectionNamed(t, rep, "top_events")), "unmapped tenants read the main store")
}
