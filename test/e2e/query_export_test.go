package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pointKey identifies one stored point in the comparisons below.
type pointKey struct {
	name, service, labels string
	ms                    int64
}

func labelsKey(l map[string]string) string {
	raw, _ := json.Marshal(l) // map keys are sorted
	return string(raw)
}

// expectedPoints are the acme points of api_requests and queue_depth the model sent.
func (m *queryModel) expectedPoints() map[pointKey]float64 {
	want := map[pointKey]float64{}
	for s, svc := range m.services {
		for i := range m.steps {
			for e, ep := range m.endpoints {
				want[pointKey{"api_requests", svc, labelsKey(map[string]string{"endpoint": ep}), m.ts(i).UnixMilli()}] = float64(m.requests(i, s, e))
			}
		}
	}
	for i := range m.steps {
		for r, region := range m.regions {
			want[pointKey{"queue_depth", "shop", labelsKey(map[string]string{"region": region}), m.ts(i).UnixMilli()}] = m.depth(i, r)
		}
	}
	return want
}

type rawAnswer struct {
	Series []struct {
		Name, Type, Service string
		Labels              map[string]string
		Points              [][2]float64
	}
	Points     int    `json:"points"`
	NextCursor string `json:"next_cursor"`
}

// TestQueryRawAndExportThroughCollector (issue #11): /metrics pages through every point with its
// cursor; CSV, NDJSON and JSON exports (gzip too) parse to exactly the same points; a capped export
// says it is truncated.
func TestQueryRawAndExportThroughCollector(t *testing.T) {
	c := startQueryCollector(t)
	m := newQueryModel()
	m.send(t, c)
	want := m.expectedPoints()
	sel := m.rangeQuery("metric_names", "api_requests,queue_depth")

	t.Run("paged /metrics", func(t *testing.T) {
		got := map[pointKey]float64{}
		q := cloneValues(sel)
		q.Set("limit", "7")
		pages := 0
		for {
			r := c.query(t, qAcmeViewer, "/metrics", q)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var a rawAnswer
			require.NoError(t, json.Unmarshal(r.body, &a))
			n := 0
			for _, s := range a.Series {
				for _, p := range s.Points {
					k := pointKey{s.Name, s.Service, labelsKey(s.Labels), int64(p[0])}
					_, dup := got[k]
					require.False(t, dup, "point %v on two pages", k)
					got[k] = p[1]
					n++
				}
			}
			assert.Equal(t, a.Points, n)
			assert.LessOrEqual(t, n, 7)
			pages++
			if a.NextCursor == "" {
				break
			}
			q.Set("cursor", a.NextCursor)
		}
		assert.Equal(t, want, got)
		assert.Equal(t, (len(want)+6)/7, pages)

		// A cursor belongs to its query.
		q.Set("metric_names", "api_requests")
		requireAPIError(t, c.query(t, qAcmeViewer, "/metrics", q), http.StatusBadRequest, "invalid_parameter")

		// Filters: one service and one label.
		q = m.rangeQuery("metric_names", "api_requests", "service", "billing", "attr.endpoint", "/api/orders")
		r := c.query(t, qAcmeViewer, "/metrics", q)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var a rawAnswer
		require.NoError(t, json.Unmarshal(r.body, &a))
		require.Len(t, a.Series, 1)
		assert.Equal(t, "sum", a.Series[0].Type)
		assert.Len(t, a.Series[0].Points, m.steps)
		for i, p := range a.Series[0].Points {
			assert.Equal(t, []float64{float64(m.ts(i).UnixMilli()), float64(m.requests(i, 1, 1))}, p[:])
		}
	})

	t.Run("csv, ndjson and json exports equal /metrics", func(t *testing.T) {
		for _, format := range []string{"csv", "ndjson", "json"} {
			for _, gz := range []bool{false, true} {
				q := cloneValues(sel)
				q.Set("format", format)
				res := exportCall(t, c, qAcmeAnalyst, q, gz)
				require.Equal(t, http.StatusOK, res.status, "%s", res.body)
				assert.Equal(t, "false", res.header.Get("X-Export-Truncated"))
				assert.Equal(t, strconv.Itoa(len(want)), res.header.Get("X-Export-Total-Rows"))
				assert.Equal(t, strconv.Itoa(len(want)), res.trailer.Get("X-Export-Rows"))
				assert.Contains(t, res.header.Get("Content-Disposition"), "attachment; filename=\"metrics-")
				assert.Contains(t, res.header.Get("Content-Disposition"), "."+format+"\"")
				got, truncated := parseExport(t, format, res.body)
				assert.False(t, truncated)
				assert.Equal(t, want, got, "%s gzip=%v", format, gz)
			}
		}
	})

	t.Run("a capped export says it is truncated", func(t *testing.T) {
		for _, format := range []string{"csv", "ndjson", "json"} {
			q := cloneValues(sel)
			q.Set("format", format)
			q.Set("max_rows", "10")
			res := exportCall(t, c, qAcmeAnalyst, q, false)
			require.Equal(t, http.StatusOK, res.status, "%s", res.body)
			assert.Equal(t, "true", res.header.Get("X-Export-Truncated"))
			assert.Equal(t, strconv.Itoa(len(want)), res.header.Get("X-Export-Total-Rows"))
			assert.Equal(t, "10", res.trailer.Get("X-Export-Rows"))
			got, truncated := parseExport(t, format, res.body)
			assert.Len(t, got, 10)
			if format == "json" {
				assert.True(t, truncated)
			}
			for k, v := range got {
				assert.Equal(t, want[k], v, "%v", k)
			}
		}
	})

	t.Run("an aggregate exports as rows equal to /metrics/aggregate", func(t *testing.T) {
		q := m.rangeQuery("metric_name", "api_requests", "aggregation", "sum", "group_by", "endpoint", "interval", "1h", "limit", "2")
		want := map[string]float64{}
		for _, s := range c.aggregate(t, qAcmeViewer, q).Series {
			g := s.Group["endpoint"]
			if s.Other {
				g = "<other>"
			}
			for _, p := range s.Points {
				want[g+"@"+time.UnixMilli(int64(*p[0])).UTC().Format(time.RFC3339)] = *p[1]
			}
		}
		require.Len(t, want, 3*6, "two endpoints and other, six hours")
		for _, format := range []string{"csv", "ndjson"} {
			q.Set("format", format)
			res := exportCall(t, c, qAcmeAnalyst, q, format == "csv")
			require.Equal(t, http.StatusOK, res.status, "%s", res.body)
			assert.Equal(t, "false", res.header.Get("X-Export-Truncated"))
			assert.Equal(t, "18", res.trailer.Get("X-Export-Rows"))
			got := map[string]float64{}
			add := func(bucket, group string, other bool, v float64) {
				var gm map[string]string
				require.NoError(t, json.Unmarshal([]byte(group), &gm))
				g := gm["endpoint"]
				if other {
					g = "<other>"
				}
				got[g+"@"+bucket] = v
			}
			if format == "csv" {
				recs, err := csv.NewReader(bytes.NewReader(res.body)).ReadAll()
				require.NoError(t, err)
				require.Equal(t, []string{"bucket", "group", "other", "value"}, recs[0])
				for _, r := range recs[1:] {
					v, err := strconv.ParseFloat(r[3], 64)
					require.NoError(t, err)
					add(r[0], r[1], r[2] == "true", v)
				}
			} else {
				for _, line := range strings.Split(strings.TrimSpace(string(res.body)), "\n") {
					var r struct {
						Bucket string
						Group  json.RawMessage
						Other  bool
						Value  float64
					}
					require.NoError(t, json.Unmarshal([]byte(line), &r))
					add(r.Bucket, string(r.Group), r.Other, r.Value)
				}
			}
			assert.Equal(t, want, got, format)
		}
		q.Set("max_rows", "4")
		res := exportCall(t, c, qAcmeAnalyst, q, false)
		assert.Equal(t, "true", res.header.Get("X-Export-Truncated"))
		assert.Equal(t, "18", res.header.Get("X-Export-Total-Rows"))
		assert.Equal(t, "4", res.trailer.Get("X-Export-Rows"))
	})

	t.Run("export needs the analyst role", func(t *testing.T) {
		requireAPIError(t, c.query(t, qAcmeViewer, "/metrics/export", sel), http.StatusForbidden, "forbidden")
		q := cloneValues(sel)
		q.Set("format", "xml")
		r := c.query(t, qAcmeAnalyst, "/metrics/export", q)
		requireAPIError(t, r, http.StatusBadRequest, "invalid_parameter")
		assert.Equal(t, "format", r.json()["error"].(map[string]any)["field"])
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type exportReply struct {
	status          int
	header, trailer http.Header
	body            []byte
}

// exportCall reads an export; with gz it asks for gzip and decompresses what comes.
func exportCall(t *testing.T, c *collector, key string, q url.Values, gz bool) exportReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.apiURL("/metrics/export?"+q.Encode()), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body alone
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if gz && resp.StatusCode == http.StatusOK {
		require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		require.NoError(t, err)
		raw, err = io.ReadAll(zr)
		require.NoError(t, err)
	}
	return exportReply{status: resp.StatusCode, header: resp.Header, trailer: resp.Trailer, body: raw}
}

type exportedRow struct {
	Timestamp string            `json:"timestamp"`
	Name      string            `json:"metric_name"`
	Type      string            `json:"metric_type"`
	Unit      string            `json:"unit"`
	Service   string            `json:"service"`
	Labels    map[string]string `json:"labels"`
	Value     float64           `json:"value"`
	Count     uint64            `json:"count"`
}

func (r exportedRow) key(t *testing.T) pointKey {
	ts, err := time.Parse(time.RFC3339Nano, r.Timestamp)
	require.NoError(t, err)
	return pointKey{r.Name, r.Service, labelsKey(r.Labels), ts.UnixMilli()}
}

// parseExport reads an export body into points; truncated is the JSON format's flag.
func parseExport(t *testing.T, format string, body []byte) (map[pointKey]float64, bool) {
	t.Helper()
	got := map[pointKey]float64{}
	add := func(r exportedRow) {
		k := r.key(t)
		_, dup := got[k]
		require.False(t, dup, "%v twice", k)
		got[k] = r.Value
	}
	switch format {
	case "csv":
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		require.NoError(t, err)
		require.NotEmpty(t, recs)
		require.Equal(t, []string{"timestamp", "metric_name", "metric_type", "unit", "service", "labels", "value", "count"}, recs[0])
		for _, rec := range recs[1:] {
			var r exportedRow
			r.Timestamp, r.Name, r.Type, r.Unit, r.Service = rec[0], rec[1], rec[2], rec[3], rec[4]
			require.NoError(t, json.Unmarshal([]byte(rec[5]), &r.Labels))
			v, err := strconv.ParseFloat(rec[6], 64)
			require.NoError(t, err)
			r.Value = v
			add(r)
		}
	case "ndjson":
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var r exportedRow
			require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "%s", sc.Text())
			add(r)
		}
	case "json":
		var doc struct {
			Rows      []exportedRow `json:"rows"`
			Truncated bool          `json:"truncated"`
			RowCount  int           `json:"row_count"`
		}
		require.NoError(t, json.Unmarshal(body, &doc), "%s", body)
		for _, r := range doc.Rows {
			add(r)
		}
		require.Equal(t, len(doc.Rows), doc.RowCount)
		return got, doc.Truncated
	default:
		panic(fmt.Sprint(format))
	}
	return got, false
}
