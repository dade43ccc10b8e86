package queryextension

import (
	"net/url"
	"testing"
)

// BenchmarkParseAggregate: the parser runs on every aggregate request.
func BenchmarkParseAggregate(b *testing.B) {
	v, _ := url.ParseQuery("metric_name=api_requests&aggregation=p95&group_by=endpoint,service&interval=1h" +
		"&start_time=2026-02-28T00:00:00Z&end_time=2026-03-01T00:00:00Z&attr.region=eu&tz=Europe/Berlin&limit=10&fill=zero")
	l := testLimits()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAggregate(v, l, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHistQuantile: one percentile per bucket and group of a histogram aggregate.
func BenchmarkHistQuantile(b *testing.B) {
	bounds := []float64{5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}
	counts := []uint64{3, 9, 40, 120, 300, 280, 150, 60, 20, 9, 5, 2, 1, 0, 1}
	minV, maxV := 1.0, 12000.0
	b.ReportAllocs()
	for b.Loop() {
		histQuantile(0.95, counts, bounds, &minV, &maxV, 1)
	}
}

// BenchmarkRenderCached: every request renders its shape; after the first it is a map lookup.
func BenchmarkRenderCached(b *testing.B) {
	r := newRenderer()
	s := shape{File: "aggregate_metrics.sql", Table: "`t`.`telemetry_metrics`", Unit: "HOUR", Keys: "attributes[@g0]", NFilters: 2, TopN: true}
	s.setValue("quantileExact(0.95)(v)")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.render(s); err != nil {
			b.Fatal(err)
		}
	}
}
