package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Users of the consent scenarios: A granted analytics and performance, B denied both, C never
// answered; records without a user id are anonymous.
const (
	userA = "user-a-4711"
	userB = "user-b-4712"
	userC = "user-c-4713"
)

func grantAdenyB(t *testing.T, c *collector, key string) {
	t.Helper()
	c.grantConsent(t, key, userA, map[string]bool{"analytics": true, "performance": true})
	c.grantConsent(t, key, userB, map[string]bool{"analytics": false, "performance": false})
}

// TestConsentEnforcedPerMode: the same consents and the same data through a strict (opt-in) and a
// balanced (opt-out) collector. A's and anonymous records are stored in both modes, B's in neither,
// C's (no record) only in balanced mode; the events API, OTLP events, spans (performance) and plain
// logs (diagnostics, for which A gave no consent) all follow the purpose of their signal.
func TestConsentEnforcedPerMode(t *testing.T) {
	f := func(mode, policy string, want []string) {
		t.Run(mode, func(t *testing.T) {
			c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": mode}})
			conn := c.db()
			grantAdenyB(t, c, testAPIKey)

			got, purposes := consentStatus(t, c, testAPIKey, userA)
			assert.Equal(t, policy, got)
			assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["analytics"])
			assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["performance"])
			assert.Equal(t, purposeState{Consented: policy == "opt_out", DefaultApplies: true, Status: "none"}, purposes["diagnostics"])
			_, purposes = consentStatus(t, c, testAPIKey, userB)
			assert.Equal(t, purposeState{Status: "denied"}, purposes["analytics"])
			_, purposes = consentStatus(t, c, testAPIKey, userC)
			for _, name := range []string{"analytics", "performance", "diagnostics"} {
				assert.Equal(t, purposeState{Consented: policy == "opt_out", DefaultApplies: true, Status: "none"}, purposes[name], name)
			}

			probes := func(prefix string) []probe {
				return []probe{{userA, prefix + "A"}, {userB, prefix + "B"}, {userC, prefix + "C"}, {"", prefix + "anon"}}
			}
			wantWith := func(prefix string, users []string) []string {
				out := make([]string, 0, len(users))
				for _, u := range users {
					out = append(out, prefix+u)
				}
				return out
			}
			postEvents(t, c, testAPIKey, probes("api-")...)
			sendProbeLogs(t, c, true, probes("otlp-")...)
			sendProbeLogs(t, c, false, probes("log-")...)
			sendProbeSpans(t, c, probes("span-")...)
			sendProbeMetrics(t, c, probes("metric-")...)

			waitMarkers(t, conn, "telemetry_events", "event_name = '"+probeEvent+"'", wantWith("api-", want)...)
			waitMarkers(t, conn, "telemetry_events", "event_name = '"+probeEvent+"_otlp'", wantWith("otlp-", want)...)
			waitMarkers(t, conn, "telemetry_spans", "span_name = 'probe'", wantWith("span-", want)...)
			waitMarkers(t, conn, "telemetry_metrics", "metric_name = 'probe_requests'", wantWith("metric-", want)...)
			// Diagnostics: nobody answered for it (B's denial covers analytics and performance
			// only), so the mode's default decides for every user.
			wantLogs := []string{"anon"}
			if policy == "opt_out" {
				wantLogs = []string{"A", "B", "C", "anon"}
			}
			waitMarkers(t, conn, "telemetry_logs", "service_name = 'consent'", wantWith("log-", wantLogs)...)

			// Revoking A applies to A's next records on this collector at once.
			c.grantConsent(t, testAPIKey, userA, map[string]bool{"analytics": false})
			_, purposes = consentStatus(t, c, testAPIKey, userA)
			assert.Equal(t, purposeState{Status: "withdrawn"}, purposes["analytics"])
			assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["performance"], "other purposes unchanged")
			postEvents(t, c, testAPIKey, probes("late-")...)
			lateWant := []string{}
			for _, u := range want {
				if u != "A" {
					lateWant = append(lateWant, "late-"+u)
				}
			}
			waitMarkers(t, conn, "telemetry_events", "event_name = '"+probeEvent+"' AND startsWith(attributes['marker'], 'late-')", lateWant...)

			// Every change is in the history with what it replaced and who made it, and every call
			// in the audit trail with the user as its subject.
			rows, err := conn.Query(context.Background(), `SELECT purpose, toString(previous_status), toString(status), source, actor
				FROM telemetry_consent_history WHERE tenant_id = 'default' AND user_id = ? ORDER BY changed_at, purpose`, userA)
			require.NoError(t, err)
			var history []string
			for rows.Next() {
				var purpose, prev, status, source, actor string
				require.NoError(t, rows.Scan(&purpose, &prev, &status, &source, &actor))
				history = append(history, strings.Join([]string{purpose, prev, status, source, actor}, " "))
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, []string{
				"analytics none granted e2e bootstrap",
				"performance none granted e2e bootstrap",
				"analytics granted withdrawn e2e bootstrap",
			}, history)
			eventuallyCount(t, conn, 2, `SELECT count() FROM telemetry_audit WHERE action = 'POST /consent/update'
				AND target_id = ? AND outcome = 'success'`, userA)
			eventuallyCount(t, conn, 2, `SELECT count() FROM telemetry_audit WHERE action = 'GET /consent/status'
				AND target_id = ? AND outcome = 'success'`, userA)
		})
	}
	f("strict", "opt_in", []string{"A", "anon"})
	f("balanced", "opt_out", []string{"A", "C", "anon"})
}

