package queryextension

import (
	"context"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// spansSource aggregates telemetry_spans: spans, traces (root spans) and error spans, as stored or
// weighted by each span's sample_rate (the probability tail sampling kept its trace with), which
// estimates the traffic before sampling.
type spansSource struct{}

var spanValues = map[string]string{
	"count":           "count()",
	"traces":          "countIf(root)",
	"errors":          "countIf(err)",
	"weighted_count":  "sum(1 / w)",
	"weighted_traces": "sumIf(1 / w, root)",
	"weighted_errors": "sumIf(1 / w, err)",
}

// weightedNote says what a weighted aggregate is.
const weightedNote = "weighted by 1/sample_rate: an unbiased estimate of the records before sampling (records kept for certain, such as error and slow traces, weigh 1)"

// spanColumnKey is the column a span group key names, "" for an attribute key.
func spanColumnKey(k string) string {
	switch k {
	case "span_name":
		return "span_name"
	case "status_code":
		return "toString(status_code)"
	case "span_kind":
		return "toString(span_kind)"
	}
	return ""
}

func (spansSource) plan(_ context.Context, q *querier, tenant string, r *aggRequest) (*aggPlan, error) {
	s := shape{File: "aggregate_spans.sql", Table: q.spans, EventNames: len(r.spanNames) > 0}
	// setValue, not Value: with group_by the top-N query ranks by the value's partial states.
	s.setValue(spanValues[r.aggregation])
	commonShape(&s, r, func(k string) (string, bool) {
		if k == groupService {
			return "service_name", true
		}
		if c := spanColumnKey(k); c != "" {
			return c, true
		}
		return "", false
	})
	sql, err := q.r.render(s)
	if err != nil {
		return nil, err
	}
	names := r.spanNames
	if names == nil {
		names = []string{}
	}
	p := &aggPlan{sql: sql, args: append(commonArgs(tenant, r), clickhouse.Named("names", names)), exact: true, meta: map[string]any{"span_names": names}}
	if strings.HasPrefix(r.aggregation, "weighted_") {
		p.exact = false
		p.meta["weighted_by"] = "sample_rate"
		p.meta["notes"] = []string{weightedNote}
	}
	return p, nil
}
