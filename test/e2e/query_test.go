package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-telemetry/otelcol-telemetry/client"
)

// queryModel is what TestQueryAPIThroughCollector sends, kept so every expected answer is computed
// here, independently of the collector: six hours of points from T0, every 20 minutes.
type queryModel struct {
	t0        time.Time
	steps     int
	services  []string
	endpoints []string
	regions   []string
	bounds    []float64
	events    []client.Event
}

func newQueryModel() *queryModel {
	return &queryModel{
		// Yesterday 00:00 UTC: in the retention window, and six hours fit before now.
		t0:        time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour),
		steps:     18,
		services:  []string{"shop", "billing"},
		endpoints: []string{"/api/users", "/api/orders", "/api/cart"},
		regions:   []string{"eu", "us"},
		bounds:    []float64{10, 50, 100, 500},
	}
}

func (m *queryModel) ts(i int) time.Time { return m.t0.Add(time.Duration(i) * 20 * time.Minute) }

// requests is the delta api_requests value of step i, service s, endpoint e.
func (m *queryModel) requests(i, s, e int) int64 { return int64((i%5+1)*(e+1) + s*3) }

func (m *queryModel) depth(i, r int) float64 { return float64((i*7+r*3)%11) + 0.5 }

// observations of response_time at step i for endpoint e.
func (m *queryModel) observations(i, e int) []float64 {
	obs := []float64{5 + float64(i), 30 + 2*float64(i), 75 + 3*float64(i+e)}
	if i%2 == 0 {
		obs = append(obs, 200+10*float64(i))
	}
	if (i+e)%3 == 0 {
		obs = append(obs, 700+float64(i))
	}
	return obs
}

// obsCount is what step i adds to the exponential histogram and the summary.
func (m *queryModel) obsCount(i int) uint64 { return uint64(i%3 + 1) }

// cumInc is the increase of the cumulative counter at step i; the series restarts at step 9.
func (m *queryModel) cumInc(i int) int64 { return int64(i%4 + 1) }

