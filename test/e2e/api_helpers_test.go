package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// apiCall sends one request to the collector's telemetry API with key (none when empty) and returns
// the status and the decoded JSON body (nil when the body is not JSON).
func (c *collector) apiCall(t *testing.T, method, path, key string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, "http://"+c.api+"/api/v1/telemetry"+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// grantConsent records the user's choice per purpose through the consent endpoint, as a privacy
// officer's tool or a cookie banner backend would.
func (c *collector) grantConsent(t *testing.T, key, user string, purposes map[string]bool) {
	t.Helper()
	status, body := c.apiCall(t, http.MethodPost, "/consent/update", key, map[string]any{
		"user_id": user, "purposes": purposes, "source": "e2e",
	})
	require.Equal(t, http.StatusOK, status, "consent update: %v", body)
}
