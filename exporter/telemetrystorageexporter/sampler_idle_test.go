package telemetrystorageexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestSamplerIdle: a run is skipped only when the last run finished and looked decision_wait (plus
// the overlap and a margin) past everything staged and past the sampler's start.
func TestSamplerIdle(t *testing.T) {
	const wait = 10 * time.Second
	base := time.Now().UnixMilli()
	s := &sampler{st: &storage{}, cfg: SamplingConfig{DecisionWait: wait}, started: base, offset: 500}
	// after is how far past a local time the engine's clock (500 ms ahead) must be for the last
	// run to have covered it.
	after := (wait + samplerOverlap + samplerIdleMargin).Milliseconds() + 500

	assert.False(t, s.idle(), "before the first run")
	s.prev = base + after + 1
	assert.True(t, s.idle(), "nothing staged since the start, which the last run covered")
	s.prev = base + after
	assert.False(t, s.idle(), "rows staged by an earlier process may still wait (the start is not covered yet)")

	s.prev = base + 60_000 + after + 1
	s.st.stagedAt.Store(base + 60_000)
	assert.True(t, s.idle(), "the last staged spans were decided")
	s.st.stagedAt.Store(base + 60_001)
	assert.False(t, s.idle(), "a span staged later may still wait")
	s.st.stagedAt.Store(base)
	s.recovering = true
	assert.False(t, s.idle(), "the last run failed: the next one resumes it")
}
