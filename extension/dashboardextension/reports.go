package dashboardextension

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/dashboardextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var sqlTemplates = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// Report limits.
const (
	maxRange     = 366 * 24 * time.Hour
	maxRows      = 100 // shown rows per section, largest first
	maxK         = 1000
	propertyMax  = 128
	reportUsage  = "usage"
	reportPriv   = "privacy"
	formatJSON   = "json"
	formatCSV    = "csv"
	formatHTML   = "html"
	unknownTable = 60
	unknownDB    = 81
)

var (
	periods         = map[string]time.Duration{"1d": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "30d": 30 * 24 * time.Hour}
	propertyPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,128}$`)
)

// sectionDef is one table of a report: its SQL (columns grp, part, users, then measures).
type sectionDef struct {
	name     string
	title    string
	groupBy  string
	sql      string
	measures []string
	additive map[string]bool // measures whose shown rows may be summed
	order    string          // the measure rows are sorted by (descending), "" for the group key
}

// reporter serves GET /dashboard/reports.
type reporter struct {
	k       int
	conn    driver.Conn
	timeout time.Duration
	scraper *scraper
	tel     *metadata.Telemetry
	now     func() time.Time
	usage   []sectionDef
	privacy []sectionDef
	byProp  sectionDef
	// regions, by name, and regionOf: data residency (addRegion); nil without it.
	regions  map[string]*regionStore
	regionOf func(tenant string) string
}

// regionStore is where the events and spans of a residency region's tenants are: the usage
// sections rendered for that region's database, read over its connection.
type regionStore struct {
	conn   driver.Conn
	usage  []sectionDef
	byProp sectionDef
}

func newReporter(cfg *Config, conn driver.Conn, sc *scraper, tel *metadata.Telemetry) (*reporter, error) {
	defs, err := renderSections(cfg.Storage.Database)
	if err != nil {
		return nil, err
	}
	return &reporter{
		k: cfg.KAnonymity, conn: conn, timeout: cfg.Storage.Timeout, scraper: sc, tel: tel, now: time.Now,
		usage: []sectionDef{*defs[0], *defs[1], *defs[2], *defs[3]}, byProp: *defs[4],
		privacy: []sectionDef{*defs[5], *defs[6], *defs[7]},
	}, nil
}

// addRegion makes the usage sections of the tenants regionOf maps to name read database over conn
// (data residency: the telemetry_storage exporter wrote their events and spans there). Consent
// history and deletion requests stay in the extension's own store.
func (rp *reporter) addRegion(name, database string, conn driver.Conn, regionOf func(string) string) error {
	defs, err := renderSections(database)
	if err != nil {
		return fmt.Errorf("residency::regions::%s::database: %w", name, err)
	}
	if rp.regions == nil {
		rp.regions = map[string]*regionStore{}
	}
	rp.regions[name] = &regionStore{conn: conn, usage: []sectionDef{*defs[0], *defs[1], *defs[2], *defs[3]}, byProp: *defs[4]}
	rp.regionOf = regionOf
	return nil
}

// usageStore is the connection and usage sections of tenant's data.
func (rp *reporter) usageStore(tenant string) (driver.Conn, []sectionDef, sectionDef) {
	if rp.regionOf != nil {
		if st, ok := rp.regions[rp.regionOf(tenant)]; ok {
			return st.conn, st.usage, st.byProp
		}
	}
	return rp.conn, rp.usage, rp.byProp
}

// renderSections renders every section's SQL for database: usage (4), by property, privacy (3).
func renderSections(database string) ([]*sectionDef, error) {
	schema, err := chschema.New(chschema.Options{Database: database})
	if err != nil {
		return nil, fmt.Errorf("storage::database: %w", err)
	}
	names := struct{ Events, Spans, History, Deletions string }{
		schema.Table(chschema.Events).Qualified, schema.Table(chschema.Spans).Qualified,
		schema.Table(chschema.ConsentHistory).Qualified, schema.Table(chschema.DeletionRequests).Qualified,
	}
	render := func(file string) (string, error) {
		var b bytes.Buffer
		err := sqlTemplates.ExecuteTemplate(&b, file, names)
		return strings.TrimSpace(b.String()), err
	}
	add := func(m ...string) map[string]bool {
		out := map[string]bool{}
		for _, x := range m {
			out[x] = true
		}
		return out
	}
	defs := []*sectionDef{
		{name: "top_events", title: "Top events", groupBy: "event", sql: "usage_top_events.sql", measures: []string{"users", "events"}, additive: add("events"), order: "events"},
		{name: "daily_active_users", title: "Daily active users", groupBy: "day", sql: "usage_daily_users.sql", measures: []string{"users", "events"}, additive: add("events")},
		{name: "weekly_active_users", title: "Weekly active users", groupBy: "week", sql: "usage_weekly_users.sql", measures: []string{"users", "events"}, additive: add("events")},
		{name: "endpoints", title: "Error rate and p95 latency by endpoint", groupBy: "endpoint", sql: "usage_endpoints.sql", measures: []string{"users", "requests", "errors", "error_rate", "p95_ms"}, additive: add("requests", "errors"), order: "requests"},
		{name: "by_property", title: "Events by property", groupBy: "value", sql: "usage_property.sql", measures: []string{"users", "events"}, additive: add("events"), order: "events"},
		{name: "consent_by_purpose", title: "Consent changes by purpose", groupBy: "purpose", sql: "privacy_consent_purpose.sql", measures: []string{"users", "granted", "denied", "withdrawn", "grant_rate"}, additive: add("granted", "denied", "withdrawn")},
		{name: "consent_by_day", title: "Consent grants and denials by day", groupBy: "day", sql: "privacy_consent_daily.sql", measures: []string{"users", "granted", "denied", "withdrawn"}, additive: add("granted", "denied", "withdrawn")},
		{name: "deletion_requests", title: "Deletion requests by status", groupBy: "status", sql: "privacy_deletions.sql", measures: []string{"users", "requests", "avg_seconds_to_finish", "max_seconds_to_finish"}, additive: add("requests")},
	}
	for _, d := range defs {
		if d.sql, err = render(d.sql); err != nil {
			return nil, err
		}
	}
	return defs, nil
}

// Report is the JSON shape of a report (also the source of CSV and HTML).
type Report struct {
	Type        string    `json:"type"`
	Tenant      string    `json:"tenant"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	K           int       `json:"k"`
	GeneratedAt time.Time `json:"generated_at"`
	Sections    []Section `json:"sections"`
	// Collector holds collector-wide counters since its start (operator only: they sum every
	// tenant): record counts of the consent and pii_redaction processors, not groups of users.
	Collector *CollectorFigures `json:"collector,omitempty"`
	Notes     []string          `json:"notes"`
}

