package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryTenantMatrixThroughCollector (issue #11): the query routes in the role × tenant matrix
// of the API (README of telemetry_api): who may call each route, and that no answer ever holds
// another tenant's data (globex's labels and event names are its own).
func TestQueryTenantMatrixThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	m := newQueryModel()
	m.send(t, c)

	routes := []struct {
		path    string
		query   string
		allowed []string
	}{
		{"/metrics", "metric_names=api_requests", []string{"viewer", "analyst", "admin"}},
		{"/metrics/aggregate", "metric_name=api_requests&aggregation=sum&group_by=endpoint&interval=all", []string{"viewer", "analyst", "admin"}},
		{"/metrics/aggregate", "source=events&aggregation=unique_users&group_by=event_name&interval=all", []string{"viewer", "analyst", "admin"}},
		{"/metrics/export", "metric_names=api_requests&format=ndjson", []string{"analyst", "admin"}},
	}
	callers := []struct{ role, key, tenant string }{
		{"none", "", ""},
		{"wrong", wrongKey, ""},
		{"ingest", qAcmeIngest, "acme"},
		{"privacy", qAcmePrivacy, "acme"},
		{"viewer", qAcmeViewer, "acme"},
		{"analyst", qAcmeAnalyst, "acme"},
		{"admin", testAPIKey, "default"},
		{"viewer", qGlobexViewer, "globex"},
	}
	rangeQ := "&start_time=" + ms(m.t0) + "&end_time=" + ms(m.t0.Add(6*time.Hour))
	calls := 0
	for _, r := range routes {
		for _, cl := range callers {
			for _, scenario := range []struct{ name, tenant string }{{"own", ""}, {"acme", "acme"}, {"globex", "globex"}} {
				q := r.query + rangeQ
				if scenario.tenant != "" {
					q += "&tenant=" + scenario.tenant
				}
				got := send(t, http.MethodGet, c.apiURL(r.path+"?"+q), cl.key, nil, nil)
				calls++
				name := r.path + "?" + r.query + " as " + cl.role + "@" + cl.tenant + " for " + scenario.name
				reads := cl.tenant
				if scenario.tenant != "" {
					reads = scenario.tenant
				}
				switch {
				case cl.tenant == "":
					requireAPIError(t, got, http.StatusUnauthorized, "unauthenticated")
				case !contains(r.allowed, cl.role):
					requireAPIError(t, got, http.StatusForbidden, "forbidden")
				case reads != cl.tenant && cl.role != "admin":
					requireAPIError(t, got, http.StatusNotFound, "not_found")
				default:
					require.Equal(t, http.StatusOK, got.status, "%s: %s", name, got.body)
					body := string(got.body)
					hasGlobex := strings.Contains(body, "/api/globex") || strings.Contains(body, "globex_signup")
					hasAcme := strings.Contains(body, "/api/orders") || strings.Contains(body, "checkout")
					assert.Equal(t, reads == "globex", hasGlobex, "%s: globex data iff globex is read: %s", name, body)
					assert.Equal(t, reads == "acme", hasAcme, "%s: acme data iff acme is read: %s", name, body)
					if r.path != "/metrics/export" {
						var a map[string]any
						require.NoError(t, json.Unmarshal(got.body, &a))
						assert.Equal(t, reads, a["tenant"], name)
					}
				}
			}
		}
	}
	t.Logf("%d calls", calls)
	requireAPIError(t, send(t, http.MethodGet, c.apiURL("/metrics/aggregate?metric_name=x&aggregation=sum&tenant=*"), testAPIKey, nil, nil),
		http.StatusBadRequest, "invalid_tenant")

	// Every query is audited with the rows it answered.
	conn := c.db()
	eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_audit WHERE details['route'] = '/api/v1/telemetry/metrics/aggregate'
		AND actor = 'q-acme-viewer' AND toInt64OrZero(details['rows']) > 0 AND details['query'] LIKE '%aggregation=sum%'`)
	eventuallyCount(t, conn, 1, `SELECT count() FROM telemetry_audit WHERE details['route'] = '/api/v1/telemetry/metrics/export'
		AND actor = 'q-acme-analyst' AND tenant_id = 'acme'`)
	var rows string
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT details['rows'] FROM telemetry_audit
		WHERE details['route'] = '/api/v1/telemetry/metrics/export' AND actor = 'q-acme-analyst' AND tenant_id = 'acme' LIMIT 1`).Scan(&rows))
	assert.Equal(t, "108", rows, "the export's audit record counts its rows (2 services x 3 endpoints x 18 steps)")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestQueryMaliciousInputThroughCollector (issue #11): SQL in every parameter, huge ranges, too
// many buckets and a million groups get a 400 naming the parameter or a bounded, correct answer.
func TestQueryMaliciousInputThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	m := newQueryModel()
	m.send(t, c)
	base := "&start_time=" + ms(m.t0) + "&end_time=" + ms(m.t0.Add(6*time.Hour))
	agg := "/metrics/aggregate?metric_name=api_requests&aggregation=sum"

	bad := []struct{ path, field string }{
		{agg + "&group_by=" + urlq("endpoint'] OR 1=1 --") + base, "group_by"},
		{agg + "&group_by=a,b,c,d,e,f" + base, "group_by"},
		{agg + "&" + urlq("attr.x']) OR 1=1 --") + "=1" + base, "attr.x']) OR 1=1 --"},
		{agg + "&tz=" + urlq("UTC') OR 1=1 --") + base, "tz"},
		{agg + "&tz=Mars/Olympus" + base, "tz"},
		{agg + "&interval=" + urlq("1 HOUR) --") + base, "interval"},
		{agg + "&interval=1m&start_time=2026-01-01T00:00:00Z&end_time=2026-03-01T00:00:00Z", "interval"},
		{agg + "&start_time=0&end_time=" + ms(time.Now()), "start_time"},
		{agg + "&start_time=" + ms(m.t0.Add(time.Hour)) + "&end_time=" + ms(m.t0), "start_time"},
		{agg + "&start_time=yesterday", "start_time"},
		{"/metrics/aggregate?metric_name=api_requests&aggregation=" + urlq("sum(value)) --") + base, "aggregation"},
		{"/metrics/aggregate?metric_name=api_requests&aggregation=median" + base, "aggregation"},
		{"/metrics/aggregate?metric_name=api_requests" + base, "aggregation"},
		{agg + "&aggregation=avg" + base, "aggregation"},
		{agg + "&limit=1000000" + base, "limit"},
		{agg + "&fill=linear" + base, "fill"},
		{agg + "&groupby=endpoint" + base, "groupby"},
		{"/metrics/aggregate?source=" + urlq("events; DROP TABLE x") + "&aggregation=count" + base, "source"},
		{"/metrics?metric_names=api_requests&cursor=" + urlq("' OR 1=1 --") + base, "cursor"},
		{"/metrics?metric_names=api_requests&limit=0" + base, "limit"},
		{"/metrics?limit=10" + base, "metric_names"},
	}
	for _, b := range bad {
		got := send(t, http.MethodGet, c.apiURL(b.path), qAcmeAnalyst, nil, nil)
		requireAPIError(t, got, http.StatusBadRequest, "invalid_parameter")
		assert.Equal(t, b.field, got.json()["error"].(map[string]any)["field"], "%s: %s", b.path, got.body)
	}

	// Values are bound, never spliced: SQL in a value matches nothing and breaks nothing.
	for _, path := range []string{
		agg + "&group_by=endpoint&attr.endpoint=" + urlq("' OR '1'='1") + base,
		agg + "&group_by=endpoint&service=" + urlq("shop' OR 1=1 --") + base,
		"/metrics/aggregate?aggregation=sum&metric_name=" + urlq("api_requests' OR 1=1 --") + base,
		"/metrics?metric_names=" + urlq("x') OR 1=1 --") + base,
		"/metrics/aggregate?source=events&aggregation=count&event_name=" + urlq("x') OR ('1'='1") + base,
	} {
		got := send(t, http.MethodGet, c.apiURL(path), qAcmeAnalyst, nil, nil)
		require.Equal(t, http.StatusOK, got.status, "%s: %s", path, got.body)
		assert.Empty(t, got.json()["series"], path)
	}

	// A million groups: the answer holds the top `limit` and one "other" group with the rest.
	conn := c.db()
	require.NoError(t, conn.Exec(context.Background(), `INSERT INTO telemetry_metrics (tenant_id, timestamp, metric_name, metric_type,
		service_name, attributes, value) SELECT 'acme', fromUnixTimestamp64Milli(toInt64(?)) + toIntervalSecond(number % 3600), 'many_groups', 'gauge', 'shop',
		map('session', toString(number)), number FROM numbers(1000000)`, m.t0.UnixMilli()))
	a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "many_groups", "aggregation", "count", "group_by", "session", "interval", "all", "limit", "100"))
	require.Len(t, a.Series, 101)
	var total float64
	for _, s := range a.Series[:100] {
		total += *s.Points[0][1]
	}
	assert.Equal(t, 100.0, total, "each of the top 100 groups has one point")
	assert.True(t, a.Series[100].Other)
	assert.Equal(t, 999_900.0, *a.Series[100].Points[0][1])
}

