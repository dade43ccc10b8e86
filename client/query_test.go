package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetAggregatedMetricsRequestAndAnswer(t *testing.T) {
	var gotQuery, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery, gotAuth = r.URL.RawQuery, r.Header.Get("Authorization")
		if r.URL.Query().Get("aggregation") == "median" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"invalid_parameter","message":"aggregation: no","field":"aggregation"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"tenant":"acme","metric_type":"histogram","exact":false,"series":[{"group":{"endpoint":"/a"},
			"points":[[1772323200000,12.5],[1772326800000,null]],"bounds":[[1772323200000,10,50],[1772326800000,null,null]]}]}`))
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Endpoint, cfg.APIKey = srv.URL+"/", "k"
	c, err := New(cfg)
	require.NoError(t, err)
	defer c.Close(context.Background())

	res, err := c.GetAggregatedMetrics(context.Background(), AggregateRequest{MetricName: "api_requests", Aggregation: "p95",
		GroupBy: []string{"endpoint", "service"}, Interval: "1h", Selection: Selection{Attributes: map[string]string{"region": "eu"}}})
	require.NoError(t, err)
	assert.Equal(t, "Bearer k", gotAuth)
	assert.Equal(t, "aggregation=p95&attr.region=eu&group_by=endpoint%2Cservice&interval=1h&metric_name=api_requests", gotQuery)
	require.Len(t, res.Series, 1)
	s := res.Series[0]
	assert.Equal(t, 12.5, s.Points[0].Value)
	assert.Equal(t, int64(1772323200000), s.Points[0].Time.UnixMilli())
	assert.True(t, s.Points[1].Null)
	assert.Equal(t, 50.0, s.Bounds[0].Hi)

	_, err = c.GetAggregatedMetrics(context.Background(), AggregateRequest{MetricName: "x", Aggregation: "median"})
	require.ErrorIs(t, err, ErrInvalidQuery)
	var apiErr *APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, APIError{Status: 400, Code: "invalid_parameter", Message: "aggregation: no", Field: "aggregation"}, *apiErr)
}