// Section is one table: shown rows, how many groups were withheld, and totals over shown rows only.
type Section struct {
	Name           string             `json:"name"`
	Title          string             `json:"title"`
	GroupBy        string             `json:"group_by"`
	Measures       []string           `json:"measures"`
	Rows           []Row              `json:"rows"`
	WithheldGroups int                `json:"withheld_groups"`
	TotalsOfShown  map[string]float64 `json:"totals_of_shown"`
	// NotListed counts shown groups beyond the first 100 (largest first); they are in no total.
	NotListed int `json:"not_listed,omitempty"`
}

// Row is one shown group.
type Row struct {
	Group  string             `json:"group"`
	Values map[string]float64 `json:"values"`
}

// CollectorFigures are the privacy processors' own counters.
type CollectorFigures struct {
	Consent    []consentRow   `json:"consent"`
	Redactions []redactionRow `json:"redactions"`
}

type reportRequest struct {
	typ, format, property string
	from, to              time.Time
	k                     int
}

func (rp *reporter) parse(r *http.Request) (reportRequest, *telemetryapi.ErrorDetail) {
	q := r.URL.Query()
	req := reportRequest{typ: q.Get("type"), format: q.Get("format"), property: q.Get("property"), k: rp.k}
	bad := func(field, msg string) (reportRequest, *telemetryapi.ErrorDetail) {
		return req, &telemetryapi.ErrorDetail{Code: "invalid_parameter", Message: msg, Field: field}
	}
	switch req.typ {
	case "":
		req.typ = reportUsage
	case reportUsage, reportPriv:
	default:
		return bad("type", fmt.Sprintf("type %q must be usage or privacy", req.typ))
	}
	switch req.format {
	case "":
		req.format = formatJSON
	case formatJSON, formatCSV, formatHTML:
	default:
		return bad("format", fmt.Sprintf("format %q must be json, csv or html", req.format))
	}
	if req.property != "" && (!propertyPattern.MatchString(req.property) || req.typ != reportUsage) {
		return bad("property", "property must be an event property name (letters, digits, '_', '.', '-'; at most 128) on a usage report")
	}
	if v := q.Get("k"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < rp.k || k > maxK {
			return bad("k", fmt.Sprintf("k must be a whole number from the configured k_anonymity (%d) to %d: a report may raise k, never lower it", rp.k, maxK))
		}
		req.k = k
	}
	now := rp.now().UTC()
	period, from, to := q.Get("period"), q.Get("from"), q.Get("to")
	switch {
	case from != "" || to != "":
		if period != "" && period != "range" {
			return bad("period", "give either period (1d, 7d, 30d) or from and to (period=range)")
		}
		f, err1 := time.Parse(time.RFC3339, from)
		t, err2 := time.Parse(time.RFC3339, to)
		if err1 != nil || err2 != nil {
			return bad("from", "from and to must both be RFC 3339 times, e.g. 2026-01-02T00:00:00Z")
		}
		if !f.Before(t) || t.Sub(f) > maxRange {
			return bad("from", "from must be before to, at most 366 days apart")
		}
		req.from, req.to = f.UTC(), t.UTC()
	default:
		if period == "" {
			period = "7d"
		}
		d, ok := periods[period]
		if !ok {
			return bad("period", fmt.Sprintf("period %q must be 1d, 7d, 30d or range (with from and to)", period))
		}
		req.from, req.to = now.Add(-d), now
	}
	return req, nil
}

