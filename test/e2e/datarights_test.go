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

// consentTables hold a user's consent (dataTables, in storage_test.go, the telemetry).
var (
	consentTables = []string{"telemetry_consents", "telemetry_consent_history"}
	allPurposes   = map[string]bool{"analytics": true, "performance": true, "diagnostics": true}
)

// seedUser gives a user one row in each data table (an event through the events API, a log, a
// span and a data point through OTLP), consent for every purpose (3 consent rows, 3 history rows)
// and audit rows naming the user (the consent update and a status read).
func seedUsers(t *testing.T, c *collector, users ...string) {
	t.Helper()
	var probes []probe
	for _, u := range users {
		c.grantConsent(t, testAPIKey, u, allPurposes)
		consentStatus(t, c, testAPIKey, u)
		// The marker names the user but is not the raw id standing alone: in strict mode a record's own
		// id elsewhere in the record is replaced by its token (pii_redaction self-mentions).
		probes = append(probes, probe{user: u, marker: markerOf(u)})
	}
	postEvents(t, c, testAPIKey, probes...)
	sendProbeLogs(t, c, false, probes...)
	sendProbeSpans(t, c, probes...)
	sendProbeMetrics(t, c, probes...)
	conn := c.db()
	want := make([]string, len(users))
	for i, u := range users {
		want[i] = markerOf(u)
	}
	for _, table := range dataTables {
		waitMarkers(t, conn, table, "attributes['marker'] != ''", want...)
	}
	for _, u := range users {
		// The audit trail is flushed asynchronously (1 s): wait for the rows that name the user.
		eventuallyCount(t, conn, 2, "SELECT count() FROM telemetry_audit WHERE target_id = ?", u)
	}
}

// markerOf is the marker attribute seedUsers gives a user's rows.
func markerOf(user string) string { return "m" + user }

