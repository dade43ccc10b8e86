package eventsreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func TestEventAsLogs(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	ld, err := EventAsLogs([]byte(`{"event_name":"checkout","user_id":"u1","properties":{"value":99.99}}`), "eu", at)
	require.NoError(t, err)
	require.Equal(t, 1, ld.LogRecordCount())
	rl := ld.ResourceLogs().At(0)
	tenant, _ := rl.Resource().Attributes().Get(telemetryapi.TenantAttribute)
	assert.Equal(t, "eu", tenant.Str())
	lr := rl.ScopeLogs().At(0).LogRecords().At(0)
	name, ok := lr.Attributes().Get("event.name")
	require.True(t, ok)
	assert.Equal(t, "checkout", name.Str())

	_, err = EventAsLogs([]byte(`{"properties":{}}`), "eu", at)
	assert.ErrorContains(t, err, "event_name")
	_, err = EventAsLogs([]byte(`[1,2`), "eu", at)
	assert.Error(t, err)
}
