package telemetryapiextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLiveTTLRules(t *testing.T) {
	engine := "MergeTree PARTITION BY toDate(timestamp) ORDER BY (tenant_id, timestamp) TTL toDateTime(timestamp) + toIntervalDay(90), toDateTime(timestamp) + toIntervalDay(30) WHERE tenant_id = 'eu' SETTINGS ttl_only_drop_parts = 1, index_granularity = 8192"
	ttl := liveTTL(engine)
	assert.Equal(t, "toDateTime(timestamp) + toIntervalDay(90), toDateTime(timestamp) + toIntervalDay(30) WHERE tenant_id = 'eu'", ttl)
	assert.Equal(t, []string{"toDateTime(timestamp) + toIntervalDay(90)", "toDateTime(timestamp) + toIntervalDay(30) WHERE tenant_id = 'eu'"}, splitTTL(ttl))
	assert.Equal(t, "toDateTime(timestamp) + toIntervalDay(30) WHERE tenant_id = 'eu'", tenantTTLRule("eu", 30))
	assert.Empty(t, liveTTL("MergeTree ORDER BY x SETTINGS index_granularity = 8192"))
	assert.Nil(t, splitTTL(""))
}