func (m *queryModel) send(t *testing.T, c *collector) {
	for s, svc := range m.services {
		var req []metricdata.DataPoint[int64]
		for i := range m.steps {
			for e, ep := range m.endpoints {
				req = append(req, metricdata.DataPoint[int64]{Attributes: attrs("endpoint", ep),
					StartTime: m.ts(i).Add(-20 * time.Minute), Time: m.ts(i), Value: m.requests(i, s, e)})
			}
		}
		ms := []metricdata.Metrics{{Name: "api_requests", Unit: "{requests}",
			Data: metricdata.Sum[int64]{Temporality: metricdata.DeltaTemporality, IsMonotonic: true, DataPoints: req}}}
		if svc == "shop" {
			var gauge []metricdata.DataPoint[float64]
			var hist []metricdata.HistogramDataPoint[float64]
			var cum []metricdata.DataPoint[int64]
			var cumHist []metricdata.HistogramDataPoint[float64]
			var expHist []metricdata.ExponentialHistogramDataPoint[float64]
			var summary []metricdata.SummaryDataPoint
			var runCount uint64
			var runSum float64
			cumCounts := make([]uint64, len(m.bounds)+1)
			var cumSum float64
			var total int64
			start := m.t0
			for i := range m.steps {
				for r, region := range m.regions {
					gauge = append(gauge, metricdata.DataPoint[float64]{Attributes: attrs("region", region), Time: m.ts(i), Value: m.depth(i, r)})
				}
				for e, ep := range m.endpoints[:2] {
					obs := m.observations(i, e)
					counts := make([]uint64, len(m.bounds)+1)
					var sum float64
					for _, o := range obs {
						counts[sort.SearchFloat64s(m.bounds, o)]++
						sum += o
					}
					hist = append(hist, metricdata.HistogramDataPoint[float64]{Attributes: attrs("endpoint", ep),
						StartTime: m.ts(i).Add(-20 * time.Minute), Time: m.ts(i), Count: uint64(len(obs)), Bounds: m.bounds,
						BucketCounts: counts, Sum: sum, Min: metricdata.NewExtrema(slices.Min(obs)), Max: metricdata.NewExtrema(slices.Max(obs))})
				}
				at := m.ts(i).Add(10 * time.Minute)
				if i == 9 { // a restart: new start time, the count starts over
					start, total = at.Add(-5*time.Minute), 0
				}
				total += m.cumInc(i)
				cum = append(cum, metricdata.DataPoint[int64]{StartTime: start, Time: at, Value: total})
				// The SDK's default: a cumulative histogram since T0 of the observations of endpoint 0.
				var n uint64
				for _, o := range m.observations(i, 0) {
					cumCounts[sort.SearchFloat64s(m.bounds, o)]++
					cumSum += o
				}
				for _, c := range cumCounts {
					n += c
				}
				cumHist = append(cumHist, metricdata.HistogramDataPoint[float64]{StartTime: m.t0, Time: at, Count: n,
					Bounds: m.bounds, BucketCounts: slices.Clone(cumCounts), Sum: cumSum})
				// Exponential histogram and summary, both counting since T0: step i adds m.obsCount(i)
				// observations of 10 each.
				runCount += m.obsCount(i)
				runSum += 10 * float64(m.obsCount(i))
				expHist = append(expHist, metricdata.ExponentialHistogramDataPoint[float64]{StartTime: m.t0, Time: at,
					Count: runCount, Sum: runSum, Scale: 0, PositiveBucket: metricdata.ExponentialBucket{Offset: 3, Counts: []uint64{runCount}}})
				summary = append(summary, metricdata.SummaryDataPoint{StartTime: m.t0, Time: at, Count: runCount, Sum: runSum,
					QuantileValues: []metricdata.QuantileValue{{Quantile: 0.5, Value: 10}}})
			}
			ms = append(ms,
				metricdata.Metrics{Name: "queue_depth", Data: metricdata.Gauge[float64]{DataPoints: gauge}},
				metricdata.Metrics{Name: "response_time", Unit: "ms", Data: metricdata.Histogram[float64]{
					Temporality: metricdata.DeltaTemporality, DataPoints: hist}},
				metricdata.Metrics{Name: "cum_requests", Data: metricdata.Sum[int64]{
					Temporality: metricdata.CumulativeTemporality, IsMonotonic: true, DataPoints: cum}},
				metricdata.Metrics{Name: "cum_latency", Unit: "ms", Data: metricdata.Histogram[float64]{
					Temporality: metricdata.CumulativeTemporality, DataPoints: cumHist}},
				metricdata.Metrics{Name: "exp_latency", Data: metricdata.ExponentialHistogram[float64]{
					Temporality: metricdata.CumulativeTemporality, DataPoints: expHist}},
				metricdata.Metrics{Name: "summary_latency", Data: metricdata.Summary{DataPoints: summary}})
		}
		exportMetrics(t, c, qAcmeIngest, resourceMetrics(svc, ms...))
	}
	// Another tenant's points with the same names and labels: they must never show up for acme.
	var other []metricdata.DataPoint[int64]
	for i := range m.steps {
		other = append(other, metricdata.DataPoint[int64]{Attributes: attrs("endpoint", "/api/globex"),
			StartTime: m.ts(i).Add(-20 * time.Minute), Time: m.ts(i), Value: 1_000_000})
	}
	exportMetrics(t, c, qGlobexIngest, resourceMetrics("shop", metricdata.Metrics{Name: "api_requests",
		Data: metricdata.Sum[int64]{Temporality: metricdata.DeltaTemporality, IsMonotonic: true, DataPoints: other}}))

	// Product events, every 15 minutes, through the Go client.
	names := []string{"signup", "checkout", "page_view"}
	for j := range 24 {
		ev := client.Event{Name: names[j%3], Properties: map[string]any{"plan": []string{"free", "pro"}[j%2]},
			Timestamp: m.t0.Add(time.Duration(j) * 15 * time.Minute)}
		if j%7 != 0 {
			ev.UserID = fmt.Sprintf("user-%d", j%5)
		}
		m.events = append(m.events, ev)
	}
	trackEvents(t, c, qAcmeIngest, m.events)
	trackEvents(t, c, qGlobexIngest, []client.Event{{Name: "globex_signup", UserID: "globex-user", Timestamp: m.t0}})

	conn := c.db()
	eventuallyCount(t, conn, uint64(m.steps*(2*3+2+2+1+1+2)), "SELECT count() FROM telemetry_metrics WHERE tenant_id = 'acme'")
	eventuallyCount(t, conn, uint64(m.steps), "SELECT count() FROM telemetry_metrics WHERE tenant_id = 'globex'")
	eventuallyCount(t, conn, 24, "SELECT count() FROM telemetry_events WHERE tenant_id = 'acme'")
	eventuallyCount(t, conn, 1, "SELECT count() FROM telemetry_events WHERE tenant_id = 'globex'")
}