func urlq(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "'", "%27", "&", "%26", "=", "%3D", "#", "%23", ";", "%3B", "+", "%2B", "]", "%5D", "[", "%5B", ")", "%29", "(", "%28").Replace(s)
}

// TestQueryLimitsThroughCollector (issue #11): max_result_rows reaches ClickHouse with every query:
// a collector allowing 5 result rows answers a 6-bucket aggregate with 422, a 5-bucket one with 200.
func TestQueryLimitsThroughCollector(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env: map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"},
		args: []string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/query-tenants.yaml"),
			"--set=extensions::telemetry_query::max_result_rows=5", "--set=extensions::telemetry_query::max_page_size=2",
			"--set=extensions::telemetry_query::export::chunk_rows=7"},
	})
	m := newQueryModel()
	m.send(t, c)
	q := m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "interval", "1h")
	requireAPIError(t, c.query(t, qAcmeViewer, "/metrics/aggregate", q), http.StatusUnprocessableEntity, "query_too_large")
	q.Set("end_time", ms(m.t0.Add(5*time.Hour)))
	a := c.aggregate(t, qAcmeViewer, q)
	require.Len(t, a.Series, 1)
	assert.Len(t, a.Series[0].Points, 5)
	r := c.query(t, qAcmeViewer, "/metrics", m.rangeQuery("metric_names", "api_requests", "limit", "3"))
	requireAPIError(t, r, http.StatusBadRequest, "invalid_parameter")
	assert.Equal(t, "limit", r.json()["error"].(map[string]any)["field"])

	requireChunkedExport(t, c, m)
}

