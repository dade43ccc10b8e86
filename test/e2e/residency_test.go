package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

const (
	tenantOneKey = "e2e-tenant-one-key-0123456789" // tenant t1 (testdata/residency.yaml)
	tenantTwoKey = "e2e-tenant-two-key-0123456789" // tenant t2
)

// postOTLPAs posts one OTLP/HTTP protobuf request with a tenant's key and requires a 2xx answer.
func postOTLPAs(t *testing.T, endpoint, path, key string, body []byte) {
	t.Helper()
	r := send(t, http.MethodPost, "http://"+endpoint+path, key, map[string]string{"Content-Type": "application/x-protobuf"}, body)
	require.Equal(t, 2, r.status/100, "POST %s: %d: %s", path, r.status, r.body)
}

// TestDataResidencyPerTenant: tenant t1 is mapped to region eu and t2 to us, two databases
// standing for two ClickHouse stores; the default tenant stays in the collector's own database.
// Spans, log records, events and metrics of the three tenants are sent interleaved, so the
// exporter's batches mix tenants; every record lands in its tenant's store and no store holds a
// row of another tenant. The query API reads each tenant's points from its region; a user's export
// and deletion in tenant t1 act on the eu store, and the same user id in t2 (us) is untouched.
func TestDataResidencyPerTenant(t *testing.T) {
	dbEU, dbUS := "e2e_eu_"+randomSuffix(), "e2e_us_"+randomSuffix()
	c := startCollector(t, collectorOptions{
		env: map[string]string{
			"TELEMETRY_PRIVACY_MODE": "minimal",
			"E2E_EU_ENDPOINT":        engineURL, "E2E_EU_DATABASE": dbEU,
			"E2E_US_ENDPOINT": engineURL, "E2E_US_DATABASE": dbUS,
		},
		args: dataRightsConfig("residency.yaml"),
	})
	tenants := []struct{ name, key, db string }{
		{"t1", tenantOneKey, dbEU},
		{"t2", tenantTwoKey, dbUS},
		{"default", testAPIKey, c.database},
	}
	const rounds = 5
	for r := 0; r < rounds; r++ {
		for _, tn := range tenants {
			td, _ := tracesRequest("residency", fmt.Sprintf("%s-%d", tn.name, r), 2, 2, "")
			body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
			require.NoError(t, err)
			postOTLPAs(t, c.otlpHTTP, "/v1/traces", tn.key, body)

			lbody, err := plogotlp.NewExportRequestFromLogs(numberedLogs("residency", r*10, 3)).MarshalProto()
			require.NoError(t, err)
			postOTLPAs(t, c.otlpHTTP, "/v1/logs", tn.key, lbody)

			md := pmetric.NewMetrics()
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", "residency")
			m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
			m.SetName("residency.probe")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
			dp.SetIntValue(int64(r))
			mbody, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
			require.NoError(t, err)
			postOTLPAs(t, c.otlpHTTP, "/v1/metrics", tn.key, mbody)

			status, reply := c.apiCall(t, http.MethodPost, "/events", tn.key, map[string]any{"event_name": "residency_probe", "properties": map[string]any{"round": r}})
			require.Equal(t, http.StatusAccepted, status, "event: %v", reply)
		}
	}

	want := map[string]uint64{"telemetry_spans": 2 * 2 * rounds, "telemetry_logs": 3 * rounds, "telemetry_metrics": rounds, "telemetry_events": rounds}
	// The rows the test sent. telemetry_metrics also gets the RED metrics of the spans above
	// (span_metrics rewrites its cumulative series every 15 s, whenever the run reaches a flush):
	// they count towards "nobody else's rows" below, not towards the exact number sent.
	sentRows := map[string]string{"telemetry_metrics": "metric_name = 'residency.probe'"}
	ownRows := func(table string) string {
		if w, ok := sentRows[table]; ok {
			return w
		}
		return "1"
	}
	for _, tn := range tenants {
		conn, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{c.endpoint[len("http://"):]},
			Auth: clickhouse.Auth{Database: tn.db, Username: "default"}})
		require.NoError(t, err)
		defer conn.Close()
		for table, n := range want {
			eventuallyCount(t, conn, n, "SELECT count() FROM "+table+" WHERE tenant_id = ? AND "+ownRows(table), tn.name)
		}
		// Pause for anything late, then: this store holds its tenant's rows, exactly, and nobody else's.
		time.Sleep(500 * time.Millisecond)
		for table, n := range want {
			var rows []struct {
				Tenant string `ch:"tenant_id"`
				N      uint64 `ch:"n"`
			}
			require.NoError(t, conn.Select(context.Background(), &rows, "SELECT tenant_id, countIf("+ownRows(table)+") AS n FROM "+table+" GROUP BY tenant_id ORDER BY tenant_id"))
			got := map[string]uint64{}
			for _, r := range rows {
				got[r.Tenant] = r.N
			}
			assert.Equal(t, map[string]uint64{tn.name: n}, got, "%s.%s", tn.db, table)
		}
	}

	// Queries go to the tenant's region: each key sees its own 5 points of residency.probe.
	for _, tn := range tenants {
		status, body := c.apiCall(t, http.MethodGet, "/metrics?metric_names=residency.probe", tn.key, nil)
		require.Equal(t, http.StatusOK, status, "%s: %v", tn.name, body)
		assert.Equal(t, tn.name, body["tenant"])
		assert.EqualValues(t, rounds, body["points"], "%s reads its region's store: %v", tn.name, body)
		// Trace and log search read the region's store too: each tenant's own traces and records.
		status, body = c.apiCall(t, http.MethodGet, "/traces?limit=200", tn.key, nil)
		require.Equal(t, http.StatusOK, status, "%s: %v", tn.name, body)
		assert.Len(t, body["traces"], 2*rounds, "%s: traces of its region: %v", tn.name, body)
		status, body = c.apiCall(t, http.MethodGet, "/logs?limit=1000", tn.key, nil)
		require.Equal(t, http.StatusOK, status, "%s: %v", tn.name, body)
		assert.Len(t, body["logs"], 3*rounds, "%s: log records of its region", tn.name)
	}

	// Data rights: the same user id in t1 (eu) and t2 (us); t1 exports and deletes it.
	const user = "residency-user"
	for _, key := range []string{tenantOneKey, tenantTwoKey} {
		status, reply := c.apiCall(t, http.MethodPost, "/events", key, map[string]any{"event_name": "residency_user", "user_id": user})
		require.Equal(t, http.StatusAccepted, status, "event: %v", reply)
	}
	userRows := func(db string) uint64 {
		conn, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{c.endpoint[len("http://"):]},
			Auth: clickhouse.Auth{Database: db, Username: "default"}})
		require.NoError(t, err)
		defer conn.Close()
		var n uint64
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE user_id = ?", user).Scan(&n))
		return n
	}
	deadline := time.Now().Add(storeWithin)
	for userRows(dbEU) == 0 || userRows(dbUS) == 0 {
		require.True(t, time.Now().Before(deadline), "the user's events were not stored")
		time.Sleep(200 * time.Millisecond)
	}
	sections, header := c.exportUser(t, tenantOneKey, user, "")
	assert.Equal(t, "t1", header["tenant"])
	require.Len(t, sections["telemetry_events"], 1, "t1's export reads the eu store")
	acc := c.requestDeletion(t, tenantOneKey, user)
	done := c.waitRequest(t, tenantOneKey, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	for _, tc := range done.Receipt.Tables {
		if tc.Table == "telemetry_events" {
			assert.EqualValues(t, 1, tc.MatchedBefore, "the receipt counts the eu store")
			assert.Zero(t, tc.RemainingAfter)
		}
	}
	assert.Zero(t, userRows(dbEU), "deleted in the eu store")
	assert.EqualValues(t, 1, userRows(dbUS), "t2's user of the same id is another data subject")
}
