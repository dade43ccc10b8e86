package datarightsextension

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReceiptSignature(t *testing.T) {
	key := []byte("receipt-key-0123456789abcdef012345")
	at := time.Date(2026, 12, 2, 14, 0, 0, 123e6, time.UTC)
	r := Receipt{Version: 1, RequestID: "r1", Tenant: "acme", Subject: "dsr:00", AcceptedAt: at, FinishedAt: at.Add(time.Second),
		Tables: []TableCount{{Table: "telemetry_events", Action: "deleted", MatchedBefore: 3}}}
	r.sign(key)
	assert.True(t, r.verify(key))
	// Stored as JSON and read back, the signature still holds.
	raw, err := json.Marshal(r)
	require.NoError(t, err)
	var back Receipt
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.True(t, back.verify(key))

	assert.False(t, r.verify([]byte("another-key-0123456789abcdef0123456")))
	tampered := back
	tampered.Tables = []TableCount{{Table: "telemetry_events", Action: "deleted", MatchedBefore: 2}}
	assert.False(t, tampered.verify(key), "a changed count breaks the signature")
	tampered = back
	tampered.Signature = "zz"
	assert.False(t, tampered.verify(key))
}
