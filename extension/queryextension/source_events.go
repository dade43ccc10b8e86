package queryextension

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// eventsSource aggregates telemetry_events: events and distinct (hashed) users.
type eventsSource struct{}

var eventValues = map[string]string{
	"count":        "count()",
	"unique_users": "uniqExact(if(u != '', u, NULL))", // NULLs are not counted
	// Each stored event stands for 1/sample_rate tracked ones (client-side sampling).
	"weighted_count": "sum(1 / w)",
}

func (eventsSource) plan(_ context.Context, q *querier, tenant string, r *aggRequest) (*aggPlan, error) {
	s := shape{File: "aggregate_events.sql", Table: q.events, EventNames: len(r.eventNames) > 0}
	s.setValue(eventValues[r.aggregation])
	commonShape(&s, r, func(k string) (string, bool) {
		switch k {
		case groupService:
			return "service_name", true
		case groupEventName:
			return "event_name", true
		}
		return "", false
	})
	sql, err := q.r.render(s)
	if err != nil {
		return nil, err
	}
	names := r.eventNames
	if names == nil {
		names = []string{}
	}
	p := &aggPlan{sql: sql, args: append(commonArgs(tenant, r), clickhouse.Named("events", names)), exact: true,
		meta: map[string]any{"event_names": names}}
	if r.aggregation == "weighted_count" {
		p.exact = false
		p.meta["weighted_by"] = "sample_rate"
		p.meta["notes"] = []string{weightedNote}
	}
	if r.aggregation == "unique_users" {
		p.meta["distinct_by"] = "user_id"
		p.meta["notes"] = []string{
			"user_id values are stored as keyed hashes when pii_redaction hashes identifiers; distinct users are distinct hashes",
			"events without a user_id are not counted",
		}
	}
	return p, nil
}
