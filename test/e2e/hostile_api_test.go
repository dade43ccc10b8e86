package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

// Keys of testdata/hostile-api.yaml.
const (
	hostileAcmeAdmin    = "e2e-hostile-acme-admin-0001"
	hostileAcmeOperator = "e2e-hostile-acme-operator-01"
	hostileAcmeIngest   = "e2e-hostile-acme-ingest-0001"
)

func startHostileCollector(t *testing.T, env map[string]string, args ...string) *collector {
	t.Helper()
	return startCollector(t, collectorOptions{
		env:  env,
		args: append([]string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/hostile-api.yaml")}, args...),
	})
}

// TestHostileAdminIsTenantScoped (issue #20 item 7): an admin key of tenant acme acts on acme
// only. Naming the default tenant (consent, data-subject export, metrics export, ingest, audit) or
// all tenants answers the same 404 as a missing route, and nothing is stored under default. The
// operator role — the bootstrap key's, or a key given it explicitly — crosses tenants by name.
func TestHostileAdminIsTenantScoped(t *testing.T) {
	c := startHostileCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"})
	conn := c.db()

	// The default tenant has a data subject with consent and an event.
	c.grantConsent(t, testAPIKey, "u-default", map[string]bool{"analytics": true})
	status, body := c.apiCall(t, http.MethodPost, "/events", testAPIKey, map[string]any{"event_name": "default_event", "user_id": "u-default"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'default' AND event_name = 'default_event'")

	status, notFound := c.apiCall(t, http.MethodGet, "/no/such/route", hostileAcmeAdmin, nil)
	require.Equal(t, http.StatusNotFound, status)

	crossTenant := []struct{ method, path string }{
		{http.MethodGet, "/consent/status?tenant=default&user_id=u-default"},
		{http.MethodGet, "/data/u-default/export?tenant=default"},
		{http.MethodDelete, "/data/u-default?tenant=default"},
		{http.MethodGet, "/metrics?tenant=default&metric_names=api_requests"},
		{http.MethodGet, "/metrics/export?tenant=default&metric_names=api_requests&format=csv"},
		{http.MethodGet, "/dashboard/reports?tenant=default&format=json"},
		{http.MethodGet, "/audit?tenant=default"},
		{http.MethodGet, "/audit?tenant=*"},
	}
	for _, r := range crossTenant {
		status, body := c.apiCall(t, r.method, r.path, hostileAcmeAdmin, nil)
		assert.Equal(t, http.StatusNotFound, status, "admin of acme: %s %s: %v", r.method, r.path, body)
		assert.Equal(t, notFound, body, "indistinguishable from a missing route: %s %s", r.method, r.path)
	}
	// Ingest under another tenant: refused, and nothing of it reaches the default tenant.
	status, body = c.apiCall(t, http.MethodPost, "/events?tenant=default", hostileAcmeAdmin, map[string]any{"event_name": "smuggled", "user_id": "u-x"})
	assert.Equal(t, http.StatusNotFound, status, "%v", body)
	// The collector-wide self-metrics sum every tenant: the operator's, not a tenant admin's.
	status, body = c.apiCall(t, http.MethodGet, "/dashboard/self-metrics", hostileAcmeAdmin, nil)
	assert.Equal(t, http.StatusForbidden, status, "%v", body)

	// Within acme the admin may do everything: consent, export, audit, ingest.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?user_id=u-acme", hostileAcmeAdmin, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	require.Eventually(t, func() bool {
		status, _ := c.apiCall(t, http.MethodGet, "/audit?tenant=acme", hostileAcmeAdmin, nil)
		return status == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "the admin reads its own tenant's audit trail")
	status, body = c.apiCall(t, http.MethodPost, "/events", hostileAcmeAdmin, map[string]any{"event_name": "acme_admin_event", "user_id": "u-acme"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)

	// The operator key of acme names the default tenant and gets its data.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?tenant=default&user_id=u-default", hostileAcmeOperator, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Contains(t, body["purposes"], "analytics", "%v", body)
	tenants := map[string]bool{}
	require.Eventually(t, func() bool {
		status, body := c.apiCall(t, http.MethodGet, "/audit?tenant=*&limit=1000", hostileAcmeOperator, nil)
		require.Equal(t, http.StatusOK, status, "%v", body)
		for _, r := range body["records"].([]any) {
			tenants[r.(map[string]any)["tenant"].(string)] = true
		}
		return tenants["default"] && tenants["acme"]
	}, 30*time.Second, 200*time.Millisecond, "the all-tenant audit spans tenants")
	status, body = c.apiCall(t, http.MethodPost, "/events?tenant=default", hostileAcmeOperator, map[string]any{"event_name": "operator_event", "user_id": "u-default"})
	require.Equal(t, http.StatusAccepted, status, "%v", body)
	status, body = c.apiCall(t, http.MethodGet, "/dashboard/self-metrics", hostileAcmeOperator, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	// The bootstrap key is an operator too.
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?tenant=acme&user_id=u-acme", testAPIKey, nil)
	assert.Equal(t, http.StatusOK, status, "%v", body)

	// What each stored: the admin's under acme, the operator's under the tenant it named, nothing
	// smuggled.
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'acme' AND event_name = 'acme_admin_event'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'default' AND event_name = 'operator_event'")
	var smuggled uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE event_name = 'smuggled'").Scan(&smuggled))
	assert.Zero(t, smuggled)
	var wrongTenant uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE tenant_id != 'acme' AND event_name = 'acme_admin_event'").Scan(&wrongTenant))
	assert.Zero(t, wrongTenant)
}

// loadSlack is what a timeout the collector enforces may overrun by on a loaded 2-core CI machine,
// where the server's timer and the goroutines of both ends wait for a core.
const loadSlack = 5 * time.Second

// shippedHeaderTimeout is read_header_timeout in config/local.yaml and deploy/*.yaml; the
// self-metrics server (the SDK's) reads a whole request within 5s.
const shippedHeaderTimeout = 10 * time.Second

// TestHostileHeaderDribble (issue #20 item 3): on every HTTP server the collector opens — OTLP
// HTTP, health, telemetry API, Prometheus exporter, self-metrics — a client that sends its
// request header one byte a second is disconnected within the header timeout, while ordinary
// requests on the same servers keep being answered meanwhile.
func TestHostileHeaderDribble(t *testing.T) {
	c := startHostileCollector(t, nil)
	servers := []struct {
		name, addr, path string
		limit            time.Duration
	}{
		{"otlp_http", c.otlpHTTP, "/v1/logs", shippedHeaderTimeout},
		{"health", c.health, "/", shippedHeaderTimeout},
		{"api", c.api, "/api/v1/telemetry/health/live", shippedHeaderTimeout},
		{"prometheus", c.promExp, "/metrics", shippedHeaderTimeout},
		{"self_metrics", c.selfMet, "/metrics", 5 * time.Second},
	}
	type result struct {
		name    string
		elapsed time.Duration
		sent    int
	}
	results := make(chan result, len(servers))
	start := time.Now()
	for _, s := range servers {
		conn, err := net.Dial("tcp", s.addr)
		require.NoError(t, err, s.name)
		t.Cleanup(func() { _ = conn.Close() })
		closed := make(chan struct{})
		go func() { // the server closing the connection ends this read
			defer close(closed)
			_, _ = io.Copy(io.Discard, conn)
		}()
		go func() {
			sent := 0
			header := "GET " + s.path + " HTTP/1.1\r\nHost: " + s.addr + "\r\nX-Dribble: " + strings.Repeat("a", 1000)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-closed:
					results <- result{s.name, time.Since(start), sent}
					return
				case <-tick.C:
				}
				if _, err := conn.Write([]byte{header[i%len(header)]}); err == nil {
					sent++
				}
				if time.Since(start) > 3*shippedHeaderTimeout {
					results <- result{s.name, time.Since(start), sent}
					return
				}
			}
		}()
	}

	// Meanwhile every server answers ordinary requests, twice.
	hc := &http.Client{Timeout: 5 * time.Second}
	normal := func() {
		for _, s := range servers {
			req, err := http.NewRequest(http.MethodGet, "http://"+s.addr+s.path, nil)
			require.NoError(t, err)
			if s.name == "otlp_http" {
				req, err = http.NewRequest(http.MethodPost, "http://"+s.addr+s.path, strings.NewReader(`{"resourceLogs":[]}`))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+testAPIKey)
			}
			resp, err := hc.Do(req)
			if assert.NoError(t, err, s.name) {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode, s.name)
			}
		}
	}
	time.Sleep(2 * time.Second)
	normal()
	time.Sleep(2 * time.Second)
	normal()

	limits := map[string]time.Duration{}
	for _, s := range servers {
		limits[s.name] = s.limit
	}
	for range servers {
		r := <-results
		t.Logf("%s: closed after %s, %d header bytes dribbled", r.name, r.elapsed.Round(100*time.Millisecond), r.sent)
		// Slack for a loaded 2-core machine (the server's timer, then the scheduling of both ends);
		// the old behaviour was ≥ 150 s.
		assert.Less(t, r.elapsed, limits[r.name]+loadSlack, "%s keeps a dribbling connection open", r.name)
		assert.Positive(t, r.sent, "%s: the connection was open and being dribbled into", r.name)
	}
	// The collector is still healthy after all of it.
	normal()
}

