package queryextension

import (
	"context"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// aggSource is one table /metrics/aggregate reads (source=metrics, source=events). Another source
// — spans weighted by their sample rate — is one more implementation in newSources.
type aggSource interface {
	// plan checks that r's aggregation applies and returns the query to run; a plan with empty
	// sql means there is nothing to read (an unknown metric).
	plan(ctx context.Context, q *querier, tenant string, r *aggRequest) (*aggPlan, error)
}

// aggPlan is one aggregate query and how to read its values.
type aggPlan struct {
	sql   string
	args  []any
	exact bool
	// quantile > 0: values are percentiles computed from merged histogram buckets (hbs, hbd, ...).
	quantile float64
	// expQ: values are percentiles of exponential histogram buckets, computed by ClickHouse (qv).
	expQ bool
	// rate: val is divided by the seconds of its bucket that lie in the range.
	rate bool
	// meta are source-specific response fields (metric_type, unit, distinct_by, notes).
	meta map[string]any
}

func newSources() map[string]aggSource {
	return map[string]aggSource{sourceMetrics: metricsSource{}, sourceEvents: eventsSource{}, sourceSpans: spansSource{}, sourceLogs: logsSource{}}
}

// commonShape fills what every aggregate shares: buckets, group keys, filters and top-N.
func commonShape(s *shape, r *aggRequest, keyExpr func(string) (string, bool)) {
	s.All, s.Unit = r.interval.all, r.interval.unit
	var keys []string
	for i, k := range r.groupBy {
		if e, ok := keyExpr(k); ok {
			keys = append(keys, e)
		} else {
			keys = append(keys, fmt.Sprintf("attributes[@g%d]", i))
		}
	}
	s.Keys = strings.Join(keys, "\x00")
	s.Service, s.NFilters = r.hasService, len(r.filters)
	s.TopN = len(r.groupBy) > 0
}

// commonArgs are the values of commonShape's placeholders.
func commonArgs(tenant string, r *aggRequest) []any {
	args := []any{
		clickhouse.Named("tenant", tenant),
		clickhouse.Named("start", r.start),
		clickhouse.Named("end", r.end),
		clickhouse.Named("n", r.interval.n),
		clickhouse.Named("tz", r.tz),
		clickhouse.Named("service", r.service),
		clickhouse.Named("topn", r.limit),
	}
	for i, k := range r.groupBy {
		args = append(args, clickhouse.Named(fmt.Sprintf("g%d", i), k))
	}
	for i, f := range r.filters {
		args = append(args, clickhouse.Named(fmt.Sprintf("f%dk", i), f.key), clickhouse.Named(fmt.Sprintf("f%dv", i), f.value))
	}
	return args
}
