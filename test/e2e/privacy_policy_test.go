package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// apiRequest is apiCall with extra headers, returning the response headers too.
func (c *collector) apiRequest(t *testing.T, method, path, key string, body any, headers map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, "http://"+c.api+"/api/v1/telemetry"+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, resp.Header, out
}

// createKey creates a key of tenant by the bootstrap admin and returns its secret.
func (c *collector) createKey(t *testing.T, tenant, id string, roles ...string) string {
	t.Helper()
	status, body := c.apiCall(t, http.MethodPost, "/admin/keys?tenant="+tenant, testAPIKey, map[string]any{"id": id, "roles": roles})
	require.Equal(t, http.StatusCreated, status, body)
	return body["key"].(string)
}

// noteLogs is one log record of service whose attribute note carries an e-mail address.
func noteLogs(service, note string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	lr.Body().SetStr("profile viewed")
	lr.Attributes().PutStr("note", note)
	return ld
}

func postLogsWithKey(t *testing.T, endpoint, key string, ld plog.Logs) {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, "http://"+endpoint+"/v1/logs", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(msg))
}

// storedNote waits for the log of service and tenant and returns its note attribute.
func storedNote(t *testing.T, c *collector, tenant, service string) string {
	t.Helper()
	conn := c.db()
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_logs WHERE tenant_id = ? AND service_name = ?", tenant, service)
	var note string
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT attributes['note'] FROM telemetry_logs WHERE tenant_id = ? AND service_name = ?", tenant, service).Scan(&note))
	return note
}

