package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Keys of testdata/query-tenants.yaml.
const (
	qAcmeIngest   = "e2e-q-acme-ingest-key-0001"
	qAcmeViewer   = "e2e-q-acme-viewer-key-0001"
	qAcmeAnalyst  = "e2e-q-acme-analyst-key-001"
	qAcmePrivacy  = "e2e-q-acme-privacy-key-001"
	qGlobexIngest = "e2e-q-globex-ingest-key-01"
	qGlobexViewer = "e2e-q-globex-viewer-key-01"
)

func startQueryCollector(t *testing.T) *collector {
	t.Helper()
	return startCollector(t, collectorOptions{
		env:  map[string]string{"TELEMETRY_PRIVACY_MODE": "balanced"},
		args: []string{"--config", filepath.Join(repoRoot, "test/e2e/testdata/query-tenants.yaml")},
	})
}

// exportMetrics sends rm through the OTel Go SDK's OTLP/HTTP metric exporter with key, the way an
// instrumented service's periodic reader does, but with the test's own timestamps.
func exportMetrics(t *testing.T, c *collector, key string, rm *metricdata.ResourceMetrics) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(c.otlpHTTP), otlpmetrichttp.WithInsecure(),
		otlpmetrichttp.WithHeaders(map[string]string{"Authorization": "Bearer " + key}))
	require.NoError(t, err)
	require.NoError(t, exp.Export(ctx, rm))
	require.NoError(t, exp.Shutdown(ctx))
}

func resourceMetrics(service string, ms ...metricdata.Metrics) *metricdata.ResourceMetrics {
	return &metricdata.ResourceMetrics{
		Resource:     sdkResource(service),
		ScopeMetrics: []metricdata.ScopeMetrics{{Scope: instrumentation.Scope{Name: "e2e-query"}, Metrics: ms}},
	}
}

func attrs(kv ...string) attribute.Set {
	var out []attribute.KeyValue
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, attribute.String(kv[i], kv[i+1]))
	}
	return attribute.NewSet(out...)
}

// aggAnswer is the /metrics/aggregate response as the tests read it.
type aggAnswer struct {
	Tenant      string   `json:"tenant"`
	Source      string   `json:"source"`
	MetricType  string   `json:"metric_type"`
	Aggregation string   `json:"aggregation"`
	Exact       bool     `json:"exact"`
	Interval    string   `json:"interval"`
	DistinctBy  string   `json:"distinct_by"`
	Notes       []string `json:"notes"`
	Series      []struct {
		Group  map[string]string `json:"group"`
		Other  bool              `json:"other"`
		Points [][2]*float64     `json:"points"`
		Bounds [][3]*float64     `json:"bounds"`
	} `json:"series"`
}

// byGroup flattens an answer to group value(s) -> bucket ms -> value (nil for null).
func (a aggAnswer) byGroup(key string) map[string]map[int64]*float64 {
	out := map[string]map[int64]*float64{}
	for _, s := range a.Series {
		g := s.Group[key]
		if s.Other {
			g = "<other>"
		}
		m := map[int64]*float64{}
		for _, p := range s.Points {
			m[int64(*p[0])] = p[1]
		}
		out[g] = m
	}
	return out
}

func (c *collector) query(t *testing.T, key, path string, q url.Values) httpReply {
	t.Helper()
	return send(t, http.MethodGet, c.apiURL(path+"?"+q.Encode()), key, nil, nil)
}

func (c *collector) aggregate(t *testing.T, key string, q url.Values) aggAnswer {
	t.Helper()
	r := c.query(t, key, "/metrics/aggregate", q)
	require.Equal(t, http.StatusOK, r.status, "%s: %s", q.Encode(), r.body)
	var a aggAnswer
	require.NoError(t, json.Unmarshal(r.body, &a), "%s", r.body)
	return a
}

func ms(t time.Time) string { return t.UTC().Format(time.RFC3339) }
