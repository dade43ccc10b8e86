package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scopedReceipt is the part of a single-event or time-ranged request's receipt these tests read.
type scopedReceipt struct {
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Receipt *struct {
		EventID string `json:"event_id"`
		Range   *struct {
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
		} `json:"range"`
		ErasedAt    *time.Time `json:"erased_at"`
		Suppression struct {
			Subject string `json:"subject"`
		} `json:"suppression"`
		Tables []struct {
			Table          string `json:"table"`
			MatchedBefore  uint64 `json:"matched_before"`
			RemainingAfter uint64 `json:"remaining_after"`
			Mechanism      string `json:"mechanism"`
		} `json:"tables"`
		Signature string `json:"signature"`
	} `json:"receipt"`
}

func (c *collector) scopedStatus(t *testing.T, key, id string) scopedReceipt {
	t.Helper()
	done := c.waitRequest(t, key, id, "completed", 60*time.Second)
	require.Equal(t, "completed", done.Status, "reason: %s", done.Reason)
	code, _, body := c.drCall(t, http.MethodGet, "/data/requests/"+id, key)
	require.Equal(t, http.StatusOK, code, "%s", body)
	var st scopedReceipt
	require.NoError(t, json.Unmarshal(body, &st))
	require.NotNil(t, st.Receipt, "%s", body)
	return st
}

// storedMarkers are the markers of the tenant's readable events in telemetry_events.
func storedMarkers(t *testing.T, c *collector, tenant, prefix string) []string {
	t.Helper()
	return markers(t, c.db(), "telemetry_events", "tenant_id = '"+tenant+"' AND startsWith(attributes['marker'], '"+prefix+"')")
}