func trackEvents(t *testing.T, c *collector, key string, evs []client.Event) {
	t.Helper()
	cfg := client.DefaultConfig()
	cfg.Endpoint, cfg.APIKey, cfg.SampleRate, cfg.ServiceName = "http://"+c.api, key, 1, "web"
	tc, err := client.New(cfg)
	require.NoError(t, err)
	for _, ev := range evs {
		require.NoError(t, tc.TrackEvent(context.Background(), ev))
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeWithin)
	defer cancel()
	require.NoError(t, tc.Close(ctx))
	require.Equal(t, int64(len(evs)), tc.Stats().Sent, "last error %v", tc.LastError())
}

// rangeQuery is the six hours of the model.
func (m *queryModel) rangeQuery(kv ...string) url.Values {
	q := url.Values{"start_time": {ms(m.t0)}, "end_time": {ms(m.t0.Add(6 * time.Hour))}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return q
}

func hourMs(t time.Time) int64 { return t.Truncate(time.Hour).UnixMilli() }

func requireValues(t *testing.T, want map[string]map[int64]float64, got map[string]map[int64]*float64, msg string) {
	t.Helper()
	require.Equal(t, len(want), len(got), "%s: groups %v", msg, got)
	for g, buckets := range want {
		require.Contains(t, got, g, msg)
		require.Equal(t, len(buckets), len(got[g]), "%s: buckets of %s", msg, g)
		for b, v := range buckets {
			require.NotNil(t, got[g][b], "%s: %s at %d", msg, g, b)
			assert.InDelta(t, v, *got[g][b], 1e-9*math.Max(1, math.Abs(v)), "%s: %s at %s", msg, g, time.UnixMilli(b).UTC())
		}
	}
}

// TestQueryAPIThroughCollector (issue #11): metrics and events with known values go in through the
// OTel Go SDK and the Go client; every aggregate the API answers equals what this test computes.
func TestQueryAPIThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	m := newQueryModel()
	m.send(t, c)

	t.Run("spec example: sum by endpoint per hour", func(t *testing.T) {
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "group_by", "endpoint", "interval", "1h"))
		assert.Equal(t, "sum", a.MetricType)
		assert.True(t, a.Exact)
		want := map[string]map[int64]float64{}
		for e, ep := range m.endpoints {
			want[ep] = map[int64]float64{}
			for i := range m.steps {
				for s := range m.services {
					want[ep][hourMs(m.ts(i))] += float64(m.requests(i, s, e))
				}
			}
		}
		requireValues(t, want, a.byGroup("endpoint"), "sum by endpoint")
		// Largest group first.
		assert.Equal(t, "/api/cart", a.Series[0].Group["endpoint"])
	})

	t.Run("rate by service per 2h", func(t *testing.T) {
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "api_requests", "aggregation", "rate", "group_by", "service", "interval", "2h"))
		want := map[string]map[int64]float64{}
		for s, svc := range m.services {
			want[svc] = map[int64]float64{}
			for i := range m.steps {
				b := m.ts(i).Truncate(2 * time.Hour).UnixMilli()
				for e := range m.endpoints {
					want[svc][b] += float64(m.requests(i, s, e)) / 7200
				}
			}
		}
		requireValues(t, want, a.byGroup("service"), "rate by service")
	})

	t.Run("top 1 endpoint and other, with a filter", func(t *testing.T) {
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "group_by", "endpoint",
			"interval", "all", "limit", "1", "attr.endpoint", "/api/users", "service", "shop"))
		require.Len(t, a.Series, 1)
		var sum float64
		for i := range m.steps {
			sum += float64(m.requests(i, 0, 0))
		}
		requireValues(t, map[string]map[int64]float64{"/api/users": {m.t0.UnixMilli(): sum}}, a.byGroup("endpoint"), "filtered")

		a = c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "group_by", "endpoint", "interval", "all", "limit", "1"))
		want := map[string]map[int64]float64{"/api/cart": {}, "<other>": {}}
		for i := range m.steps {
			for s := range m.services {
				want["/api/cart"][m.t0.UnixMilli()] += float64(m.requests(i, s, 2))
				want["<other>"][m.t0.UnixMilli()] += float64(m.requests(i, s, 0) + m.requests(i, s, 1))
			}
		}
		requireValues(t, want, a.byGroup("endpoint"), "top 1 + other")
		assert.True(t, a.Series[1].Other)
	})

	t.Run("gauge: exact avg, min, max, count and percentiles by region", func(t *testing.T) {
		for _, agg := range []string{"avg", "min", "max", "count", "sum", "p50", "p90", "p99"} {
			a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "queue_depth", "aggregation", agg, "group_by", "region", "interval", "1h"))
			assert.True(t, a.Exact, agg)
			values := map[string]map[int64][]float64{}
			for r, region := range m.regions {
				values[region] = map[int64][]float64{}
				for i := range m.steps {
					b := hourMs(m.ts(i))
					values[region][b] = append(values[region][b], m.depth(i, r))
				}
			}
			want := map[string]map[int64]float64{}
			for g, bs := range values {
				want[g] = map[int64]float64{}
				for b, vs := range bs {
					want[g][b] = reduce(agg, vs)
				}
			}
			requireValues(t, want, a.byGroup("region"), "queue_depth "+agg)
		}
	})

	t.Run("histogram: exact sum, count, avg; percentiles within the bucket bounds", func(t *testing.T) {
		obs := map[string]map[int64][]float64{}
		for e, ep := range m.endpoints[:2] {
			obs[ep] = map[int64][]float64{}
			for i := range m.steps {
				b := hourMs(m.ts(i))
				obs[ep][b] = append(obs[ep][b], m.observations(i, e)...)
			}
		}
		for _, agg := range []string{"sum", "count", "avg", "min", "max"} {
			a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "response_time", "aggregation", agg, "group_by", "endpoint", "interval", "1h"))
			want := map[string]map[int64]float64{}
			for g, bs := range obs {
				want[g] = map[int64]float64{}
				for b, vs := range bs {
					want[g][b] = reduce(agg, vs)
				}
			}
			requireValues(t, want, a.byGroup("endpoint"), "response_time "+agg)
		}
		for _, agg := range []string{"p50", "p95", "p99"} {
			a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "response_time", "aggregation", agg, "group_by", "endpoint", "interval", "1h"))
			assert.False(t, a.Exact, "histogram percentiles are approximate")
			require.Len(t, a.Series, 2)
			for _, s := range a.Series {
				require.Len(t, s.Bounds, len(s.Points))
				for k, p := range s.Points {
					vs := slices.Clone(obs[s.Group["endpoint"]][int64(*p[0])])
					slices.Sort(vs)
					q := map[string]float64{"p50": 0.5, "p95": 0.95, "p99": 0.99}[agg]
					truth := vs[max(int(math.Ceil(q*float64(len(vs))))-1, 0)] // nearest rank
					lo, hi := *s.Bounds[k][1], *s.Bounds[k][2]
					assert.LessOrEqual(t, lo, truth, "%s %v", agg, s.Group)
					assert.GreaterOrEqual(t, hi, truth, "%s %v", agg, s.Group)
					assert.True(t, *p[1] >= lo && *p[1] <= hi, "%s estimate %v in [%v, %v]", agg, *p[1], lo, hi)
				}
			}
		}
		r := c.query(t, qAcmeViewer, "/metrics/aggregate", m.rangeQuery("metric_name", "api_requests", "aggregation", "p99"))
		requireAPIError(t, r, http.StatusBadRequest, "invalid_parameter")
		assert.Equal(t, "aggregation", r.json()["error"].(map[string]any)["field"])
	})

	t.Run("cumulative counter: increases per hour, across a restart", func(t *testing.T) {
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "cum_requests", "aggregation", "sum", "interval", "1h"))
		want := map[string]map[int64]float64{"": {}}
		for i := range m.steps {
			want[""][hourMs(m.ts(i).Add(10*time.Minute))] += float64(m.cumInc(i))
		}
		requireValues(t, want, a.byGroup("x"), "cumulative")
	})

	t.Run("cumulative histogram: observations, sum and percentiles per hour", func(t *testing.T) {
		obs := map[int64][]float64{}
		for i := range m.steps {
			b := hourMs(m.ts(i).Add(10 * time.Minute))
			obs[b] = append(obs[b], m.observations(i, 0)...)
		}
		for _, agg := range []string{"count", "sum", "avg"} {
			a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "cum_latency", "aggregation", agg, "interval", "1h"))
			want := map[string]map[int64]float64{"": {}}
			for b, vs := range obs {
				want[""][b] = reduce(agg, vs)
			}
			requireValues(t, want, a.byGroup("x"), "cum_latency "+agg)
		}
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", "cum_latency", "aggregation", "p90", "interval", "1h"))
		require.Len(t, a.Series, 1)
		require.Len(t, a.Series[0].Points, len(obs))
		for k, p := range a.Series[0].Points {
			vs := slices.Clone(obs[int64(*p[0])])
			slices.Sort(vs)
			truth := vs[int(math.Ceil(0.9*float64(len(vs))))-1]
			lo, hi := *a.Series[0].Bounds[k][1], *a.Series[0].Bounds[k][2]
			assert.True(t, lo <= truth && truth <= hi && lo <= *p[1] && *p[1] <= hi, "p90 %v of %v: estimate %v in [%v, %v]", truth, vs, *p[1], lo, hi)
		}
	})

	t.Run("exponential histogram and summary: observations and sum per hour", func(t *testing.T) {
		for _, name := range []string{"exp_latency", "summary_latency"} {
			for _, agg := range []string{"count", "sum", "avg"} {
				a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", name, "aggregation", agg, "interval", "1h"))
				counts := map[int64]float64{}
				for i := range m.steps {
					counts[hourMs(m.ts(i).Add(10*time.Minute))] += float64(m.obsCount(i))
				}
				want := map[string]map[int64]float64{"": {}}
				for b, n := range counts {
					want[""][b] = map[string]float64{"count": n, "sum": 10 * n, "avg": 10}[agg]
				}
				requireValues(t, want, a.byGroup("x"), name+" "+agg)
			}
			if name == "summary_latency" {
				r := c.query(t, qAcmeViewer, "/metrics/aggregate", m.rangeQuery("metric_name", name, "aggregation", "p50"))
				requireAPIError(t, r, http.StatusBadRequest, "invalid_parameter")
				continue
			}
			// Percentiles of the exponential histogram come from its buckets: every observation (10) is in
			// bucket 3 at scale 0, (8, 16], whose geometric midpoint 2^3.5 is the estimate of each hour.
			a := c.aggregate(t, qAcmeViewer, m.rangeQuery("metric_name", name, "aggregation", "p50", "interval", "1h"))
			assert.False(t, a.Exact)
			require.Len(t, a.Series, 1)
			require.NotEmpty(t, a.Series[0].Points)
			for _, p := range a.Series[0].Points {
				require.NotNil(t, p[1])
				assert.InDelta(t, math.Pow(2, 3.5), *p[1], 1e-9)
			}
		}
	})

	t.Run("time zone: days of Sao Paulo, filled with zero", func(t *testing.T) {
		loc, err := time.LoadLocation("America/Sao_Paulo")
		require.NoError(t, err)
		q := m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "interval", "1d", "tz", "America/Sao_Paulo", "fill", "zero")
		q.Set("end_time", ms(m.t0.Add(30*time.Hour))) // the range reaches into a day without points
		a := c.aggregate(t, qAcmeViewer, q)
		want := map[string]map[int64]float64{"": {}}
		day := func(t time.Time) int64 {
			l := t.In(loc)
			return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UnixMilli()
		}
		for d := day(m.t0); d < m.t0.Add(30*time.Hour).UnixMilli(); d = day(time.UnixMilli(d).Add(36 * time.Hour)) {
			want[""][d] = 0
		}
		for i := range m.steps {
			for s := range m.services {
				for e := range m.endpoints {
					want[""][day(m.ts(i))] += float64(m.requests(i, s, e))
				}
			}
		}
		require.Len(t, want[""], 3, "the data spans two local days, the range a third")
		requireValues(t, want, a.byGroup("x"), "Sao Paulo days")
	})

	t.Run("events: counts and distinct users per event name, top events, DAU, property breakdown", func(t *testing.T) {
		counts := map[string]map[int64]float64{}
		users := map[string]map[string]bool{}
		for _, ev := range m.events {
			if counts[ev.Name] == nil {
				counts[ev.Name], users[ev.Name] = map[int64]float64{}, map[string]bool{}
			}
			counts[ev.Name][hourMs(ev.Timestamp)]++
			if ev.UserID != "" {
				users[ev.Name][ev.UserID] = true
			}
		}
		a := c.aggregate(t, qAcmeViewer, m.rangeQuery("source", "events", "aggregation", "count", "group_by", "event_name", "interval", "1h"))
		assert.True(t, a.Exact)
		requireValues(t, counts, a.byGroup("event_name"), "events per hour")

		a = c.aggregate(t, qAcmeViewer, m.rangeQuery("source", "events", "aggregation", "unique_users", "group_by", "event_name", "interval", "all"))
		assert.Equal(t, "user_id", a.DistinctBy)
		assert.NotEmpty(t, a.Notes)
		want := map[string]map[int64]float64{}
		for n, us := range users {
			want[n] = map[int64]float64{m.t0.UnixMilli(): float64(len(us))}
		}
		requireValues(t, want, a.byGroup("event_name"), "distinct users per event")

		// DAU in Sao Paulo: the six UTC hours are two local days.
		loc, _ := time.LoadLocation("America/Sao_Paulo")
		dau := map[int64]map[string]bool{}
		for _, ev := range m.events {
			l := ev.Timestamp.In(loc)
			d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UnixMilli()
			if dau[d] == nil {
				dau[d] = map[string]bool{}
			}
			if ev.UserID != "" {
				dau[d][ev.UserID] = true
			}
		}
		a = c.aggregate(t, qAcmeViewer, m.rangeQuery("source", "events", "aggregation", "unique_users", "interval", "1d", "tz", "America/Sao_Paulo"))
		want = map[string]map[int64]float64{"": {}}
		for d, us := range dau {
			want[""][d] = float64(len(us))
		}
		requireValues(t, want, a.byGroup("x"), "DAU")

		// Checkout events by plan; top 1 event name + other.
		a = c.aggregate(t, qAcmeViewer, m.rangeQuery("source", "events", "event_name", "checkout", "aggregation", "count", "group_by", "plan", "interval", "all"))
		want = map[string]map[int64]float64{}
		for _, ev := range m.events {
			if ev.Name == "checkout" {
				p := ev.Properties["plan"].(string)
				if want[p] == nil {
					want[p] = map[int64]float64{}
				}
				want[p][m.t0.UnixMilli()]++
			}
		}
		requireValues(t, want, a.byGroup("plan"), "checkout by plan")

		a = c.aggregate(t, qAcmeViewer, m.rangeQuery("source", "events", "aggregation", "count", "group_by", "event_name", "interval", "all", "limit", "1"))
		require.Len(t, a.Series, 2)
		assert.Equal(t, 8.0, *a.Series[0].Points[0][1])
		assert.Equal(t, 16.0, *a.Series[1].Points[0][1], "the two other event names, folded")
		assert.True(t, a.Series[1].Other)
	})
}

// reduce computes an aggregation of values as the README defines it.
func reduce(agg string, vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	switch agg {
	case "sum":
		return sum
	case "avg":
		return sum / float64(len(s))
	case "min":
		return s[0]
	case "max":
		return s[len(s)-1]
	case "count":
		return float64(len(s))
	case "p50", "p90", "p95", "p99":
		q := map[string]float64{"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}[agg]
		return s[min(int(q*float64(len(s))), len(s)-1)] // ClickHouse quantileExact
	}
	panic(agg)
}
