package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrivacyPolicyPurposeMapping: tenant eu maps its plain logs to the analytics purpose by API;
// a user who consented to diagnostics but refused analytics then has eu's logs dropped while us's
// (the YAML's mapping: logs are diagnostics) are stored. A mapping naming an unknown purpose is
// refused naming the field, and the dry run judges a draft's purposes and consent_default.
func TestPrivacyPolicyPurposeMapping(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"}})
	ingest := map[string]string{"eu": c.createKey(t, "eu", "eu-ingest", "ingest"), "us": c.createKey(t, "us", "us-ingest", "ingest")}
	admin := map[string]string{"eu": c.createKey(t, "eu", "eu-admin", "admin"), "us": c.createKey(t, "us", "us-admin", "admin")}
	for _, tenant := range []string{"eu", "us"} {
		c.grantConsent(t, admin[tenant], "u1", map[string]bool{"diagnostics": true, "analytics": false, "performance": true})
	}
	send := func(tenant, service string) {
		ld := noteLogs(service, "hello")
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().PutStr("user.id", "u1")
		postLogsWithKey(t, c.otlpHTTP, ingest[tenant], ld)
		postLogsWithKey(t, c.otlpHTTP, ingest[tenant], noteLogs(service+"-marker", "marker"))
	}
	stored := func(tenant, service string) uint64 {
		storedNote(t, c, tenant, service+"-marker")
		var n uint64
		require.NoError(t, c.db().QueryRow(t.Context(), "SELECT count() FROM telemetry_logs WHERE tenant_id = ? AND service_name = ?", tenant, service).Scan(&n))
		return n
	}
	send("eu", "purpose-before")
	assert.Equal(t, uint64(1), stored("eu", "purpose-before"), "logs are diagnostics, which u1 consented to")

	// Invalid mappings: 400 naming the field, with the consent processor's rules.
	for _, tc := range []struct {
		purposes map[string]any
		field    string
	}{
		{map[string]any{"logs": "marketing"}, "purposes.logs"},
		{map[string]any{"event_prefixes": []any{map[string]any{"prefix": "", "purpose": "analytics"}}}, "purposes.event_prefixes[0].prefix"},
		{map[string]any{"event_prefixes": []any{map[string]any{"prefix": "pay.", "purpose": "ads"}}}, "purposes.event_prefixes[0].purpose"},
	} {
		status, _, body := c.apiRequest(t, http.MethodPut, "/privacy/policy", admin["eu"], map[string]any{"purposes": tc.purposes}, nil)
		require.Equal(t, http.StatusBadRequest, status, "%v: %v", tc.purposes, body)
		assert.Equal(t, tc.field, body["error"].(map[string]any)["field"], body)
	}

	// The dry run of a draft judges consent under the draft's purposes and consent_default.
	dry := func(user string, draft map[string]any) map[string]any {
		req := map[string]any{"signal": "logs", "sample": json.RawMessage(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"},"attributes":[{"key":"user.id","value":{"stringValue":"` + user + `"}}]}]}]}]}`)}
		if draft != nil {
			req["policy"] = draft
		}
		status, _, body := c.apiRequest(t, http.MethodPost, "/privacy/policy/test", admin["eu"], req, nil)
		require.Equal(t, http.StatusOK, status, body)
		return body
	}
	verdicts := func(body map[string]any) string { b, _ := json.Marshal(body["consent"]); return string(b) }
	body := dry("u1", nil)
	assert.Equal(t, false, body["consent_would_drop"], body)
	body = dry("u1", map[string]any{"purposes": map[string]any{"logs": "analytics"}})
	assert.Equal(t, true, body["consent_would_drop"], body)
	assert.Contains(t, verdicts(body), `"outcome":"dropped","purpose":"analytics"`)
	body = dry("nobody", nil)
	assert.Equal(t, false, body["consent_would_drop"], "balanced: opt-out for users without a record: %v", body)
	body = dry("nobody", map[string]any{"consent_default": "opt_in"})
	assert.Equal(t, true, body["consent_would_drop"], body)
	assert.Contains(t, verdicts(body), `"outcome":"dropped","purpose":"diagnostics","reason":"default_opt_in"`)

	// eu maps plain logs to analytics: u1's eu logs are dropped, us's are not.
	status, _, body := c.apiRequest(t, http.MethodPut, "/privacy/policy", admin["eu"], map[string]any{"purposes": map[string]any{"logs": "analytics"}}, nil)
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = c.apiRequest(t, http.MethodGet, "/privacy/policy", admin["eu"], nil, nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, map[string]any{"logs": "analytics"}, body["policy"].(map[string]any)["purposes"])
	send("eu", "purpose-after")
	send("us", "purpose-after")
	assert.Zero(t, stored("eu", "purpose-after"), "eu's logs are analytics now, which u1 refused")
	assert.Equal(t, uint64(1), stored("us", "purpose-after"), "us keeps the YAML's mapping")
	// The dry run without a draft now applies the policy in effect.
	assert.Equal(t, true, dry("u1", nil)["consent_would_drop"])
}