// TestConsentEndpointValidation: invalid updates and status queries are refused with 400 and the
// field at fault, and change nothing.
func TestConsentEndpointValidation(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}})
	f := func(method, path string, body any, wantField string) {
		t.Helper()
		status, resp := c.apiCall(t, method, path, testAPIKey, body)
		require.Equal(t, http.StatusBadRequest, status, "%s %s %v: %v", method, path, body, resp)
		e, ok := resp["error"].(map[string]any)
		require.True(t, ok, "error object in %v", resp)
		assert.Equal(t, "invalid_field", e["code"], "%v", resp)
		assert.Equal(t, wantField, e["field"], "%v", resp)
		assert.NotEmpty(t, e["message"])
	}
	update := "/consent/update"
	f(http.MethodPost, update, map[string]any{"purposes": map[string]bool{"analytics": true}}, "user_id")
	f(http.MethodPost, update, map[string]any{"user_id": "", "purposes": map[string]bool{"analytics": true}}, "user_id")
	f(http.MethodPost, update, map[string]any{"user_id": 42, "purposes": map[string]bool{"analytics": true}}, "user_id")
	f(http.MethodPost, update, map[string]any{"user_id": userA}, "purposes")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": map[string]any{}}, "purposes")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": []string{"analytics"}}, "purposes")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": map[string]any{"marketing": true}}, "purposes.marketing")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": map[string]any{"analytics": "yes"}}, "purposes.analytics")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": map[string]any{"analytics": true}, "source": ""}, "source")
	f(http.MethodPost, update, map[string]any{"user_id": userA, "purposes": map[string]any{"analytics": true}, "tenant_id": "t2"}, "tenant_id")
	f(http.MethodGet, "/consent/status", nil, "user_id")
	f(http.MethodGet, "/consent/status?user_id=", nil, "user_id")

	_, purposes := consentStatus(t, c, testAPIKey, userA)
	assert.Equal(t, purposeState{DefaultApplies: true, Status: "none"}, purposes["analytics"],
		"no refused update changed anything (strict: opt-in default)")
}

// TestConsentAnonymize: with action anonymize, records of a user without consent are stored
// without the user's identifiers and keep everything else; consented records keep theirs.
// Minimal mode, so that pii_redaction leaves the identifiers readable.
func TestConsentAnonymize(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "minimal"},
		args: consentConfig("consent-anonymize.yaml"),
	})
	conn := c.db()
	grantAdenyB(t, c, testAPIKey)
	postEvents(t, c, testAPIKey, probe{userA, "A"}, probe{userB, "B"}, probe{userC, "C"})
	waitMarkers(t, conn, "telemetry_events", "1", "A", "B", "C")

	type row struct {
		User, Session string
		HasUserAttr   bool
		HasSession    bool
		HasIP         bool
		Tenant        string
	}
	read := func(marker string) row {
		var r row
		var hu, hs, hi uint8
		require.NoError(t, conn.QueryRow(context.Background(), `SELECT user_id, session_id, mapContains(attributes, 'user.id'),
			mapContains(attributes, 'session.id'), mapContains(attributes, 'client.address'), tenant_id
			FROM telemetry_events WHERE attributes['marker'] = ?`, marker).Scan(&r.User, &r.Session, &hu, &hs, &hi, &r.Tenant))
		r.HasUserAttr, r.HasSession, r.HasIP = hu == 1, hs == 1, hi == 1
		return r
	}
	assert.Equal(t, row{User: userA, Session: "sess-A", HasUserAttr: true, HasSession: true, HasIP: true, Tenant: "default"}, read("A"))
	assert.Equal(t, row{Tenant: "default"}, read("B"), "denied: identifiers removed, the event kept")
	assert.Equal(t, row{User: userC, Session: "sess-C", HasUserAttr: true, HasSession: true, HasIP: true, Tenant: "default"}, read("C"),
		"minimal mode is opt-out")

	counts := consentCounts(t, c)
	assert.Equal(t, 1.0, counts["logs/analytics/anonymized/denied"], "%v", counts)
	assert.Zero(t, counts["logs/analytics/dropped/denied"], "%v", counts)
}