// TestHostileAuditThroughOutage (issue #20 item 4): ClickHouse is down while a few thousand API
// requests arrive, with a valid key, a wrong key and none. Every one is answered as usual (none
// refused for the audit trail), has its line in the collector's output (never sampled), waits in
// the audit spool next to the persistent queue, and once ClickHouse is back is exactly one row of
// telemetry_audit; audit_records_dropped stays 0.
func TestHostileAuditThroughOutage(t *testing.T) {
	eng := startTestEngine(t)
	queueDir := t.TempDir()
	c := startHostileCollector(t, map[string]string{
		"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint,
		"TELEMETRY_QUEUE_DIRECTORY":     queueDir,
		"TELEMETRY_PRIVACY_MODE":        "minimal",
	},
		// A tenth of the default in memory, so the outage's records must go through the spool.
		"--set=extensions::telemetry_api::audit::queue_size=1000",
		"--set=extensions::telemetry_api::audit::batch_size=100",
	)
	require.Eventually(t, func() bool {
		return send(t, http.MethodGet, c.apiURL("/health/ready"), "", nil, nil).status == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "audit storage ready")

	eng.Signal(syscall.SIGKILL)
	const n = 3000
	keys := []string{testAPIKey, "", "e2e-hostile-wrong-key-000001"}
	ids := make([]string, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				r := send(t, http.MethodPost, c.apiURL("/events"), keys[i%len(keys)], jsonHeader,
					[]byte(`{"event_name":"audit_outage","properties":{"i":`+strconv.Itoa(i)+`}}`))
				ids[i], statuses[i] = r.header.Get("X-Request-Id"), r.status
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	byStatus := map[int]int{}
	for _, s := range statuses {
		byStatus[s]++
	}
	t.Logf("answers during the outage: %v", byStatus)
	assert.Equal(t, map[int]int{http.StatusAccepted: n / 3, http.StatusUnauthorized: n - n/3}, byStatus, "every request served as usual")

	require.Eventually(t, func() bool {
		return selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_records_spooled") >= n-1000
	}, 30*time.Second, 200*time.Millisecond, "records spooled to disk")
	segments, err := filepath.Glob(filepath.Join(queueDir, "telemetry_api_audit", "*.jsonl"))
	require.NoError(t, err)
	assert.NotEmpty(t, segments, "the spool is next to the persistent queue")
	// The collector's output has one audit line per request: the audit logger does not sample.
	logs := c.logs.String()
	missing := 0
	for _, id := range ids {
		if !strings.Contains(logs, `"request_id":"`+id+`"`) {
			missing++
		}
	}
	assert.Zero(t, missing, "audit lines missing from the collector output")

	require.NoError(t, eng.Restart())
	conn := c.db()
	var rows, distinct uint64
	require.Eventually(t, func() bool {
		err := conn.QueryRow(context.Background(),
			"SELECT count(), uniqExact(request_id) FROM telemetry_audit WHERE has(?, request_id)", ids).Scan(&rows, &distinct)
		return err == nil && rows >= n
	}, 90*time.Second, 500*time.Millisecond, "every request's audit row stored")
	assert.Equal(t, uint64(n), rows, "one row per request")
	assert.Equal(t, uint64(n), distinct)
	var denied uint64
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count() FROM telemetry_audit WHERE has(?, request_id) AND outcome = 'denied' AND actor_type = 'unauthenticated'", ids).Scan(&denied))
	assert.Equal(t, uint64(n-n/3), denied)
	assert.Zero(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_records_dropped"))
	assert.Zero(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_requests_refused"))
	require.Eventually(t, func() bool {
		segments, _ := filepath.Glob(filepath.Join(queueDir, "telemetry_api_audit", "*.jsonl"))
		return len(segments) == 0
	}, 30*time.Second, 200*time.Millisecond, "the drained spool is removed")
}

// TestHostileAuditRetriedInsertStoredOnce: the engine commits the first two INSERTs into
// telemetry_audit and cuts the connection without answering. The audit writer sees failures,
// spools each failed batch as a segment of its own and drains it with the batch's
// insert_deduplication_token, so ClickHouse drops what it already has: one row per request.
func TestHostileAuditRetriedInsertStoredOnce(t *testing.T) {
	eng, err := chtest.StartWith(t.TempDir(), "", "--cut-insert-responses=telemetry_audit:2")
	require.NoError(t, err)
	t.Cleanup(eng.Stop)
	c := startHostileCollector(t, map[string]string{
		"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint,
		"TELEMETRY_QUEUE_DIRECTORY":     t.TempDir(),
		"TELEMETRY_PRIVACY_MODE":        "minimal",
	}, "--set=extensions::telemetry_api::audit::batch_size=10")
	require.Eventually(t, func() bool {
		return send(t, http.MethodGet, c.apiURL("/health/ready"), "", nil, nil).status == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "audit storage ready")

	const n = 60
	ids := make([]string, n)
	for i := range n {
		r := send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, jsonHeader,
			[]byte(`{"event_name":"audit_retry","properties":{"i":`+strconv.Itoa(i)+`}}`))
		require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
		ids[i] = r.header.Get("X-Request-Id")
	}
	conn := c.db()
	var rows, distinct uint64
	require.Eventually(t, func() bool {
		err := conn.QueryRow(context.Background(),
			"SELECT count(), uniqExact(request_id) FROM telemetry_audit WHERE has(?, request_id)", ids).Scan(&rows, &distinct)
		return err == nil && distinct == n
	}, 60*time.Second, 200*time.Millisecond, "every request's audit row stored")
	require.Eventually(t, func() bool { return strings.Count(eng.Logs(), "fault injection: committed INSERT") == 2 },
		10*time.Second, 100*time.Millisecond, "both cuts happened; engine log:\n%s", eng.Logs())
	assert.Positive(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_write_failures"), "the writer saw the cut connections")
	// The retries have settled: nothing more arrives, nothing is doubled.
	time.Sleep(3 * time.Second)
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count(), uniqExact(request_id) FROM telemetry_audit WHERE has(?, request_id)", ids).Scan(&rows, &distinct))
	assert.Equal(t, uint64(n), rows, "one row per request")
	assert.Equal(t, uint64(n), distinct)
	assert.Zero(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_records_dropped"))
}

// TestHostileAuditSpoolFull (issue #20 item 4): with ClickHouse down and the spool full, API
// requests are refused with 503 + Retry-After before they run, instead of being served without
// an audit record; once ClickHouse is back every request that was served has its row.
func TestHostileAuditSpoolFull(t *testing.T) {
	eng := startTestEngine(t)
	c := startHostileCollector(t, map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint, "TELEMETRY_PRIVACY_MODE": "minimal"},
		"--set=extensions::telemetry_api::audit::queue_size=50",
		"--set=extensions::telemetry_api::audit::batch_size=10",
		"--set=extensions::telemetry_api::audit::spool_max_bytes=20000",
		// A refused call waits full_wait (default 1 s) for a place first: 300 refusals would take
		// 5 minutes (the wait itself is TestReserveWithinWaitsForAPlace's).
		"--set=extensions::telemetry_api::audit::full_wait=50ms",
	)
	require.Eventually(t, func() bool {
		return send(t, http.MethodGet, c.apiURL("/health/ready"), "", nil, nil).status == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "audit storage ready")
	eng.Signal(syscall.SIGKILL)

	var served []string
	refused := 0
	for i := range 400 {
		r := send(t, http.MethodPost, c.apiURL("/events"), testAPIKey, jsonHeader,
			[]byte(`{"event_name":"audit_full","properties":{"i":`+strconv.Itoa(i)+`}}`))
		switch r.status {
		case http.StatusAccepted:
			served = append(served, r.header.Get("X-Request-Id"))
		case http.StatusServiceUnavailable:
			refused++
			requireAPIError(t, r, http.StatusServiceUnavailable, "audit_unavailable")
			assert.Equal(t, "5", r.header.Get("Retry-After"))
		default:
			t.Fatalf("unexpected answer %d %s", r.status, r.body)
		}
	}
	t.Logf("served %d, refused %d", len(served), refused)
	require.Positive(t, refused, "the audit trail filled up")
	// At least every refusal this test saw is counted. (Once, in CI, one more was: a request from
	// outside the test, such as a poll of an earlier test's collector whose port this one reuses,
	// is refused and counted as well.)
	assert.GreaterOrEqual(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_requests_refused"), float64(refused))

	require.NoError(t, eng.Restart())
	conn := c.db()
	var rows uint64
	require.Eventually(t, func() bool {
		err := conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_audit WHERE has(?, request_id)", served).Scan(&rows)
		return err == nil && rows >= uint64(len(served))
	}, 90*time.Second, 500*time.Millisecond, "every served request's audit row stored")
	assert.Equal(t, uint64(len(served)), rows)
	// Only the events of served requests reached the pipeline.
	eventuallyCount(t, conn, uint64(len(served)), "SELECT count() FROM telemetry_events WHERE event_name = 'audit_full'")
	var events uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE event_name = 'audit_full'").Scan(&events))
	assert.Equal(t, uint64(len(served)), events)
	assert.Zero(t, selfMetricSum(t, c, "otelcol_extension_telemetry_api_audit_records_dropped"))
}

// requireNoFormulaCells fails for any CSV cell a spreadsheet would run: one starting with =, +,
// -, @, tab or CR that is not a plain number. It returns every cell, for further checks.
func requireNoFormulaCells(t *testing.T, what string, body []byte) map[string]bool {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(body))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	require.NoError(t, err, "%s: %s", what, body)
	require.Greater(t, len(recs), 1, "%s has rows: %s", what, body)
	cells := map[string]bool{}
	for _, rec := range recs {
		for _, c := range rec {
			cells[c] = true
			if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				continue
			}
			_, numErr := strconv.ParseFloat(c, 64)
			assert.NoError(t, numErr, "%s: formula cell %q", what, c)
		}
	}
	return cells
}

// TestHostileCSVExportsNeutralised (issue #20 item 5, CSV): metric names, units, services,
// attribute values, event names and property values that a spreadsheet would run as formulas
// come out of every CSV the collector writes — query export (raw and aggregated) and the
// dashboard's reports — with a quote in front; negative numbers stay numbers.
func TestHostileCSVExportsNeutralised(t *testing.T) {
	c := startHostileCollector(t, map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"})
	const (
		evilName    = `=HYPERLINK("http://evil.example/x")`
		evilUnit    = "=1+1"
		evilService = `+cmd|' /C calc'!A0`
		evilRoute   = "@SUM(1+1)*cmd|' /C calc'!A0"
		evilName2   = "-2+3+cmd|' /C calc'!A0"
	)
	now := time.Now()
	metric := func(name, unit string, v float64) map[string]any {
		return map[string]any{"name": name, "unit": unit, "gauge": map[string]any{"dataPoints": []any{map[string]any{
			"timeUnixNano": strconv.FormatInt(now.UnixNano(), 10), "asDouble": v,
			"attributes": []any{map[string]any{"key": "route", "value": map[string]any{"stringValue": evilRoute}}},
		}}}}
	}
	body, err := json.Marshal(map[string]any{"resourceMetrics": []any{map[string]any{
		"resource":     map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": evilService}}}},
		"scopeMetrics": []any{map[string]any{"metrics": []any{metric(evilName, evilUnit, -5), metric(evilName2, "\tms", 7)}}},
	}}})
	require.NoError(t, err)
	r := c.otlpPost(t, "metrics", testAPIKey, body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	eventuallyCount(t, c.db(), 2, "SELECT count() FROM telemetry_metrics WHERE metric_name IN (?, ?)", evilName, evilName2)

	window := "&start_time=" + url.QueryEscape(now.Add(-time.Hour).UTC().Format(time.RFC3339)) +
		"&end_time=" + url.QueryEscape(now.Add(time.Hour).UTC().Format(time.RFC3339))
	names := "metric_names=" + url.QueryEscape(evilName) + "&metric_names=" + url.QueryEscape(evilName2)
	raw := send(t, http.MethodGet, c.apiURL("/metrics/export?format=csv&"+names+window), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, raw.status, "%s", raw.body)
	cells := requireNoFormulaCells(t, "query export", raw.body)
	for _, want := range []string{"'" + evilName, "'" + evilName2, "'" + evilUnit, "'\tms", "'" + evilService, "-5", "7"} {
		assert.True(t, cells[want], "query export has the cell %q: %s", want, raw.body)
	}
	assert.Contains(t, string(raw.body), evilRoute, "labels are a JSON cell, kept whole")

	agg := send(t, http.MethodGet, c.apiURL("/metrics/export?format=csv&aggregation=min&group_by=service&interval=all&metric_name="+
		url.QueryEscape(evilName)+window), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, agg.status, "%s", agg.body)
	cells = requireNoFormulaCells(t, "aggregate export", agg.body)
	assert.True(t, cells["-5"], "the negative minimum stays a number: %s", agg.body)

	// Reports: event names and property values from clients.
	var events []map[string]any
	for i := 1; i <= 6; i++ {
		events = append(events, map[string]any{"event_name": "-cmd", "user_id": fmt.Sprintf("csv-u%d", i),
			"properties": map[string]any{"plan": "=1+1"}})
	}
	status, reply := c.apiCall(t, http.MethodPost, "/events/batch", testAPIKey, map[string]any{"events": events})
	require.Equal(t, http.StatusAccepted, status, "%v", reply)
	eventuallyCount(t, c.db(), 6, "SELECT count() FROM telemetry_events WHERE event_name = '-cmd'")
	rep := send(t, http.MethodGet, c.apiURL("/dashboard/reports?type=usage&period=1d&format=csv&property=plan"), testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, rep.status, "%s", rep.body)
	cells = requireNoFormulaCells(t, "usage report", rep.body)
	assert.True(t, cells["'-cmd"], "report has the event name, neutralised: %s", rep.body)
	assert.True(t, cells["'=1+1"], "report has the property value, neutralised: %s", rep.body)
}

// TestHostileIdleConnectionsClosed (issue #20 item 3): a keep-alive connection left idle after its
// answer is closed after keepalive::idle_timeout (60s shipped, 3s here through --set so the test
// is short); the health server keeps none open after its answer.
func TestHostileIdleConnectionsClosed(t *testing.T) {
	const idle = 3 * time.Second
	c := startHostileCollector(t, nil,
		"--set=receivers::otlp::protocols::http::keepalive::idle_timeout=3s",
		"--set=extensions::telemetry_api::http::keepalive::idle_timeout=3s",
		"--set=exporters::prometheus::keepalive::idle_timeout=3s",
	)
	servers := []struct {
		name, addr, path string
		keepAlive        bool
	}{
		{"otlp_http", c.otlpHTTP, "/v1/logs", true},
		{"api", c.api, "/api/v1/telemetry/health/live", true},
		{"prometheus", c.promExp, "/metrics", true},
		{"health", c.health, "/", false},
	}
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", s.addr)
			if !assert.NoError(t, err, s.name) {
				return
			}
			defer conn.Close()
			if _, err = io.WriteString(conn, "GET "+s.path+" HTTP/1.1\r\nHost: "+s.addr+"\r\n\r\n"); !assert.NoError(t, err, s.name) {
				return
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if !assert.NoError(t, err, s.name) {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answered := time.Now()
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, err = io.Copy(io.Discard, br) // returns when the server closes
			assert.NoError(t, err, "%s: closed by the server, not by the test's deadline", s.name)
			elapsed := time.Since(answered)
			t.Logf("%s: idle connection closed %s after the answer", s.name, elapsed.Round(100*time.Millisecond))
			if s.keepAlive {
				assert.Greater(t, elapsed, idle-time.Second, "%s keeps the connection for reuse until the idle timeout", s.name)
				assert.Less(t, elapsed, idle+loadSlack, s.name) // the shipped 60 s, or none, would be far over
			} else {
				assert.Less(t, elapsed, idle, "%s closes after its answer, not after an idle timeout", s.name)
			}
		}()
	}
	wg.Wait()
}