// TestPrivacyPolicyPerTenant: with the operator's YAML at balanced, tenant eu switches to strict by
// API; eu's next records are stored under strict, tenant us's still under balanced. A policy below
// the floor is refused naming the field, a lost update answers 412, the dry run returns the
// redacted record and stores nothing, and every change is in the audit trail.
func TestPrivacyPolicyPerTenant(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"}})
	euIngest := c.createKey(t, "eu", "eu-ingest", "ingest")
	usIngest := c.createKey(t, "us", "us-ingest", "ingest")
	euAdmin := c.createKey(t, "eu", "eu-admin", "admin")
	const email = "alice.smith@example.com"

	postLogsWithKey(t, c.otlpHTTP, euIngest, noteLogs("policy-before", "mail "+email))
	postLogsWithKey(t, c.otlpHTTP, usIngest, noteLogs("policy-before", "mail "+email))
	for _, tenant := range []string{"eu", "us"} {
		note := storedNote(t, c, tenant, "policy-before")
		assert.NotContains(t, note, email, "balanced masks")
		assert.NotContains(t, note, "[REDACTED:email]", "balanced masks, it does not redact")
	}

	status, hdr, body := c.apiRequest(t, http.MethodGet, "/privacy/policy", euAdmin, nil, nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, `"0"`, hdr.Get("ETag"))
	assert.Equal(t, true, body["default"])

	// Below the floor, or invalid: 400 naming the field, nothing stored.
	for _, tc := range []struct {
		policy map[string]any
		field  string
	}{
		{map[string]any{"mode": "minimal"}, "mode"},
		{map[string]any{"anonymize_ips": false}, "anonymize_ips"},
		{map[string]any{"actions": map[string]any{"email": "keep"}}, "actions.email"},
		{map[string]any{"mode": "shouty"}, "mode"},
		{map[string]any{"retention_days": map[string]any{"logs": 0}}, "retention_days.logs"},
		{map[string]any{"colour": "blue"}, "colour"},
	} {
		status, _, body := c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, tc.policy, nil)
		require.Equal(t, http.StatusBadRequest, status, "%v: %v", tc.policy, body)
		assert.Equal(t, tc.field, body["error"].(map[string]any)["field"], body)
	}

	// Dry run of a draft: the record as strict would store it, every change, nothing stored.
	sample := `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"dry-run-sample"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello"},"attributes":[{"key":"note","value":{"stringValue":"mail ` + email + `"}},{"key":"password","value":{"stringValue":"hunter2hunter2"}}]}]}]}]}`
	status, _, body = c.apiRequest(t, http.MethodPost, "/privacy/policy/test", euAdmin, map[string]any{
		"signal": "logs", "sample": json.RawMessage(sample), "policy": map[string]any{"mode": "strict"},
	}, nil)
	require.Equal(t, http.StatusOK, status, body)
	record, _ := json.Marshal(body["record"])
	assert.Contains(t, string(record), "mail [REDACTED:email]")
	assert.NotContains(t, string(record), email)
	assert.NotContains(t, string(record), "hunter2")
	changes, _ := json.Marshal(body["changes"])
	assert.Contains(t, string(changes), `"action":"redacted"`)
	assert.Contains(t, string(changes), `"detector":"email"`)
	assert.Contains(t, string(changes), `"field":"resource_logs[0].log_records[0].attributes.password"`)
	assert.Equal(t, false, body["stored"])
	// No user id in the sample: consent passes it as anonymous.
	assert.Equal(t, false, body["consent_would_drop"], body)
	consentJSON, _ := json.Marshal(body["consent"])
	assert.Contains(t, string(consentJSON), `"reason":"anonymous"`)

	// Strict for eu, with the ETag; a second writer with the old ETag gets 412.
	status, hdr, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"mode": "strict", "pii_fields": []string{"loyalty_no"}}, map[string]string{"If-Match": `"0"`})
	require.Equal(t, http.StatusOK, status, body)
	etag := hdr.Get("ETag")
	require.NotEqual(t, `"0"`, etag)
	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"mode": "balanced"}, map[string]string{"If-Match": `"0"`})
	require.Equal(t, http.StatusPreconditionFailed, status, body)

	status, hdr, body = c.apiRequest(t, http.MethodGet, "/privacy/policy", euAdmin, nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, etag, hdr.Get("ETag"))
	assert.Equal(t, "strict", body["policy"].(map[string]any)["mode"])
	status, _, body = c.apiRequest(t, http.MethodGet, "/privacy/policy?tenant=us", testAPIKey, nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, body["default"], "us has no policy")

	// The next records: eu under strict, us still under balanced.
	postLogsWithKey(t, c.otlpHTTP, euIngest, noteLogs("policy-after", "mail "+email))
	postLogsWithKey(t, c.otlpHTTP, usIngest, noteLogs("policy-after", "mail "+email))
	assert.Equal(t, "mail [REDACTED:email]", storedNote(t, c, "eu", "policy-after"))
	usNote := storedNote(t, c, "us", "policy-after")
	assert.NotContains(t, usNote, email)
	assert.NotContains(t, usNote, "[REDACTED:email]")

	// Strict brings the consent default opt-in for eu only: a user without a consent record is
	// dropped for eu, stored for us (the YAML's balanced: opt-out).
	for _, key := range []string{euIngest, usIngest} {
		ld := noteLogs("policy-consent", "hello")
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().PutStr("user.id", "user-77")
		postLogsWithKey(t, c.otlpHTTP, key, ld)
		postLogsWithKey(t, c.otlpHTTP, key, noteLogs("policy-consent-marker", "marker"))
	}
	storedNote(t, c, "us", "policy-consent")
	storedNote(t, c, "eu", "policy-consent-marker")
	var dropped uint64
	require.NoError(t, c.db().QueryRow(t.Context(), "SELECT count() FROM telemetry_logs WHERE tenant_id = 'eu' AND service_name = 'policy-consent'").Scan(&dropped))
	assert.Zero(t, dropped, "eu is opt-in now: no consent record, not stored")
	// The dry run says so too: eu's user without a consent record would be dropped.
	status, _, body = c.apiRequest(t, http.MethodPost, "/privacy/policy/test", euAdmin, map[string]any{"signal": "logs",
		"sample": json.RawMessage(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"user.id","value":{"stringValue":"user-78"}}]}]}]}]}`)}, nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, true, body["consent_would_drop"], body)
	consentJSON, _ = json.Marshal(body["consent"])
	assert.Contains(t, string(consentJSON), `"outcome":"dropped","purpose":"diagnostics","reason":"default_opt_in"`)
	// An event in the track-event API's own format is judged as the events receiver would send it:
	// its properties redacted under eu's strict policy, and its user without consent dropped.
	status, _, body = c.apiRequest(t, http.MethodPost, "/privacy/policy/test", euAdmin, map[string]any{"signal": "events",
		"sample": json.RawMessage(`{"event_name":"checkout","user_id":"user-79","properties":{"contact":"` + email + `","value":99.99}}`)}, nil)
	require.Equal(t, http.StatusOK, status, body)
	record, _ = json.Marshal(body["record"])
	assert.Contains(t, string(record), "checkout", "the event's name is in the record")
	assert.NotContains(t, string(record), email)
	assert.NotContains(t, string(record), "user-79", "the user id is tokenised under strict")
	assert.Equal(t, true, body["consent_would_drop"], body)
	// A malformed event names the sample.
	status, _, body = c.apiRequest(t, http.MethodPost, "/privacy/policy/test", euAdmin, map[string]any{"signal": "events",
		"sample": json.RawMessage(`{"properties":{}}`)}, nil)
	require.Equal(t, http.StatusBadRequest, status, body)
	assert.Equal(t, "sample", body["error"].(map[string]any)["field"], body)
	// The YAML is opt-out here, so opt_out is no loosening; an unknown value names the field.
	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"mode": "strict", "consent_default": "maybe"}, nil)
	require.Equal(t, http.StatusBadRequest, status, body)
	assert.Equal(t, "consent_default", body["error"].(map[string]any)["field"])

	// The dry run stored nothing (its sample would have been stored long before these).
	var n uint64
	require.NoError(t, c.db().QueryRow(t.Context(), "SELECT count() FROM telemetry_logs WHERE service_name = 'dry-run-sample'").Scan(&n))
	assert.Zero(t, n)

	status, _, body = c.apiRequest(t, http.MethodGet, "/privacy/policy/history", euAdmin, nil, nil)
	require.Equal(t, http.StatusOK, status, body)
	hist := body["history"].([]any)
	require.Len(t, hist, 1)
	assert.Equal(t, "eu-admin", hist[0].(map[string]any)["updated_by"])
	assert.Equal(t, "strict", hist[0].(map[string]any)["policy"].(map[string]any)["mode"])

	// A fail-closed attribute allowlist: eu's next log keeps only the listed keys, the rest is
	// dropped and counted; us's log keeps everything.
	_, hdr, _ = c.apiRequest(t, http.MethodGet, "/privacy/policy", euAdmin, nil, nil)
	status, _, body = c.apiRequest(t, http.MethodPut, "/privacy/policy", euAdmin, map[string]any{"mode": "strict", "attribute_allowlist": []string{"note"}}, map[string]string{"If-Match": hdr.Get("ETag")})
	require.Equal(t, http.StatusOK, status, body)
	for _, key := range []string{euIngest, usIngest} {
		ld := noteLogs("policy-allowlist", "hello")
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().PutStr("debug.dump", "internal state")
		postLogsWithKey(t, c.otlpHTTP, key, ld)
	}
	keysOf := func(tenant string) string {
		storedNote(t, c, tenant, "policy-allowlist")
		var keys string
		require.NoError(t, c.db().QueryRow(t.Context(), "SELECT arrayStringConcat(arraySort(mapKeys(attributes)), ',') FROM telemetry_logs WHERE tenant_id = ? AND service_name = 'policy-allowlist'", tenant).Scan(&keys))
		return keys
	}
	assert.Equal(t, "note", keysOf("eu"))
	assert.Contains(t, keysOf("us"), "debug.dump")
	assert.Equal(t, float64(1), selfMetricSum(t, c, "otelcol_processor_pii_redaction_redactions", `detector="attribute_allowlist"`))

	// Audited with before and after.
	eventuallyCount(t, c.db(), 1, "SELECT count() FROM telemetry_audit WHERE tenant_id = 'eu' AND action = 'PUT /privacy/policy' AND outcome = 'success' AND details['before'] = 'null' AND position(details['after'], '\"mode\":\"strict\"') > 0 AND actor = 'eu-admin'")
	eventuallyCount(t, c.db(), 6, "SELECT count() FROM telemetry_audit WHERE tenant_id = 'eu' AND action = 'PUT /privacy/policy' AND outcome = 'failure'")
	// Both successful PUTs are stored before the audit is read (records are written in batches).
	eventuallyCount(t, c.db(), 2, "SELECT count() FROM telemetry_audit WHERE tenant_id = 'eu' AND action = 'PUT /privacy/policy' AND outcome = 'success'")
	// ... and the tenant's admin reads it with GET /audit: who changed what, before and after.
	status, body = c.apiCall(t, http.MethodGet, "/audit?key_id=eu-admin&limit=1000", euAdmin, nil)
	require.Equal(t, http.StatusOK, status, body)
	var puts []map[string]any
	for _, r := range body["records"].([]any) {
		rec := r.(map[string]any)
		if rec["action"] == "PUT /privacy/policy" && rec["outcome"] == "success" {
			puts = append(puts, rec)
		}
	}
	require.Len(t, puts, 2, "strict, then the allowlist")
	last := puts[0]["details"].(map[string]any) // newest first
	assert.Contains(t, last["before"], `"mode":"strict"`)
	assert.Contains(t, last["after"], `"attribute_allowlist":["note"]`)
	assert.Equal(t, "eu", puts[0]["tenant"])
}