func (rp *reporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, perr := rp.parse(r)
	if perr != nil {
		telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: *perr})
		return
	}
	result := "error"
	defer func() {
		rp.tel.Reports.Add(context.Background(), 1, metric.WithAttributes(attribute.String("type", req.typ),
			attribute.String("format", req.format), attribute.String("result", result)))
	}()
	if rp.conn == nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_not_configured", "reports need the extension's storage::endpoint")
		return
	}
	p, _ := telemetryapi.PrincipalFrom(r.Context())
	rep, err := rp.build(r.Context(), req, telemetryapi.EffectiveTenant(r), p.Has(telemetryapi.RoleOperator))
	if err != nil {
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "storage_unavailable", "the report could not be read from ClickHouse: "+err.Error())
		return
	}
	result = "ok"
	withheld := 0
	for _, s := range rep.Sections {
		withheld += s.WithheldGroups
	}
	rp.tel.GroupsWithheld.Add(context.Background(), int64(withheld), metric.WithAttributes(attribute.String("type", req.typ)))
	writeReport(w, rep, req.format)
}

func (rp *reporter) build(ctx context.Context, req reportRequest, tenant string, operator bool) (*Report, error) {
	// Times to the second: a report is read by people, nanoseconds are noise.
	rep := &Report{Type: req.typ, Tenant: tenant, From: req.from.Truncate(time.Second), To: req.to.Truncate(time.Second),
		K: req.k, GeneratedAt: rp.now().UTC().Truncate(time.Second), Notes: []string{
			fmt.Sprintf("Groups with fewer than %d distinct users are withheld; where one group alone would be withheld, the smallest shown group of its table is withheld with it, so no total minus the shown rows reveals a single group.", req.k),
			"Totals cover shown rows only. Records without a user id count as no user.",
		}}
	conn, defs, byProp := rp.usageStore(tenant)
	if req.typ == reportPriv {
		conn, defs = rp.conn, rp.privacy
	}
	args := []any{tenant, req.from.UnixMilli(), req.to.UnixMilli()}
	for _, d := range defs {
		s, err := rp.section(ctx, conn, d, req.k, args...)
		if err != nil {
			return nil, err
		}
		rep.Sections = append(rep.Sections, s)
	}
	if req.property != "" {
		d := byProp
		d.title = "Events by property " + req.property
		d.groupBy = req.property
		s, err := rp.section(ctx, conn, d, req.k, req.property, tenant, req.from.UnixMilli(), req.to.UnixMilli(), req.property)
		if err != nil {
			return nil, err
		}
		rep.Sections = append(rep.Sections, s)
	}
	if req.typ == reportPriv {
		if operator && rp.scraper != nil {
			if ss, err := rp.scraper.scrape(ctx); err == nil {
				sum := ss.summary()
				rep.Collector = &CollectorFigures{Consent: sum.Consent, Redactions: sum.Redactions}
			} else {
				rep.Notes = append(rep.Notes, "The collector's own metrics could not be read: "+err.Error())
			}
		}
	}
	return rep, nil
}

