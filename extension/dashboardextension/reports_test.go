package dashboardextension

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
)

func testReporter(t *testing.T) *reporter {
	t.Helper()
	tel, err := metadata.NewTelemetry(componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	rp, err := newReporter(createDefaultConfig(), nil, nil, tel)
	require.NoError(t, err)
	rp.now = func() time.Time { return time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) }
	return rp
}

func TestReportParameters(t *testing.T) {
	rp := testReporter(t)
	f := func(query string, wantField string, check func(reportRequest)) {
		t.Helper()
		req, perr := rp.parse(httptest.NewRequest(http.MethodGet, "/dashboard/reports?"+query, nil))
		if wantField != "" {
			require.NotNil(t, perr, query)
			assert.Equal(t, wantField, perr.Field, query)
			assert.Equal(t, "invalid_parameter", perr.Code, query)
			return
		}
		require.Nil(t, perr, query)
		check(req)
	}
	f("", "", func(r reportRequest) {
		assert.Equal(t, reportRequest{typ: "usage", format: "json", k: 5,
			from: time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}, r)
	})
	f("type=privacy&format=csv&period=30d&k=7", "", func(r reportRequest) {
		assert.Equal(t, "privacy", r.typ)
		assert.Equal(t, "csv", r.format)
		assert.Equal(t, 7, r.k)
		assert.Equal(t, 30*24*time.Hour, r.to.Sub(r.from))
	})
	f("period=range&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&property=plan", "", func(r reportRequest) {
		assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), r.from)
		assert.Equal(t, "plan", r.property)
	})
	f("k=4", "k", nil) // below the configured 5: a request may raise k, never lower it
	f("k=x", "k", nil)
	f("k=1001", "k", nil)
	f("type=funnel", "type", nil)
	f("format=pdf", "format", nil)
	f("period=2d", "period", nil)
	f("period=7d&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", "period", nil)
	f("from=2026-01-01", "from", nil)
	f("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from", nil)
	f("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", nil)
	f("property=a'b", "property", nil)
	f("type=privacy&property=plan", "property", nil)
}

func TestReportWithoutStorage(t *testing.T) {
	rec := httptest.NewRecorder()
	testReporter(t).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dashboard/reports", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Contains(t, rec.Body.String(), "storage_not_configured")
}

func sampleReport() *Report {
	return &Report{Type: "usage", Tenant: "acme", K: 5,
		From: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		GeneratedAt: time.Date(2026, 3, 10, 0, 0, 1, 0, time.UTC),
		Sections: []Section{{Name: "top_events", Title: "Top events", GroupBy: "event", Measures: []string{"users", "events"},
			Rows: []Row{{Group: "signup", Values: map[string]float64{"users": 8, "events": 8}}, {Group: `<b>"x",y`, Values: map[string]float64{"users": 6, "events": 6.5}},
				{Group: "=HYPERLINK(1)", Values: map[string]float64{"users": 5, "events": 5}}},
			WithheldGroups: 2, TotalsOfShown: map[string]float64{"events": 14.5}}},
		Notes: []string{"note"}}
}

func TestRenderCSVAndHTML(t *testing.T) {
	rec := httptest.NewRecorder()
	writeReport(rec, sampleReport(), formatCSV)
	assert.Equal(t, `attachment; filename="telemetry-usage-report-20260310T000001Z.csv"`, rec.Header().Get("Content-Disposition"))
	assert.Equal(t, strings.Join([]string{
		"section,group,measure,value", "report,,type,usage", "report,,tenant,acme",
		"report,,from,2026-03-03T00:00:00Z", "report,,to,2026-03-10T00:00:00Z", "report,,k,5",
		"top_events,signup,users,8", "top_events,signup,events,8",
		`top_events,"<b>""x"",y",users,6`, `top_events,"<b>""x"",y",events,6.5`,
		"top_events,'=HYPERLINK(1),users,5", "top_events,'=HYPERLINK(1),events,5",
		"top_events,,withheld_groups,2", "top_events,,total_of_shown_events,14.5", "",
	}, "\n"), rec.Body.String())

	rec = httptest.NewRecorder()
	writeReport(rec, sampleReport(), formatHTML)
	body := rec.Body.String()
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'")
	assert.Contains(t, body, "&lt;b&gt;&#34;x&#34;,y", "group values are escaped")
	assert.Contains(t, body, "2 group(s) withheld")
	assert.Contains(t, body, `<td class="num">14.5</td>`)
	assert.NotContains(t, body, "<style", "no inline style under the CSP")
}
