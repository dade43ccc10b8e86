package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// postOTLPJSON sends one OTLP/JSON request to the collector's OTLP/HTTP receiver.
func postOTLPJSON(t *testing.T, c *collector, signal, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+c.otlpHTTP+"/v1/"+signal, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range authHeaders() {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, signal)
}

// sendFreeTextMentions stores a user's id where no identifier field names it: a log body of a
// service that sets no user.id, a URL attribute, the token in a body, a span's status message and
// event, and a metric exemplar (the id under user.id, which pii_redaction tokenises, and raw in a
// free-text attribute). Every record carries marker.
func sendFreeTextMentions(t *testing.T, c *collector, raw, token, marker string) {
	t.Helper()
	ns := fmt.Sprint(time.Now().UnixNano())
	str := func(k, v string) string { return fmt.Sprintf(`{"key":%q,"value":{"stringValue":%q}}`, k, v) }
	res := `{"attributes":[` + str("service.name", "checkout") + `]}`
	log := func(body string, attrs ...string) string {
		return fmt.Sprintf(`{"timeUnixNano":%q,"body":{"stringValue":%q},"attributes":[%s]}`, ns, body, strings.Join(append(attrs, str("marker", marker)), ","))
	}
	postOTLPJSON(t, c, "logs", `{"resourceLogs":[{"resource":`+res+`,"scopeLogs":[{"logRecords":[`+
		log("checkout failed for "+raw)+","+
		log("GET", str("url.full", "https://shop.example/users/"+raw+"/cart?step=2"))+","+
		log("session restored for "+token)+`]}]}]}`)
	id := md5.Sum([]byte(marker)) // a trace of its own per user
	postOTLPJSON(t, c, "traces", `{"resourceSpans":[{"resource":`+res+`,"scopeSpans":[{"spans":[{"traceId":"`+hex.EncodeToString(id[:])+`","spanId":"`+hex.EncodeToString(id[:8])+`","name":"pay","kind":2,"startTimeUnixNano":"`+ns+`","endTimeUnixNano":"`+ns+`","attributes":[`+str("marker", marker)+`],"status":{"code":2,"message":"card declined for `+raw+`"},"events":[{"timeUnixNano":"`+ns+`","name":"retry","attributes":[`+str("message", raw+" retried the payment")+`]}]}]}]}]}`)
	postOTLPJSON(t, c, "metrics", `{"resourceMetrics":[{"resource":`+res+`,"scopeMetrics":[{"metrics":[{"name":"cart_value","gauge":{"dataPoints":[{"timeUnixNano":"`+ns+`","asDouble":42,"attributes":[`+str("marker", marker)+`],"exemplars":[{"timeUnixNano":"`+ns+`","asDouble":42,"filteredAttributes":[`+str("user.id", raw)+","+str("note", "cart of "+raw)+`]}]}]}}]}]}]}`)
}

// ftMarker names a user's records without the raw id (pii_redaction replaces a record's own ids in
// its text, the marker included).
func ftMarker(user string) string {
	h := md5.Sum([]byte(user))
	return "ft-" + hex.EncodeToString(h[:6])
}