// TestDataRightsDeleteEvent: DELETE /api/v1/telemetry/events/{event_id} through the built collector.
// Events get their id at ingest (one the receiver chose, or the client's event_id) and the 202 names
// it; the privacy role of the event's tenant erases that one event and gets a signed receipt naming
// it, while the same user's other events, and another tenant's event that carries the same
// client-chosen id, stay. Unknown ids are 404, other roles 403, other tenants 404, and nothing is
// suppressed: the user's next event is stored.
func TestDataRightsDeleteEvent(t *testing.T) {
	const (
		acmeIngest    = "e2e-acme-ingest-key-000001"
		acmePrivacy   = "e2e-acme-privacy-key-00001"
		acmeViewer    = "e2e-acme-viewer-key-000001"
		globexIngest  = "e2e-globex-ingest-key-0001"
		globexPrivacy = "e2e-globex-privacy-key-001"
	)
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "strict"}, args: dataRightsConfig("api-tenants.yaml")})
	suffix := randomSuffix()
	user := "dora-" + suffix
	c.grantConsent(t, acmePrivacy, user, allPurposes)
	c.grantConsent(t, globexPrivacy, user, allPurposes)
	ev := func(marker string) map[string]any {
		return map[string]any{"event_name": probeEvent, "user_id": user, "properties": map[string]any{"marker": marker}}
	}
	m1, m2, m3 := "ev1-"+suffix, "ev2-"+suffix, "ev3-"+suffix
	code, body := c.apiCall(t, http.MethodPost, "/events/batch", acmeIngest, map[string]any{"events": []any{ev(m1), ev(m2)}})
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	ids, _ := body["event_ids"].([]any)
	require.Len(t, ids, 2, "%v", body)
	id1, id2 := ids[0].(string), ids[1].(string)
	require.NotEqual(t, id1, id2)
	// A client-chosen id, used by two tenants.
	own := "client-" + suffix
	withID := ev(m3)
	withID["event_id"] = own
	code, body = c.apiCall(t, http.MethodPost, "/events", acmeIngest, withID)
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	assert.Equal(t, own, body["event_id"])
	code, body = c.apiCall(t, http.MethodPost, "/events", globexIngest, withID)
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	bad := ev("bad-" + suffix)
	bad["event_id"] = "has space"
	code, body = c.apiCall(t, http.MethodPost, "/events", acmeIngest, bad)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, body["error"].(map[string]any)["field"], "event_id")

	conn := c.db()
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 'acme' AND startsWith(attributes['marker'], 'ev')", m1, m2, m3)
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 'globex' AND startsWith(attributes['marker'], 'ev')", m3)
	// The ids the 202 named are the stored rows' event_id (pii_redaction leaves them alone).
	assert.Equal(t, []string{m1 + " " + id1, m2 + " " + id2, m3 + " " + own},
		joinedRows(t, conn, "SELECT concat(attributes['marker'], ' ', event_id) FROM telemetry_events WHERE tenant_id = 'acme' AND attributes['marker'] IN ('"+m1+"', '"+m2+"', '"+m3+"') ORDER BY 1"))

	path := func(id string) string { return "/events/" + url.PathEscape(id) }
	for _, key := range []string{acmeViewer, acmeIngest} {
		code, _, body := c.drCall(t, http.MethodDelete, path(id1), key)
		assert.Equal(t, http.StatusForbidden, code, "%s", body)
	}
	code, _, raw := c.drCall(t, http.MethodDelete, path("unknown-"+suffix), acmePrivacy)
	assert.Equal(t, http.StatusNotFound, code, "%s", raw)
	code, _, raw = c.drCall(t, http.MethodDelete, path(id1), globexPrivacy)
	assert.Equal(t, http.StatusNotFound, code, "acme's event is not globex's: %s", raw)
	code, _, raw = c.drCall(t, http.MethodDelete, path("bad id"), acmePrivacy)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(raw), `"field":"event_id"`)
	assert.Equal(t, []string{m1, m2, m3}, storedMarkers(t, c, "acme", "ev"), "refused calls erase nothing")

	// Erase the generated id's event, and acme's event of the shared client id.
	del := func(id string) drStatus {
		t.Helper()
		code, loc, raw := c.drCall(t, http.MethodDelete, path(id), acmePrivacy)
		require.Equal(t, http.StatusAccepted, code, "%s", raw)
		var st drStatus
		require.NoError(t, json.Unmarshal(raw, &st))
		require.Equal(t, "/api/v1/telemetry/data/requests/"+st.RequestID, loc)
		return st
	}
	acc1, accOwn := del(id1), del(own)
	for _, acc := range []drStatus{acc1, accOwn} {
		st := c.scopedStatus(t, acmePrivacy, acc.RequestID)
		require.Len(t, st.Receipt.Tables, 1)
		tc := st.Receipt.Tables[0]
		assert.Equal(t, "telemetry_events", tc.Table)
		assert.EqualValues(t, 1, tc.MatchedBefore)
		assert.Zero(t, tc.RemainingAfter)
		assert.Equal(t, "patch_parts", tc.Mechanism)
		assert.NotNil(t, st.Receipt.ErasedAt)
		assert.Empty(t, st.Receipt.Suppression.Subject, "one event suppresses nothing")
		assert.NotEmpty(t, st.Receipt.Signature)
	}
	assert.Equal(t, id1, c.scopedStatus(t, acmePrivacy, acc1.RequestID).Receipt.EventID)
	assert.Equal(t, own, c.scopedStatus(t, acmePrivacy, accOwn.RequestID).Receipt.EventID)

	assert.Equal(t, []string{m2}, storedMarkers(t, c, "acme", "ev"), "only the named events are gone")
	assert.Equal(t, []string{m3}, storedMarkers(t, c, "globex", "ev"), "globex's event of the same client id stays")
	var rawLeft uint64
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_events WHERE event_id = ?", id1).Scan(&rawLeft))
	assert.Zero(t, rawLeft)

	// Tenant scoping of the request, the receipt's verification, a second DELETE of a gone event.
	code, _, _ = c.drCall(t, http.MethodGet, "/data/requests/"+acc1.RequestID, globexPrivacy)
	assert.Equal(t, http.StatusNotFound, code)
	code, _, raw = c.drCall(t, http.MethodGet, "/data/requests/"+acc1.RequestID+"/verify", acmePrivacy)
	require.Equal(t, http.StatusOK, code, "%s", raw)
	assert.Contains(t, string(raw), `"verified":true`)
	assert.Contains(t, string(raw), `"signature_valid":true`)
	code, _, _ = c.drCall(t, http.MethodDelete, path(id1), acmePrivacy)
	assert.Equal(t, http.StatusNotFound, code)

	// Nothing suppressed: the user's next event is stored.
	m4 := "ev4-" + suffix
	code, body = c.apiCall(t, http.MethodPost, "/events", acmeIngest, ev(m4))
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	waitMarkers(t, conn, "telemetry_events", "tenant_id = 'acme' AND startsWith(attributes['marker'], 'ev')", m2, m4)
}

