package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

func queryClient(t *testing.T, c *collector, key string) *client.Client {
	t.Helper()
	cfg := client.DefaultConfig()
	cfg.Endpoint, cfg.APIKey = "http://"+c.api, key
	tc, err := client.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tc.Close(context.Background()) })
	return tc
}

// TestQueryClientThroughCollector (issue #11): the Go client's GetMetrics, GetAggregatedMetrics and
// ExportMetrics — the spec's TelemetryService calls — against the built collector.
func TestQueryClientThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	m := newQueryModel()
	m.send(t, c)
	ctx := context.Background()
	viewer, analyst := queryClient(t, c, qAcmeViewer), queryClient(t, c, qAcmeAnalyst)
	sel := client.Selection{StartTime: m.t0, EndTime: m.t0.Add(6 * time.Hour)}

	// get_metrics(metric_names=[...], start_time, end_time), every page.
	got := map[pointKey]float64{}
	req := client.MetricsRequest{Selection: sel, MetricNames: []string{"api_requests", "queue_depth"}, Limit: 50}
	for {
		page, err := viewer.GetMetrics(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, "acme", page.Tenant)
		for _, s := range page.Series {
			for _, p := range s.Points {
				got[pointKey{s.Name, s.Service, labelsKey(s.Labels), p.Time.UnixMilli()}] = p.Value
			}
		}
		if page.NextCursor == "" {
			break
		}
		req.Cursor = page.NextCursor
	}
	assert.Equal(t, m.expectedPoints(), got)

	// get_aggregated_metrics(metric_name="api_requests", aggregation="sum", group_by="endpoint", interval="1h")
	agg, err := viewer.GetAggregatedMetrics(ctx, client.AggregateRequest{Selection: sel, MetricName: "api_requests",
		Aggregation: "sum", GroupBy: []string{"endpoint"}, Interval: "1h"})
	require.NoError(t, err)
	assert.Equal(t, "sum", agg.MetricType)
	require.Len(t, agg.Series, 3)
	for _, s := range agg.Series {
		e := map[string]int{"/api/users": 0, "/api/orders": 1, "/api/cart": 2}[s.Group["endpoint"]]
		require.Len(t, s.Points, 6)
		for _, p := range s.Points {
			var want float64
			for i := range m.steps {
				if m.ts(i).Truncate(time.Hour).Equal(p.Time) {
					want += float64(m.requests(i, 0, e) + m.requests(i, 1, e))
				}
			}
			assert.Equal(t, want, p.Value, "%s at %s", s.Group["endpoint"], p.Time)
		}
	}
	ev, err := viewer.GetAggregatedMetrics(ctx, client.AggregateRequest{Selection: sel, Source: "events",
		Aggregation: "unique_users", Interval: "all"})
	require.NoError(t, err)
	require.Len(t, ev.Series, 1)
	assert.Equal(t, 5.0, ev.Series[0].Points[0].Value, "user-0 ... user-4")

	// Errors keep their parameter; roles are enforced.
	_, err = viewer.GetAggregatedMetrics(ctx, client.AggregateRequest{MetricName: "api_requests", Aggregation: "median"})
	require.ErrorIs(t, err, client.ErrInvalidQuery)
	var apiErr *client.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "aggregation", apiErr.Field)
	_, err = viewer.ExportMetrics(ctx, client.ExportRequest{MetricNames: []string{"api_requests"}}, &bytes.Buffer{})
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusForbidden, apiErr.Status)

	// Export, compressed and capped.
	for _, gz := range []bool{false, true} {
		var buf bytes.Buffer
		res, err := analyst.ExportMetrics(ctx, client.ExportRequest{Selection: sel, MetricNames: []string{"api_requests", "queue_depth"},
			Format: "ndjson", Gzip: gz}, &buf)
		require.NoError(t, err)
		assert.Equal(t, client.ExportResult{Filename: res.Filename, Rows: len(got), TotalRows: len(got)}, *res)
		assert.Contains(t, res.Filename, ".ndjson")
		parsed, _ := parseExport(t, "ndjson", buf.Bytes())
		assert.Equal(t, got, parsed, "gzip=%v", gz)
	}
	var buf bytes.Buffer
	res, err := analyst.ExportMetrics(ctx, client.ExportRequest{Selection: sel, MetricNames: []string{"api_requests"}, MaxRows: 3}, &buf)
	require.NoError(t, err)
	assert.True(t, res.Truncated)
	assert.Equal(t, 3, res.Rows)
	assert.Equal(t, 108, res.TotalRows)
}
