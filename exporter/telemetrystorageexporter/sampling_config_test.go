package telemetrystorageexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSamplingConfigValidate(t *testing.T) {
	ok := defaultSamplingConfig()
	ok.Enabled, ok.Instance = true, "gateway-1"
	for _, tc := range []struct {
		name   string
		mutate func(*SamplingConfig)
		errs   []string
	}{
		{"default", func(*SamplingConfig) {}, nil},
		{"disabled ignores the rest", func(c *SamplingConfig) { *c = SamplingConfig{} }, nil},
		{"bad values", func(c *SamplingConfig) {
			c.Rate, c.SlowThresholdMs, c.DecisionWait, c.Interval, c.Instance = 1.5, -1, 0, time.Millisecond, ""
		}, []string{"sampling::rate", "sampling::slow_threshold_ms", "sampling::decision_wait", "sampling::interval", "sampling::instance"}},
		{"late spans beyond the staging retention", func(c *SamplingConfig) { c.LateSpans = 48 * time.Hour }, []string{"sampling::late_spans"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			err := c.validate()
			if tc.errs == nil {
				assert.NoError(t, err)
				return
			}
			for _, e := range tc.errs {
				assert.ErrorContains(t, err, e)
			}
		})
	}
}
