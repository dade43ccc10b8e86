package dashboardextension

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
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
}
