package client

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarshalEventID(t *testing.T) {
	raw, err := (&Event{Name: "signup", EventID: "0190b6a4-7d2e-7c1a-9f00-000000000001"}).marshal("")
	require.NoError(t, err)
	var w map[string]any
	require.NoError(t, json.Unmarshal(raw, &w))
	assert.Equal(t, "0190b6a4-7d2e-7c1a-9f00-000000000001", w["event_id"])
	raw, err = (&Event{Name: "signup"}).marshal("")
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "event_id", "the server chooses one")
}
