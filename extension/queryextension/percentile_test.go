package queryextension

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHistQuantile(t *testing.T) {
	bounds := []float64{10, 50, 100}
	f := func(v float64) *float64 { return &v }
	cases := []struct {
		name          string
		q             float64
		counts        []uint64
		minV, maxV    *float64
		v, lo, hi     float64
		nbounds       uint64
		wantUndefined bool
	}{
		// 10 observations: rank ceil(0.5*10)=5 is the 5th of 6 in (10, 50].
		{name: "median inside a bucket", q: 0.5, counts: []uint64{2, 6, 2, 0}, v: 10 + 40*3.0/6, lo: 10, hi: 50, nbounds: 1},
		{name: "first bucket starts at min", q: 0.1, counts: []uint64{2, 6, 2, 0}, minV: f(4), v: 4 + 6*0.5, lo: 4, hi: 10, nbounds: 1},
		{name: "first bucket without min starts at 0", q: 0.1, counts: []uint64{2, 6, 2, 0}, v: 5, lo: 0, hi: 10, nbounds: 1},
		{name: "overflow bucket ends at max", q: 0.99, counts: []uint64{0, 0, 1, 1}, maxV: f(300), v: 300, lo: 100, hi: 300, nbounds: 1},
		{name: "overflow bucket without max", q: 0.99, counts: []uint64{0, 0, 1, 1}, v: 100, lo: 100, hi: 100, nbounds: 1},
		{name: "max clamps the last finite bucket", q: 1, counts: []uint64{0, 3, 0, 0}, maxV: f(20), v: 20, lo: 10, hi: 20, nbounds: 1},
		{name: "empty", q: 0.5, counts: []uint64{0, 0, 0, 0}, nbounds: 1, wantUndefined: true},
		{name: "mixed bounds", q: 0.5, counts: []uint64{1, 1, 1, 1}, nbounds: 2, wantUndefined: true},
		{name: "malformed", q: 0.5, counts: []uint64{1, 1}, nbounds: 1, wantUndefined: true},
	}
	for _, c := range cases {
		v, lo, hi := histQuantile(c.q, c.counts, bounds, c.minV, c.maxV, c.nbounds)
		if c.wantUndefined {
			assert.True(t, math.IsNaN(v), c.name)
			continue
		}
		assert.InDelta(t, c.v, v, 1e-12, c.name)
		assert.Equal(t, []float64{c.lo, c.hi}, []float64{lo, hi}, c.name)
	}
}

func TestChooseInterval(t *testing.T) {
	h := int64(3600_000)
	for _, c := range []struct {
		text string
		span int64
		want string
	}{
		{"auto", h, "1m"}, {"auto", 6 * h, "5m"}, {"auto", 24 * h, "5m"}, {"auto", 7 * 24 * h, "1h"},
		{"auto", 30 * 24 * h, "3h"}, {"auto", 400 * 24 * h, "1w"}, {"", h, "1m"}, {"90m", h, "90m"}, {"all", 400 * 24 * h, "all"},
	} {
		iv, err := chooseInterval(c.text, c.span, 11000)
		assert.NoError(t, err, c.text)
		assert.Equal(t, c.want, iv.text, "%s over %dh", c.text, c.span/h)
	}
	_, err := chooseInterval("1m", 30*24*h, 11000)
	assert.ErrorContains(t, err, "43201 buckets")
}
