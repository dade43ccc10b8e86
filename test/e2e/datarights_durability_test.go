package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// TestDataRightsResumeAfterSIGKILL: the collector is killed while a deletion runs; a collector
// started on the same database resumes the request from ClickHouse and completes it.
func TestDataRightsResumeAfterSIGKILL(t *testing.T) {
	first := startCollector(t, collectorOptions{
		args: append(dataRightsConfig(), "--set=extensions::data_rights::execution_delay=30s"),
	})
	userA, userB := "alice-"+randomSuffix(), "bob-"+randomSuffix()
	first.grantConsent(t, testAPIKey, userA, allPurposes)
	first.grantConsent(t, testAPIKey, userB, allPurposes)
	postEvents(t, first, testAPIKey, probe{userA, "kill-a"}, probe{userB, "kill-b"})
	conn := first.db()
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'kill-%'", "kill-a", "kill-b")

	acc := first.requestDeletion(t, testAPIKey, userA)
	first.waitRequest(t, testAPIKey, acc.RequestID, "running", 25*time.Second) // within the 30 s execution_delay
	first.kill()
	var status string
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT toString(status) FROM telemetry_deletion_requests FINAL WHERE request_id = ?", acc.RequestID).Scan(&status))
	require.Equal(t, "running", status, "killed while the deletion runs")

	second := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_CLICKHOUSE_DATABASE": first.database},
		args: dataRightsConfig(),
	})
	done := second.waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	assert.GreaterOrEqual(t, done.Attempts, 2, "one attempt before the kill, one after")
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE 'kill-%'", "kill-b")
	for _, tc := range done.Receipt.Tables {
		if tc.Table == "telemetry_events" {
			assert.Equal(t, uint64(1), tc.MatchedBefore)
		}
	}
	assert.True(t, strings.Contains(second.logs.String(), "resuming deletion request"), "the restart says what it resumes")
}

