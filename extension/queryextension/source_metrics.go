package queryextension

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Metric types as telemetry_metrics.metric_type names them.
const (
	typeGauge        = "gauge"
	typeSum          = "sum"
	typeHistogram    = "histogram"
	typeExpHistogram = "exponential_histogram"
	typeSummary      = "summary"
)

var quantiles = map[string]float64{"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}

// metricValues: the SQL aggregate over pts (v: value or increase, c: observations, mn/mx) of
// each aggregation per metric type; absent means the aggregation does not apply (README table).
var metricValues = map[string]map[string]string{
	typeGauge: {
		"sum": "sum(v)", "avg": "avg(v)", "min": "min(v)", "max": "max(v)", "count": "count()",
		"p50": "quantileExact(0.5)(v)", "p90": "quantileExact(0.9)(v)", "p95": "quantileExact(0.95)(v)", "p99": "quantileExact(0.99)(v)",
	},
	typeSum: {
		"sum": "sum(v)", "avg": "avg(v)", "min": "min(v)", "max": "max(v)", "count": "count()", "rate": "sum(v)",
	},
	typeHistogram: {
		"sum": "sum(v)", "count": "sum(c)", "avg": "if(sum(c) = 0, nan, sum(v) / sum(c))",
		"min": "ifNull(min(mn), nan)", "max": "ifNull(max(mx), nan)", "rate": "sum(c)",
		// Percentiles rank groups by observations and are computed from the merged buckets.
		"p50": "sum(c)", "p90": "sum(c)", "p95": "sum(c)", "p99": "sum(c)",
	},
	typeExpHistogram: {
		"sum": "sum(v)", "count": "sum(c)", "avg": "if(sum(c) = 0, nan, sum(v) / sum(c))", "rate": "sum(c)",
		"min": "ifNull(min(mn), nan)", "max": "ifNull(max(mx), nan)",
		// Percentiles rank groups by observations and are computed from the merged buckets (ExpQ).
		"p50": "sum(c)", "p90": "sum(c)", "p95": "sum(c)", "p99": "sum(c)",
	},
	typeSummary: {
		"sum": "sum(v)", "count": "sum(c)", "avg": "if(sum(c) = 0, nan, sum(v) / sum(c))", "rate": "sum(c)",
	},
}

// expQuantileNote says how close a percentile of an exponential histogram is.
const expQuantileNote = "approximate: the percentile is the geometric midpoint of the exponential histogram bucket holding " +
	"that rank, within a relative error of 2^(2^-scale/2) - 1 (2.2 % at scale 4, 1.1 % at scale 5)"

// metricsSource aggregates one metric of telemetry_metrics.
type metricsSource struct{}

func (metricsSource) plan(ctx context.Context, q *querier, tenant string, r *aggRequest) (*aggPlan, error) {
	typ, unit, cumulative, err := q.metricType(ctx, tenant, r)
	if err != nil {
		return nil, err
	}
	p := &aggPlan{meta: map[string]any{"metric_name": r.metric, "metric_type": typ, "unit": unit}, exact: true}
	if typ == "" {
		return p, nil // no points: an empty answer
	}
	value, ok := metricValues[typ][r.aggregation]
	if !ok {
		return nil, badParam("aggregation", "%s does not apply to %s metric %q", r.aggregation, typ, r.metric)
	}
	s := shape{File: "aggregate_metrics.sql", Table: q.metrics,
		Cumulative: cumulative && (typ == typeSum || typ == typeHistogram || typ == typeExpHistogram || typ == typeSummary)}
	s.setValue(value)
	if qv, isQ := quantiles[r.aggregation]; isQ && typ == typeHistogram {
		s.Hist, p.quantile, p.exact = true, qv, false
	}
	if qv, isQ := quantiles[r.aggregation]; isQ && typ == typeExpHistogram {
		s.ExpQ, p.expQ, p.exact = strconv.FormatFloat(qv, 'f', -1, 64), true, false
		p.meta["notes"] = []string{expQuantileNote}
	}
	p.rate = r.aggregation == "rate"
	commonShape(&s, r, func(k string) (string, bool) {
		if k == groupService {
			return "service_name", true
		}
		return "", false
	})
	if p.sql, err = q.r.render(s); err != nil {
		return nil, err
	}
	p.args = append(commonArgs(tenant, r), clickhouse.Named("metric", r.metric), clickhouse.Named("type", typ))
	return p, nil
}

// metricType is the type of r's metric ("" if it has no point in the selection), its unit, and
// whether any of its points are cumulative.
func (q *querier) metricType(ctx context.Context, tenant string, r *aggRequest) (typ, unit string, cumulative bool, err error) {
	s := shape{File: "metric_types.sql", Table: q.metrics, Service: r.hasService, NFilters: len(r.filters)}
	sql, err := q.r.render(s)
	if err != nil {
		return "", "", false, err
	}
	ctx, cancel := q.ctx(ctx, false)
	defer cancel()
	rows, err := q.conn.Query(ctx, sql, append(commonArgs(tenant, r), clickhouse.Named("metric", r.metric))...)
	if err != nil {
		if err = classify(err); errors.Is(err, errNoTables) {
			return "", "", false, nil
		}
		return "", "", false, err
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&typ, &unit, &cumulative); err != nil {
			return "", "", false, fmt.Errorf("read metric type: %w", err)
		}
	}
	return typ, unit, cumulative, classify(rows.Err())
}