// TestConsentSelfMetrics: the processor's counter on the self-metrics endpoint tells per signal,
// purpose, outcome and reason what happened to each record.
func TestConsentSelfMetrics(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}})
	grantAdenyB(t, c, testAPIKey)
	postEvents(t, c, testAPIKey, probe{userA, "A1"}, probe{userA, "A2"}, probe{userB, "B"}, probe{userC, "C"}, probe{"", "anon"})
	sendProbeSpans(t, c, probe{userA, "sA"}, probe{userB, "sB"}, probe{userB, "sB2"})

	want := map[string]float64{
		"logs/analytics/passed/granted":         2,
		"logs/analytics/dropped/denied":         1,
		"logs/analytics/dropped/default_opt_in": 1,
		"logs/analytics/passed/anonymous":       1,
		"traces/performance/passed/granted":     1,
		"traces/performance/dropped/denied":     2,
	}
	// The counts are added when a request's records have been decided, before the 202 answer, but
	// the Prometheus reader may lag a scrape; poll (bounded generously for a loaded machine).
	var got map[string]float64
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = consentCounts(t, c)
		if assert.ObjectsAreEqual(want, got) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, want, got)
}

// TestConsentTenantIsolation: a consent given in tenant t1 is unknown in tenant t2, for the status
// endpoint and for the processor.
func TestConsentTenantIsolation(t *testing.T) {
	const (
		keyT1 = "e2e-tenant-one-key-0123456789"
		keyT2 = "e2e-tenant-two-key-0123456789"
	)
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"},
		args: consentConfig("consent-tenants.yaml"),
	})
	conn := c.db()
	c.grantConsent(t, keyT1, userA, map[string]bool{"analytics": true})

	_, purposes := consentStatus(t, c, keyT1, userA)
	assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["analytics"])
	_, purposes = consentStatus(t, c, keyT2, userA)
	assert.Equal(t, purposeState{DefaultApplies: true, Status: "none"}, purposes["analytics"], "t1's grant is not visible in t2")
	_, purposes = consentStatus(t, c, testAPIKey, userA)
	assert.Equal(t, purposeState{DefaultApplies: true, Status: "none"}, purposes["analytics"], "nor in the default tenant")
	// An admin may look into another tenant; a tenant's key may not (404, like a missing route).
	status, body := c.apiCall(t, http.MethodGet, "/consent/status?tenant=t1&user_id="+userA, testAPIKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, "granted", body["purposes"].(map[string]any)["analytics"].(map[string]any)["status"])
	status, body = c.apiCall(t, http.MethodGet, "/consent/status?tenant=t1&user_id="+userA, keyT2, nil)
	assert.Equal(t, http.StatusNotFound, status, "%v", body)

	postEvents(t, c, keyT2, probe{userA, "t2-A"}, probe{"", "t2-anon"})
	postEvents(t, c, keyT1, probe{userA, "t1-A"})
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 't1'", "t1-A")
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 't2'", "t2-anon")
}

// TestConsentSurvivesRestart: consents are reloaded from ClickHouse when a collector starts on the
// same database.
func TestConsentSurvivesRestart(t *testing.T) {
	env := map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}
	first := startCollector(t, collectorOptions{env: env})
	grantAdenyB(t, first, testAPIKey)
	// C changes their mind twice in quick succession: the last answer must be the one reloaded.
	first.grantConsent(t, testAPIKey, userC, map[string]bool{"analytics": true})
	first.grantConsent(t, testAPIKey, userC, map[string]bool{"analytics": false})
	first.grantConsent(t, testAPIKey, userC, map[string]bool{"analytics": true})
	first.grantConsent(t, testAPIKey, userC, map[string]bool{"analytics": false})
	first.stop()

	env["TELEMETRY_CLICKHOUSE_DATABASE"] = first.database
	c := startCollector(t, collectorOptions{env: env})
	_, purposes := consentStatus(t, c, testAPIKey, userA)
	assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["analytics"])
	_, purposes = consentStatus(t, c, testAPIKey, userB)
	assert.Equal(t, purposeState{Status: "denied"}, purposes["analytics"])
	_, purposes = consentStatus(t, c, testAPIKey, userC)
	assert.Equal(t, purposeState{Status: "withdrawn"}, purposes["analytics"])
	postEvents(t, c, testAPIKey, probe{userA, "A"}, probe{userB, "B"}, probe{userC, "C"}, probe{"", "anon"})
	waitMarkers(t, c.db(), "telemetry_events", "1", "A", "anon")
}