// TestDataRightsDeleteTimeRange: DELETE /data/{user_id}?from=&to= erases the user's rows of the
// data tables with timestamps in [from, to) and nothing else: the user's rows before and after the
// range, another user's row inside it, and the user's consent stay; the receipt states the range,
// covers the data tables only, and suppresses nothing. A bad range is a 400 naming the parameter.
func TestDataRightsDeleteTimeRange(t *testing.T) {
	c := startCollector(t, collectorOptions{args: dataRightsConfig()})
	suffix := randomSuffix()
	user, other := "erin-"+suffix, "fred-"+suffix
	c.grantConsent(t, testAPIKey, user, allPurposes)
	c.grantConsent(t, testAPIKey, other, allPurposes)
	now := time.Now().UTC().Truncate(time.Millisecond)
	at := func(u, marker string, ago time.Duration) map[string]any {
		return map[string]any{"event_name": probeEvent, "user_id": u, "properties": map[string]any{"marker": marker},
			"timestamp": now.Add(-ago).Format(time.RFC3339Nano)}
	}
	before, inside, edge, after, otherIn := "rg-before-"+suffix, "rg-in-"+suffix, "rg-edge-"+suffix, "rg-after-"+suffix, "rg-other-"+suffix
	from, to := now.Add(-36*time.Hour), now.Add(-12*time.Hour)
	code, body := c.apiCall(t, http.MethodPost, "/events/batch", testAPIKey, map[string]any{"events": []any{
		at(user, before, 48*time.Hour), at(user, inside, 24*time.Hour), at(user, edge, 12*time.Hour), // to is exclusive
		at(user, after, time.Minute), at(other, otherIn, 24*time.Hour),
	}})
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	require.EqualValues(t, 5, body["accepted"], "%v", body)
	waitMarkers(t, c.db(), "telemetry_events", "startsWith(attributes['marker'], 'rg-')", before, inside, edge, after, otherIn)

	rangeQ := func(f, t string) string {
		return "/data/" + user + "?from=" + url.QueryEscape(f) + "&to=" + url.QueryEscape(t)
	}
	rfc := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	for _, tc := range []struct{ path, field string }{
		{rangeQ("yesterday", rfc(to)), "from"},
		{rangeQ(rfc(from), "soon"), "to"},
		{"/data/" + user + "?from=" + url.QueryEscape(rfc(from)), "to"},
		{"/data/" + user + "?to=" + url.QueryEscape(rfc(to)), "from"},
		{rangeQ(rfc(to), rfc(from)), "from"},
	} {
		code, _, raw := c.drCall(t, http.MethodDelete, tc.path, testAPIKey)
		assert.Equal(t, http.StatusBadRequest, code, "%s: %s", tc.path, raw)
		assert.Contains(t, string(raw), `"field":"`+tc.field+`"`, tc.path)
	}

	code, _, raw := c.drCall(t, http.MethodDelete, rangeQ(rfc(from), rfc(to)), testAPIKey)
	require.Equal(t, http.StatusAccepted, code, "%s", raw)
	var acc drStatus
	require.NoError(t, json.Unmarshal(raw, &acc))
	st := c.scopedStatus(t, testAPIKey, acc.RequestID)
	require.NotNil(t, st.Receipt.Range, "the receipt states the range")
	assert.True(t, from.Equal(st.Receipt.Range.From), "from %s, receipt %s", from, st.Receipt.Range.From)
	assert.True(t, to.Equal(st.Receipt.Range.To), "to %s, receipt %s", to, st.Receipt.Range.To)
	assert.Empty(t, st.Receipt.Suppression.Subject, "a time range suppresses nothing")
	counts := map[string]uint64{}
	for _, tc := range st.Receipt.Tables {
		counts[tc.Table] = tc.MatchedBefore
		assert.Zero(t, tc.RemainingAfter, tc.Table)
		assert.NotContains(t, []string{"telemetry_consents", "telemetry_consent_history", "telemetry_audit"}, tc.Table, "data tables only")
	}
	assert.EqualValues(t, 1, counts["telemetry_events"], "one of the user's events lies in the range: %v", counts)

	assert.Equal(t, []string{after, before, edge, otherIn}, storedMarkers(t, c, "default", "rg-"), "rows outside the range, and the other user's, stay")
	var consents uint64
	require.NoError(t, c.db().QueryRow(context.Background(), "SELECT count() FROM telemetry_consents WHERE user_id = ?", user).Scan(&consents))
	assert.NotZero(t, consents, "a time range keeps the user's consent")
	// Nothing suppressed: the user's next event is stored.
	code, body = c.apiCall(t, http.MethodPost, "/events", testAPIKey, at(user, "rg-late-"+suffix, 0))
	require.Equal(t, http.StatusAccepted, code, "%v", body)
	waitMarkers(t, c.db(), "telemetry_events", "startsWith(attributes['marker'], 'rg-late-')", "rg-late-"+suffix)
}
