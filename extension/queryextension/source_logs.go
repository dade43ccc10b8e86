package queryextension

import (
	"context"
)

// logsSource aggregates telemetry_logs: log records and error records (severity ERROR or higher).
type logsSource struct{}

var logValues = map[string]string{
	"count":          "count()",
	"errors":         "countIf(err)",
	"weighted_count": "sum(1 / w)",
}

func (logsSource) plan(_ context.Context, q *querier, tenant string, r *aggRequest) (*aggPlan, error) {
	s := shape{File: "aggregate_logs.sql", Table: q.logs}
	s.setValue(logValues[r.aggregation])
	commonShape(&s, r, func(k string) (string, bool) {
		switch k {
		case groupService:
			return "service_name", true
		case groupSeverity:
			return "severity_text", true
		}
		return "", false
	})
	sql, err := q.r.render(s)
	if err != nil {
		return nil, err
	}
	p := &aggPlan{sql: sql, args: commonArgs(tenant, r), exact: true, meta: map[string]any{}}
	if r.aggregation == "weighted_count" {
		p.exact = false
		p.meta["weighted_by"] = "sample_rate"
		p.meta["notes"] = []string{weightedNote}
	}
	return p, nil
}