// TestQueryExportChunksThroughCollector (issue #11): exports read two rows per query: every
// (name, service, time) key has two or three rows, so each chunk is one key read on its own.
func TestQueryExportChunksThroughCollector(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env: map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"},
		args: []string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/query-tenants.yaml"),
			"--set=extensions::telemetry_query::export::chunk_rows=2"},
	})
	m := newQueryModel()
	m.send(t, c)
	requireChunkedExport(t, c, m)
}

// requireChunkedExport: an export read in small chunks, across keys shared by several rows (three
// endpoints of a service at each time), holds every point exactly once.
func requireChunkedExport(t *testing.T, c *collector, m *queryModel) {
	t.Helper()
	for _, maxRows := range []int{1000, 100} {
		res := exportCall(t, c, qAcmeAnalyst, m.rangeQuery("metric_names", "api_requests,queue_depth", "format", "csv",
			"max_rows", strconv.Itoa(maxRows)), false)
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		got, _ := parseExport(t, "csv", res.body)
		want := m.expectedPoints()
		assert.Len(t, got, min(maxRows, len(want)))
		for k, v := range got {
			assert.Equal(t, want[k], v, "%v", k)
		}
		assert.Equal(t, strconv.Itoa(min(maxRows, len(want))), res.trailer.Get("X-Export-Rows"))
	}
}
