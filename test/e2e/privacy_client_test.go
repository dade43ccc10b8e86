package e2e

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// TestPrivacyClientThroughCollector: the Go client's key calls and the spec's configure_privacy
// (ConfigurePrivacy, PrivacyPolicy, TestPrivacyPolicy) against the built collector.
func TestPrivacyClientThroughCollector(t *testing.T) {
	c := startCollector(t, collectorOptions{env: map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"}})
	ctx := t.Context()
	root := queryClient(t, c, testAPIKey)

	adminKey, err := root.CreateAPIKey(ctx, "sdk-admin", "admin")
	require.NoError(t, err)
	require.NotEmpty(t, adminKey.Key)
	admin := queryClient(t, c, adminKey.Key)
	keys, err := admin.APIKeys(ctx)
	require.NoError(t, err)
	var ids []string
	for _, k := range keys {
		assert.Empty(t, k.Key, "never a secret in the list")
		ids = append(ids, k.ID)
	}
	assert.Contains(t, ids, "sdk-admin")

	state, err := admin.PrivacyPolicy(ctx)
	require.NoError(t, err)
	assert.True(t, state.Default)
	yes := true
	state, err = admin.ConfigurePrivacy(ctx, client.PrivacyPolicy{Mode: "strict", PIIFields: []string{"loyalty_no"}, HashIdentifiers: &yes}, state.ETag)
	require.NoError(t, err)
	assert.Equal(t, "strict", state.Policy.Mode)
	_, err = admin.ConfigurePrivacy(ctx, client.PrivacyPolicy{Mode: "strict"}, `"1"`)
	assert.True(t, errors.Is(err, client.ErrPolicyChanged), err)
	_, err = admin.ConfigurePrivacy(ctx, client.PrivacyPolicy{Mode: "minimal"}, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"field":"mode"`)

	sample := json.RawMessage(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"loyalty_no","value":{"stringValue":"LN-123"}},{"key":"note","value":{"stringValue":"call +1 415 555 0100"}}]}]}]}]}`)
	res, err := admin.TestPrivacyPolicy(ctx, "logs", sample, nil)
	require.NoError(t, err)
	assert.False(t, res.Stored)
	assert.NotContains(t, string(res.Record), "LN-123", "the tenant's own pii_fields entry")
	var fields []string
	for _, ch := range res.Changes {
		fields = append(fields, ch.Field+":"+ch.Action)
	}
	assert.Contains(t, fields, "resource_logs[0].log_records[0].attributes.loyalty_no:removed")

	rotated, err := admin.RotateAPIKey(ctx, "sdk-admin", time.Minute)
	require.NoError(t, err)
	require.NotNil(t, rotated.PreviousValidUntil)
	_, err = queryClient(t, c, rotated.Key).PrivacyPolicy(ctx)
	require.NoError(t, err)
	require.NoError(t, root.RevokeAPIKey(ctx, "sdk-admin"))
	_, err = queryClient(t, c, rotated.Key).PrivacyPolicy(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP 401")
}
