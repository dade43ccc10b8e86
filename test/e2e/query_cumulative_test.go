package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestQueryCumulativeHistogram aggregates a cumulative histogram (the OTel SDKs' default temporality,
// and what span_metrics emits): every aggregation answers from the increases between points. On
// ClickHouse 24+ mixed integer branches of if() became a Variant that sum() refused (500).
func TestQueryCumulativeHistogram(t *testing.T) {
	c := startQueryCollector(t)
	t0 := time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)
	bounds := []float64{10, 50, 100, 500}
	point := func(at time.Duration, count uint64, sum float64, buckets []uint64) metricdata.HistogramDataPoint[float64] {
		return metricdata.HistogramDataPoint[float64]{Attributes: attrs("endpoint", "/cum"), StartTime: t0,
			Time: t0.Add(at), Count: count, Sum: sum, Bounds: bounds, BucketCounts: buckets}
	}
	// Two exports of one series: 4 observations (sum 100), then 6 more (sum 300 more), the last in (100, 500].
	for _, p := range []metricdata.HistogramDataPoint[float64]{
		point(10*time.Minute, 4, 100, []uint64{1, 2, 1, 0, 0}),
		point(30*time.Minute, 10, 400, []uint64{2, 4, 3, 1, 0}),
	} {
		exportMetrics(t, c, qAcmeIngest, resourceMetrics("shop", metricdata.Metrics{Name: "cum_latency", Unit: "ms",
			Data: metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality, DataPoints: []metricdata.HistogramDataPoint[float64]{p}}}))
	}
	eventuallyCount(t, c.db(), 2, "SELECT count() FROM telemetry_metrics WHERE tenant_id = 'acme' AND metric_name = 'cum_latency'")

	q := func(agg string) url.Values {
		return url.Values{"metric_name": {"cum_latency"}, "aggregation": {agg}, "interval": {"1h"},
			"start_time": {ms(t0)}, "end_time": {ms(t0.Add(time.Hour))}}
	}
	value := func(agg string) float64 {
		a := c.aggregate(t, qAcmeViewer, q(agg))
		require.Len(t, a.Series, 1, agg)
		require.Len(t, a.Series[0].Points, 1, agg)
		require.NotNil(t, a.Series[0].Points[0][1], agg)
		return *a.Series[0].Points[0][1]
	}
	assert.Equal(t, 10.0, value("count"), "observations: 4, then 6 more")
	assert.Equal(t, 400.0, value("sum"))
	assert.Equal(t, 40.0, value("avg"))
	// Nearest rank of 0.95 over 10 observations is the 10th, the one in (100, 500].
	p95 := value("p95")
	assert.True(t, p95 > 100 && p95 <= 500, "p95 %v in (100, 500]", p95)
}