// TestConsentConvergesAcrossCollectors: two collectors share one database; a change made through
// the first is enforced by the second through its periodic refresh (refresh_interval, here 200 ms,
// plus one query; waited for up to convergeWithin, far below the 10-minute full reload).
func TestConsentConvergesAcrossCollectors(t *testing.T) {
	const bound = convergeWithin
	env := map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}
	c1 := startCollector(t, collectorOptions{env: env, args: consentConfig("consent-fast-refresh.yaml")})
	env["TELEMETRY_CLICKHOUSE_DATABASE"] = c1.database
	c2 := startCollector(t, collectorOptions{env: env, args: consentConfig("consent-fast-refresh.yaml")})
	conn := c2.db()

	// converge changes consent through c1 and waits until c2 reports want, at most bound.
	converge := func(purposes map[string]bool, want bool) {
		t.Helper()
		start := time.Now()
		c1.grantConsent(t, testAPIKey, userA, purposes)
		for {
			_, got := consentStatus(t, c2, testAPIKey, userA)
			if got["analytics"].Consented == want {
				t.Logf("collector 2 reports analytics consented=%v after %s", want, time.Since(start).Round(time.Millisecond))
				return
			}
			require.Less(t, time.Since(start), bound, "collector 2 did not converge within %s", bound)
			time.Sleep(20 * time.Millisecond)
		}
	}

	converge(map[string]bool{"analytics": true}, true)
	postEvents(t, c2, testAPIKey, probe{userA, "granted-A"}, probe{"", "granted-anon"})
	waitMarkers(t, conn, "telemetry_events", "startsWith(attributes['marker'], 'granted-')", "granted-A", "granted-anon")

	converge(map[string]bool{"analytics": false}, false)
	postEvents(t, c2, testAPIKey, probe{userA, "revoked-A"}, probe{"", "revoked-anon"})
	waitMarkers(t, conn, "telemetry_events", "startsWith(attributes['marker'], 'revoked-')", "revoked-anon")

	// userB's erasure, accepted by c1, also ends what c2 reports for userB: c2 learns of it from the
	// suppression list (data_rights sync::refresh_interval, 2 s), not at its next full reload of
	// the consent table (10 min).
	c1.grantConsent(t, testAPIKey, userB, map[string]bool{"analytics": true})
	require.Eventually(t, func() bool {
		_, got := consentStatus(t, c2, testAPIKey, userB)
		return got["analytics"].Status == "granted"
	}, bound, 20*time.Millisecond, "collector 2 sees userB's grant")
	start := time.Now()
	c1.requestDeletion(t, testAPIKey, userB)
	var last purposeState
	require.Eventually(t, func() bool {
		_, got := consentStatus(t, c2, testAPIKey, userB)
		last = got["analytics"]
		return last == purposeState{Status: "none", DefaultApplies: true} // strict: opt-in, so not consented
	}, convergeWithin, 50*time.Millisecond, "collector 2 still reports the erased user's consent: %+v", &last)
	t.Logf("collector 2 reports no consent for the erased user after %s", time.Since(start).Round(time.Millisecond))
}

// TestConsentWhileDisabled: TELEMETRY_ENABLED=false drops everything before the consent processor,
// even records of users who consented; the consent endpoints keep working.
func TestConsentWhileDisabled(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_ENABLED": "false", "TELEMETRY_PRIVACY_MODE": "balanced"}})
	grantAdenyB(t, c, testAPIKey)
	_, purposes := consentStatus(t, c, testAPIKey, userA)
	assert.Equal(t, purposeState{Consented: true, Status: "granted"}, purposes["analytics"])

	postEvents(t, c, testAPIKey, probe{userA, "A"}, probe{userC, "C"}, probe{"", "anon"})
	sendProbeSpans(t, c, probe{userA, "sA"})
	// Wait until the pipeline has seen (and dropped) the records, then one flush interval more.
	deadline := time.Now().Add(30 * time.Second)
	for filterDropped(t, c) < 4 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, 4.0, filterDropped(t, c), "filter/disabled counts every record")
	time.Sleep(time.Second)
	conn := c.db()
	for _, table := range []string{"telemetry_events", "telemetry_logs", "telemetry_spans"} {
		var n uint64
		require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n))
		assert.Zero(t, n, "%s while disabled", table)
	}
	assert.Empty(t, consentCounts(t, c), "no record reached the consent processor")
}