// TestDataRightsDeletion is the "done when" for deletion and export, in strict mode
// (identifiers stored as HMAC tokens) and minimal mode (raw ids): users A and B with rows in every
// table; export of A returns exactly A's rows; DELETE /data/A removes A's raw id and token from
// every column of every table while B's rows stay exactly as they were; the receipt's counts are
// what was inserted, its signature verifies, the rows are physically gone, and A's later data is
// suppressed.
func TestDataRightsDeletion(t *testing.T) {
	for _, mode := range []string{"strict", "minimal"} {
		t.Run(mode, func(t *testing.T) {
			c := startCollector(t, collectorOptions{
				env:  map[string]string{"TELEMETRY_PRIVACY_MODE": mode},
				args: append(dataRightsConfig(), noREDFlush),
			})
			suffix := randomSuffix()
			userA, userB := "alice-"+suffix, "bob-"+suffix
			tokenA := userToken(userA)
			seedUsers(t, c, userA, userB)
			conn := c.db()
			ctx := context.Background()

			// The stored form is what the mode promises.
			var stored string
			require.NoError(t, conn.QueryRow(ctx, "SELECT user_id FROM telemetry_events WHERE attributes['marker'] = ?", markerOf(userA)).Scan(&stored))
			if mode == "strict" {
				require.Equal(t, tokenA, stored)
			} else {
				require.Equal(t, userA, stored)
			}

			// Export before the deletion: exactly A's rows, every table.
			sections, header := c.exportUser(t, testAPIKey, userA, "")
			assert.Equal(t, "default", header["tenant"])
			assert.Equal(t, userA, header["user_id"])
			for _, table := range dataTables {
				require.Len(t, sections[table], 1, "export of %s", table)
				attrs := sections[table][0]["attributes"].(map[string]any)
				assert.Equal(t, markerOf(userA), attrs["marker"], "export of %s", table)
			}
			for _, table := range consentTables {
				require.Len(t, sections[table], 3, "export of %s", table)
				for _, row := range sections[table] {
					assert.Equal(t, userA, row["user_id"])
				}
			}
			// The trace-id lookup table of Grafana's datasource: the row of A's trace (ids and times only).
			var traceA, traceB string
			require.NoError(t, conn.QueryRow(ctx, "SELECT trace_id FROM telemetry_spans WHERE attributes['marker'] = ?", markerOf(userA)).Scan(&traceA))
			require.NoError(t, conn.QueryRow(ctx, "SELECT trace_id FROM telemetry_spans WHERE attributes['marker'] = ?", markerOf(userB)).Scan(&traceB))
			require.Len(t, sections["otel_traces_trace_id_ts"], 1, "export of the trace-id table")
			assert.Equal(t, traceA, sections["otel_traces_trace_id_ts"][0]["TraceId"])
			var auditA uint64
			require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM telemetry_audit WHERE target_id IN (?, ?)", userA, tokenA).Scan(&auditA))
			assert.Len(t, sections["telemetry_audit"], int(auditA))
			assert.Empty(t, sections["deletion_requests"])
			jsonSections, _ := c.exportUser(t, testAPIKey, userA, "?format=json")
			for _, table := range append(dataTables, consentTables...) {
				assert.Len(t, jsonSections[table], len(sections[table]), "json export of %s", table)
			}
			unknown, _ := c.exportUser(t, testAPIKey, "nobody-"+suffix, "")
			for name, rows := range unknown {
				assert.Empty(t, rows, "export of an unknown user, section %s", name)
			}
			assert.Len(t, unknown, 9, "every section is present, empty (otel_traces_trace_id_ts included)")

			// What B has, and everything else, before the deletion.
			before := map[string][]string{}
			for _, table := range append(dataTables, consentTables...) {
				before[table] = sortedLines(dumpTable(t, c.database, table), userA, tokenA)
			}

			// A merge of a data part applies the patch parts that erased rows in it: the rows leave the
			// parts before the purge. Merges of the data tables are held until the check below that the
			// erased rows are still in the parts (it failed once under load when a merge came first).
			for _, table := range dataTables {
				require.NoError(t, conn.Exec(ctx, "SYSTEM STOP MERGES "+table))
			}
			startMerges := func() {
				for _, table := range dataTables {
					require.NoError(t, conn.Exec(ctx, "SYSTEM START MERGES "+table))
				}
			}
			acc := c.requestDeletion(t, testAPIKey, userA)
			assert.Equal(t, "pending", acc.Status)
			again := c.requestDeletion(t, testAPIKey, userA)
			assert.Equal(t, acc.RequestID, again.RequestID, "a second call while the first runs returns it")
			assert.True(t, again.Existing)

			done := c.waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
			require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
			require.NotNil(t, done.Receipt)
			// telemetry_spans_staging: the span as staged for the tail-sampling decision (kept, at rate 1).
			want := map[string]uint64{"telemetry_events": 1, "telemetry_logs": 1, "telemetry_metrics": 1, "telemetry_spans": 1, "otel_traces_trace_id_ts": 1,
				"telemetry_spans_staging": 1, "telemetry_consents": 3, "telemetry_consent_history": 3, "telemetry_audit": auditA}
			got := map[string]uint64{}
			for _, tc := range done.Receipt.Tables {
				got[tc.Table] = tc.MatchedBefore
				assert.Zero(t, tc.RemainingAfter, tc.Table)
				if tc.Table == "otel_traces_trace_id_ts" {
					assert.Equal(t, "patch_parts", tc.Mechanism, "the trace-id table takes patch parts since migration 65, no mutation")
				}
			}
			assert.Equal(t, want, got, "receipt counts are what the test inserted")
			assert.Equal(t, acc.Subject, done.Receipt.Suppression.Subject)

			// The extension's own metrics.
			assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_data_rights_requests", `outcome="completed"`))
			assert.Equal(t, float64(12+auditA), selfMetricSum(t, c, "otelcol_data_rights_rows_deleted")) // incl. the staged span
			// A's trace left the trace-id table, B's stays.
			assert.Equal(t, []string{traceB}, joinedRows(t, conn, "SELECT TraceId FROM otel_traces_trace_id_ts WHERE TraceId IN ('"+traceA+"', '"+traceB+"')"))
			assert.Equal(t, 1.0, selfMetricSum(t, c, "otelcol_data_rights_suppression_entries"))

			// Every column of every table: neither A's raw id nor its token.
			tables := allTables(t, c)
			require.Contains(t, tables, "telemetry_deletion_requests")
			for _, table := range tables {
				dump := dumpTable(t, c.database, table)
				assert.NotContains(t, dump, userA, "raw id in %s", table)
				assert.NotContains(t, dump, tokenA, "token in %s", table)
			}
			// B's rows (and everything else) exactly as before.
			for _, table := range append(dataTables, consentTables...) {
				assert.Equal(t, before[table], sortedLines(dumpTable(t, c.database, table)), "rows of %s other than A's", table)
			}
			assert.Contains(t, dumpTable(t, c.database, "telemetry_events"), userB)
			// Erased, not yet purged: unreadable with default settings (the dump above), still in the
			// parts when read without patches and masks. After POST /data/purge, gone from the parts too.
			const raw = " SETTINGS apply_patch_parts = 0, apply_deleted_mask = 0, use_query_condition_cache = 0"
			var inParts uint64
			for _, table := range dataTables {
				var n uint64
				require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE attributes['marker'] = ?"+raw, markerOf(userA)).Scan(&n))
				inParts += n
			}
			assert.EqualValues(t, 4, inParts, "erased rows stay in the parts until the purge")
			startMerges() // the purge's APPLY PATCHES / APPLY DELETED MASK run in the merge pool
			code, _, body := c.drCall(t, http.MethodPost, "/data/purge", testAPIKey)
			require.Equal(t, http.StatusOK, code, "%s", body)
			assert.Contains(t, string(body), `"partitions":["telemetry_`)
			for _, table := range dataTables {
				var masked uint64
				require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE attributes['marker'] = ?"+raw, markerOf(userA)).Scan(&masked))
				assert.Zero(t, masked, "purged rows still in the parts of %s", table)
			}
			assert.Contains(t, dumpTable(t, c.database, "telemetry_events"), userB, "the purge keeps B's rows")
			purged := c.waitRequest(t, testAPIKey, acc.RequestID, "completed", 10*time.Second)
			require.NotNil(t, purged.Receipt.PurgedAt, "the receipt carries the purge time")
			require.NotNil(t, purged.Receipt.ErasedAt)
			assert.False(t, purged.Receipt.PurgedAt.Before(*purged.Receipt.ErasedAt))
			// The audit trail keeps that a deletion happened, naming the subject by pseudonym.
			var pseud uint64
			require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM telemetry_audit WHERE target_id = ?", acc.Subject).Scan(&pseud))
			assert.GreaterOrEqual(t, pseud, auditA+1)

			// The receipt verifies now; a wrong user id is refused.
			code, _, body = c.drCall(t, http.MethodGet, "/data/requests/"+acc.RequestID+"/verify?user_id="+userA, testAPIKey)
			require.Equal(t, http.StatusOK, code, "%s", body)
			assert.Contains(t, string(body), `"verified":true`)
			assert.Contains(t, string(body), `"purged":true`)
			assert.Contains(t, string(body), `"signature_valid":true`)
			code, _, _ = c.drCall(t, http.MethodGet, "/data/requests/"+acc.RequestID+"/verify?user_id="+userB, testAPIKey)
			assert.Equal(t, http.StatusBadRequest, code)

			// A's data sent after the deletion is never stored; B's is.
			late := "late-" + suffix
			postEvents(t, c, testAPIKey, probe{user: userA, marker: late + "-a"}, probe{user: userB, marker: late + "-b"})
			waitMarkers(t, conn, "telemetry_events", "attributes['marker'] LIKE '"+late+"%'", late+"-b")
			counts := consentCounts(t, c)
			assert.Equal(t, 1.0, counts["logs/analytics/dropped/suppressed"], "suppressed in the pipeline: %v", counts)

			// A new explicit consent grant (a new relationship) lifts the suppression for data from then
			// on: the next refresh (200 ms here) reads the grant and lifts it, and A's new data is stored
			// again. Wait for the lift itself: a refresh on a loaded engine can take longer than any
			// fixed pause, and an event sent before it is (rightly) suppressed.
			c.grantConsent(t, testAPIKey, userA, allPurposes)
			require.Eventually(t, func() bool { return strings.Contains(c.logs.String(), "suppression lifted by a consent grant") },
				30*time.Second, 50*time.Millisecond, "the grant lifts the suppression")
			renewed := "renewed-" + suffix
			postEvents(t, c, testAPIKey, probe{user: userA, marker: renewed})
			waitMarkers(t, conn, "telemetry_events", "attributes['marker'] = '"+renewed+"'", renewed)

			// Export after: nothing of A's old data, and the request with its receipt.
			after, _ := c.exportUser(t, testAPIKey, userA, "")
			for _, table := range dataTables {
				for _, row := range after[table] {
					assert.Equal(t, renewed, row["attributes"].(map[string]any)["marker"], "only data after the new grant in %s", table)
				}
			}
			require.Len(t, after["deletion_requests"], 1)
			assert.True(t, strings.Contains(after["deletion_requests"][0]["receipt"].(string), acc.Subject))
		})
	}
}
