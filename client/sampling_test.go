package client

import (
	"encoding/json"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/sampling"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSamplingThreshold: the client's t-value is the one the OTel sampling packages read back.
func TestSamplingThreshold(t *testing.T) {
	for _, rate := range []float64{0.5, 0.25, 0.1, 0.01, 0.001, 0.3333, 0.999} {
		tv := samplingThreshold(rate)
		th, err := sampling.TValueToThreshold(tv)
		require.NoError(t, err, "rate %v -> %q", rate, tv)
		assert.InDelta(t, rate, th.Probability(), 1e-12, "rate %v -> %q", rate, tv)
	}
	assert.Equal(t, "8", samplingThreshold(0.5))
	assert.Equal(t, "c", samplingThreshold(0.25))
	assert.Equal(t, "", samplingThreshold(1), "nothing sampled out, nothing stamped")
}

func TestMarshalStampsThresholdWithoutTouchingProperties(t *testing.T) {
	props := map[string]any{"plan": "pro"}
	ev := Event{Name: "signup", Properties: props}
	raw, err := ev.marshal(samplingThreshold(0.25))
	require.NoError(t, err)
	var w struct {
		Properties map[string]any `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(raw, &w))
	assert.Equal(t, map[string]any{"plan": "pro", SamplingThresholdProperty: "c"}, w.Properties)
	assert.Equal(t, map[string]any{"plan": "pro"}, props, "the caller's map is unchanged")

	raw, err = ev.marshal("")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &w))
	assert.NotContains(t, string(raw), SamplingThresholdProperty)
}
