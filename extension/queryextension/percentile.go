package queryextension

import (
	"math"
)

// histQuantile estimates the q-quantile of the observations counted in an explicit-bounds
// histogram (counts has len(bounds)+1 buckets; bucket i holds (bounds[i-1], bounds[i]]). The
// observation of rank ⌈q·n⌉ lies in the bucket where the running count reaches that rank:
// lo and hi are that bucket's edges (the outer edges are the recorded min and max when known),
// and the estimate interpolates linearly inside it. NaN when nothing was observed or the
// merged points had different bounds (nbounds > 1).
func histQuantile(q float64, counts []uint64, bounds []float64, minV, maxV *float64, nbounds uint64) (v, lo, hi float64) {
	nan := math.NaN()
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 || nbounds > 1 || len(counts) != len(bounds)+1 {
		return nan, nan, nan
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var cum uint64
	for i, c := range counts {
		if c == 0 || cum+c < rank {
			cum += c
			continue
		}
		switch {
		case i > 0:
			lo = bounds[i-1]
		case minV != nil:
			lo = *minV
		case len(bounds) > 0 && bounds[0] <= 0:
			lo = bounds[0] // the first bucket is (-inf, b0]; no better lower edge is known
		default:
			lo = 0
		}
		switch {
		case i < len(bounds):
			hi = bounds[i]
		case maxV != nil:
			hi = *maxV
		default:
			hi = bounds[len(bounds)-1] // (b_last, +inf): no better upper edge is known
		}
		if minV != nil && *minV > lo {
			lo = *minV
		}
		if maxV != nil && *maxV < hi {
			hi = *maxV
		}
		hi = max(hi, lo)
		frac := float64(rank-cum) / float64(c)
		return lo + (hi-lo)*frac, lo, hi
	}
	return nan, nan, nan
}