func (rp *reporter) section(ctx context.Context, conn driver.Conn, d sectionDef, k int, args ...any) (Section, error) {
	groups, err := rp.query(ctx, conn, d, args...)
	if err != nil {
		return Section{}, err
	}
	shown, withheld := withhold(groups, k)
	idx := len(d.measures) // sort by the order measure, else by group key
	for i, m := range d.measures {
		if m == d.order {
			idx = i
		}
	}
	sort.SliceStable(shown, func(i, j int) bool {
		if idx < len(d.measures) && shown[i].values[idx] != shown[j].values[idx] {
			return shown[i].values[idx] > shown[j].values[idx]
		}
		return shown[i].key < shown[j].key
	})
	notListed := 0
	if len(shown) > maxRows {
		notListed = len(shown) - maxRows
		shown = shown[:maxRows]
	}
	s := Section{Name: d.name, Title: d.title, GroupBy: d.groupBy, Measures: d.measures, Rows: []Row{},
		WithheldGroups: withheld, TotalsOfShown: map[string]float64{}, NotListed: notListed}
	for m := range d.additive {
		s.TotalsOfShown[m] = 0
	}
	for _, g := range shown {
		row := Row{Group: g.key, Values: map[string]float64{}}
		for i, m := range d.measures {
			row.Values[m] = g.values[i]
			if d.additive[m] {
				s.TotalsOfShown[m] += g.values[i]
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s, nil
}

// query runs one section's SQL; a database or table not created yet is an empty section.
func (rp *reporter) query(ctx context.Context, conn driver.Conn, d sectionDef, args ...any) ([]group, error) {
	ctx, cancel := context.WithTimeout(ctx, rp.timeout)
	defer cancel()
	rows, err := conn.Query(ctx, d.sql, args...)
	if err != nil {
		if code, ok := chschema.ErrorCode(err); ok && (code == unknownTable || code == unknownDB) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	defer rows.Close()
	var out []group
	for rows.Next() {
		var g group
		vals := make([]float64, len(d.measures)-1) // "users" is the third column
		dest := []any{&g.key, &g.part, &g.users}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("%s: %w", d.name, err)
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				vals[i] = 0 // JSON has no NaN; an empty average is 0
			}
		}
		g.values = append([]float64{float64(g.users)}, vals...)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	return out, nil
}