// TestDataRightsRolesTenantsAudit: only the privacy role (or admin) may call the routes; a key of
// one tenant neither deletes nor exports another tenant's user, nor reads its requests; every call
// is in the audit trail naming the subject by pseudonym only.
func TestDataRightsRolesTenantsAudit(t *testing.T) {
	const (
		acmePrivacy   = "e2e-acme-privacy-key-00001"
		acmeViewer    = "e2e-acme-viewer-key-000001"
		acmeIngest    = "e2e-acme-ingest-key-000001"
		globexPrivacy = "e2e-globex-privacy-key-001"
		globexIngest  = "e2e-globex-ingest-key-0001"
	)
	c := startCollector(t, collectorOptions{args: dataRightsConfig("api-tenants.yaml")})
	user := "carol-" + randomSuffix()
	c.grantConsent(t, globexPrivacy, user, allPurposes)
	postEvents(t, c, globexIngest, probe{user, "globex" + user})
	conn := c.db()
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 'globex' AND attributes['marker'] != ''", "globex"+user)

	for _, key := range []string{acmeViewer, acmeIngest} {
		code, _, body := c.drCall(t, http.MethodDelete, "/data/"+user, key)
		assert.Equal(t, http.StatusForbidden, code, "%s", body)
		code, _, _ = c.drCall(t, http.MethodGet, "/data/"+user+"/export", key)
		assert.Equal(t, http.StatusForbidden, code)
	}

	// acme's privacy officer deletes "the same" user id: acme has nothing of it, globex keeps all.
	acc := c.requestDeletion(t, acmePrivacy, user)
	done := c.waitRequest(t, acmePrivacy, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status)
	for _, tc := range done.Receipt.Tables {
		assert.Zero(t, tc.MatchedBefore, "acme has no rows of the user in %s", tc.Table)
	}
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 'globex' AND attributes['marker'] != ''", "globex"+user)
	exported, _ := c.exportUser(t, acmePrivacy, user, "")
	for name, rows := range exported {
		if name != "deletion_requests" {
			assert.Empty(t, rows, "acme's export of the user, %s", name)
		}
	}
	// globex cannot see acme's request; the admin can read globex's data with ?tenant=.
	code, _, _ := c.drCall(t, http.MethodGet, "/data/requests/"+acc.RequestID, globexPrivacy)
	assert.Equal(t, http.StatusNotFound, code)
	code, _, _ = c.drCall(t, http.MethodGet, "/data/"+user+"/export?tenant=globex", acmePrivacy)
	assert.Equal(t, http.StatusNotFound, code, "a non-admin naming another tenant")
	asAdmin, _ := c.exportUser(t, testAPIKey, user, "?tenant=globex")
	assert.Len(t, asAdmin["telemetry_events"], 1)

	// The Go client library: same calls, same answers.
	cfg := client.DefaultConfig()
	cfg.Endpoint, cfg.APIKey = "http://"+c.api, acmePrivacy
	cl, err := client.New(cfg)
	require.NoError(t, err)
	defer func() { _ = cl.Close(context.Background()) }()
	st, err := cl.DeletionStatus(context.Background(), acc.RequestID)
	require.NoError(t, err)
	assert.True(t, st.Done())
	assert.Contains(t, string(st.Receipt), `"signature"`)
	var export strings.Builder
	require.NoError(t, cl.ExportUserData(context.Background(), user, &export))
	assert.Contains(t, export.String(), `"type":"trailer"`)
	viewerCfg := cfg
	viewerCfg.APIKey = acmeViewer
	viewer, err := client.New(viewerCfg)
	require.NoError(t, err)
	defer func() { _ = viewer.Close(context.Background()) }()
	_, err = viewer.DeleteUserData(context.Background(), user)
	require.ErrorContains(t, err, "HTTP 403")

	// Every call is audited (denied ones too), naming the subject by pseudonym only.
	var calls, denied, named uint64
	q := "SELECT count(), countIf(outcome = 'denied'), countIf(target_id = ?) FROM telemetry_audit WHERE action LIKE '%/data/%'"
	deadline := time.Now().Add(storeWithin)
	for {
		require.NoError(t, conn.QueryRow(context.Background(), q, acc.Subject).Scan(&calls, &denied, &named))
		if (calls >= 13 && denied >= 6) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	// 5 denied (4 wrong roles, the client's viewer call) + delete + status polls (>=1) + export + globex status + non-admin export + admin export.
	assert.GreaterOrEqual(t, calls, uint64(13))
	assert.Equal(t, uint64(6), denied, "5 wrong roles and the non-admin naming another tenant")
	assert.GreaterOrEqual(t, named, uint64(7))
	var raw uint64
	require.NoError(t, conn.QueryRow(context.Background(),
		"SELECT count() FROM telemetry_audit WHERE action LIKE '%/data/%' AND (target_id = ? OR position(toString(details), ?) > 0)", user, user).Scan(&raw))
	assert.Zero(t, raw, "no data-rights audit row names the user by id")
}

// TestDataRightsFailsWhenRowsRemain: a writer that bypasses the collector keeps inserting the
// user's rows straight into ClickHouse while the deletion runs; the request cannot reach zero rows
// and ends failed, naming the table, with a receipt that shows what remained.
func TestDataRightsFailsWhenRowsRemain(t *testing.T) {
	c := startCollector(t, collectorOptions{args: dataRightsConfig()})
	user := "dave-" + randomSuffix()
	c.grantConsent(t, testAPIKey, user, allPurposes)
	postEvents(t, c, testAPIKey, probe{user, "fail" + user})
	conn := c.db()
	waitMarkers(t, conn, "telemetry_events", "attributes['marker'] != ''", "fail"+user)

	// The writer never pauses: the engine runs one statement at a time, so an INSERT always waits
	// behind each of the deletion's statements and lands between its last erase and its recount.
	// (With a pause, the erase and recount could both fall in one gap and the request completed.)
	stop := make(chan struct{})
	done := make(chan struct{})
	var bypassed atomic.Int64
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if conn.Exec(context.Background(),
				"INSERT INTO telemetry_logs (tenant_id, timestamp, observed_timestamp, user_id, body) VALUES ('default', now64(9), now64(9), ?, 'bypass')", user) == nil {
				bypassed.Add(1)
			}
		}
	}()
	require.Eventually(t, func() bool { return bypassed.Load() > 0 }, 10*time.Second, 10*time.Millisecond, "bypass writer inserts")
	acc := c.requestDeletion(t, testAPIKey, user)
	st := c.waitRequest(t, testAPIKey, acc.RequestID, "failed", 60*time.Second)
	close(stop)
	<-done
	require.Equal(t, "failed", st.Status)
	assert.Contains(t, st.Reason, "telemetry_logs")
	require.NotNil(t, st.Receipt)
	for _, tc := range st.Receipt.Tables {
		if tc.Table == "telemetry_logs" {
			assert.NotZero(t, tc.RemainingAfter)
		} else {
			assert.Zero(t, tc.RemainingAfter, tc.Table)
		}
	}
}

// TestDataRightsAcceptedDuringOutageSurvivesSIGKILL: a deletion accepted while ClickHouse is down
// waits in the journal next to the persistent queue; the collector is killed before ClickHouse
// returns, and the collector started afterwards on the same directory stores and completes it.
func TestDataRightsAcceptedDuringOutageSurvivesSIGKILL(t *testing.T) {
	eng := startTestEngine(t)
	env := map[string]string{"TELEMETRY_CLICKHOUSE_ENDPOINT": eng.Endpoint, "TELEMETRY_QUEUE_DIRECTORY": t.TempDir()}
	first := startCollector(t, collectorOptions{env: env, args: dataRightsConfig()})
	user := "erin-" + randomSuffix()
	first.grantConsent(t, testAPIKey, user, allPurposes)
	postEvents(t, first, testAPIKey, probe{user, "journal" + user})
	waitMarkers(t, first.db(), "telemetry_events", "attributes['marker'] != ''", "journal"+user)

	eng.Signal(syscall.SIGKILL)
	acc := first.requestDeletion(t, testAPIKey, user)
	require.False(t, acc.Persisted)
	first.kill()
	require.NoError(t, eng.Restart())

	env["TELEMETRY_CLICKHOUSE_DATABASE"] = first.database
	second := startCollector(t, collectorOptions{env: env, args: dataRightsConfig()})
	done := second.waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	for _, tc := range done.Receipt.Tables {
		if tc.Table == "telemetry_events" {
			assert.Equal(t, uint64(1), tc.MatchedBefore)
		}
	}
	var n uint64
	require.NoError(t, second.db().QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE attributes['marker'] = ?", "journal"+user).Scan(&n))
	assert.Zero(t, n)
}