// TestDataRightsFreeTextErasure is the free-text test: a user's raw id and token in log
// bodies, a URL attribute, a span's status and event, and a metric exemplar, in records that carry
// no identifier field of their own. After DELETE /data/{user} the dump of every column of every
// table finds neither; another user's identical records stay; the receipt names the mechanism
// (patch parts) and the columns searched. Then, on a table whose block number columns are switched
// off (the engine cannot write patch parts there), a deletion completes by the classic lightweight
// DELETE and the receipt names that fallback.
func TestDataRightsFreeTextErasure(t *testing.T) {
	c := startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"},
		args: append(dataRightsConfig(), noREDFlush),
	})
	suffix := randomSuffix()
	userA, userB, userC := "carol-"+suffix, "dave-"+suffix, "erin-"+suffix
	conn := c.db()
	ctx := context.Background()
	for _, u := range []string{userA, userB, userC} {
		sendFreeTextMentions(t, c, u, userToken(u), ftMarker(u))
	}
	a, b, cc := ftMarker(userA), ftMarker(userB), ftMarker(userC)
	waitMarkers(t, conn, "telemetry_logs", "attributes['marker'] LIKE 'ft-%'", a, a, a, b, b, b, cc, cc, cc)
	for _, table := range []string{"telemetry_spans", "telemetry_metrics"} {
		waitMarkers(t, conn, table, "attributes['marker'] LIKE 'ft-%'", a, b, cc)
	}
	// What pii_redaction left of A's id in the logs (a raw id or token in the body or any attribute
	// value), counted independently of the extension: the receipt must match it.
	var logsA uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM telemetry_logs WHERE arrayExists(v -> position(v, ?) > 0 OR position(v, ?) > 0, arrayConcat([body], mapValues(attributes)))",
		userA, userToken(userA)).Scan(&logsA))
	require.GreaterOrEqual(t, logsA, uint64(2), "A's id is in at least the body and the token body")
	before := map[string][]string{}
	for _, table := range dataTables {
		before[table] = sortedLines(dumpTable(t, c.database, table), userA, userToken(userA))
	}

	acc := c.requestDeletion(t, testAPIKey, userA)
	done := c.waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	require.NotNil(t, done.Receipt.ErasedAt)
	got := map[string]uint64{}
	for _, tc := range done.Receipt.Tables {
		got[tc.Table] = tc.MatchedBefore
		if strings.HasPrefix(tc.Table, "telemetry_") && tc.Table != "telemetry_consents" && tc.Table != "telemetry_consent_history" && tc.Table != "telemetry_audit" {
			assert.NotEmpty(t, tc.Searched.FreeText, "free-text columns searched in %s", tc.Table)
			assert.NotEmpty(t, tc.Searched.Index, tc.Table)
		}
		if tc.MatchedBefore > 0 && slices.Contains(dataTables, tc.Table) {
			assert.Equal(t, "patch_parts", tc.Mechanism, tc.Table)
		}
	}
	assert.Equal(t, logsA, got["telemetry_logs"])
	assert.EqualValues(t, 1, got["telemetry_spans"])
	assert.EqualValues(t, 1, got["telemetry_metrics"])
	for _, table := range allTables(t, c) {
		dump := dumpTable(t, c.database, table)
		assert.NotContains(t, dump, userA, "raw id in %s", table)
		assert.NotContains(t, dump, userToken(userA), "token in %s", table)
	}
	for _, table := range dataTables {
		assert.Equal(t, before[table], sortedLines(dumpTable(t, c.database, table)), "rows of %s other than A's", table)
	}
	assert.Contains(t, dumpTable(t, c.database, "telemetry_logs"), "checkout failed for "+userB)

	// The fallback: logs without block number columns cannot take patch parts.
	require.NoError(t, conn.Exec(ctx, "ALTER TABLE telemetry_logs MODIFY SETTING enable_block_number_column = 0, enable_block_offset_column = 0"))
	acc = c.requestDeletion(t, testAPIKey, userC)
	done = c.waitRequest(t, testAPIKey, acc.RequestID, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	mech := map[string]string{}
	for _, tc := range done.Receipt.Tables {
		mech[tc.Table] = tc.Mechanism
		assert.Zero(t, tc.RemainingAfter, tc.Table)
	}
	assert.True(t, strings.HasPrefix(mech["telemetry_logs"], "lightweight_delete (fallback: "), mech["telemetry_logs"])
	assert.Equal(t, "patch_parts", mech["telemetry_spans"])
	dump := dumpTable(t, c.database, "telemetry_logs")
	assert.NotContains(t, dump, userC)
	assert.NotContains(t, dump, userToken(userC))
	assert.Contains(t, dump, "checkout failed for "+userB)
}
