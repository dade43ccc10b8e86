package datarightsextension

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// tableKind selects how a table names its data subject.
type tableKind int

const (
	kindData    tableKind = iota // user_id column and user ids in attributes (events, logs, metrics, spans)
	kindConsent                  // user_id column (consents, consent history)
	kindAudit                    // target_id column, pseudonymized rather than deleted
	kindEvent                    // one stored event of telemetry_events, by its event_id
)

// target is one table a deletion covers, with its statements rendered once.
type target struct {
	name    string
	storage string // the table holding the rows, unquoted (mutations run there)
	kind    tableKind
	// count (rows per request of a batch), countStored (the same with patches and masks not applied:
	// the purge check), deleteSQL (kindAudit: pseudonymize), export; applyPatches and applyMask (per
	// partition id; "" for audit).
	count, countStored, deleteSQL, export, applyPatches, applyMask string
	// A data table's batch runs the predicate's halves apart (deletion.sql, pred_ids and
	// pred_text), each pruned by its own index: idsCount, idsCountStored and idsDelete the subject
	// index's, textCount, textCountStored and textDelete the free text's. One statement with both
	// halves (count, countStored and deleteSQL, pred_data) is pruned by neither index: a granule is
	// skipped only when one index rules out the whole OR. Measured at 10M rows, the engine alone: a
	// single user's count 40-73 ms as one statement, 26-37 ms as two; five users' 126-204 against
	// 53-77 ms. "" for the other tables.
	idsCount, idsCountStored, idsDelete    string
	textCount, textCountStored, textDelete string
	// joinCount is the trace-id table's count of a batch of more than splitUsers users (single
	// server; deletion.sql, count_trace_ids_join); "" for the other tables.
	joinCount string
	// exportHTTP is export for ClickHouse's HTTP interface (query parameters, JSONEachRow).
	exportHTTP string
	// searched says which columns the table's predicate searches and how (receipts).
	searched SearchedColumns
	// noExport: deleted and verified, not exported (telemetry_spans_staging holds copies of what
	// telemetry_spans has, and spans no sampling decision kept).
	noExport bool
}

// args are the bound arguments of the table's predicate for tenant and the batch's stored forms.
func (t *target) args(tenant string, f *forms) []any {
	if t.name == chschema.TraceIDTimestamps {
		// pred_trace_ids: the tenant, then both halves
		return append(append([]any{tenant}, idsArgs(tenant, f)...), textArgs(tenant, f)...)
	}
	if t.kind == kindData {
		return []any{tenant, f.ids, f.ids, f.predTokens(), f.predPatterns(), f.from, f.to}
	}
	return []any{tenant, f.ids}
}

// splitUsers is the largest batch whose trace-id count reads the lookup table through the subject's
// spans (count_trace_ids); a larger one counts by the join alone (count_trace_ids_join).
const splitUsers = 20

// split reports whether t's statements run in two halves (subject index, free text): every data
// table's do (a batch of 1000 users at 10M rows: the DELETE 2.35 s as one statement, 0.97 s +
// 0.03 s as two; one user's count 40-73 ms against 26-37 ms).
func (t *target) split() bool { return t.textDelete != "" }

// idsArgs bind pred_ids, textArgs pred_text.
func idsArgs(tenant string, f *forms) []any { return []any{tenant, f.ids, f.ids, f.from, f.to} }

func textArgs(tenant string, f *forms) []any {
	return []any{tenant, f.predTokens(), f.predPatterns(), f.from, f.to}
}

// dataOwnersArgs bind owners_data, textOwnersArgs owners_text.
func dataOwnersArgs(f *forms) []any { return []any{f.ids, f.owners} }

func textOwnersArgs(f *forms) []any { return []any{f.ids, f.owners, f.owners, f.patterns} }

// deleteArgs bind deleteSQL, idsDeleteArgs idsDelete.
func (t *target) deleteArgs(tenant string, f *forms) []any { return t.args(tenant, f) }

func (t *target) idsDeleteArgs(tenant string, f *forms) []any { return idsArgs(tenant, f) }

// idsCountArgs bind idsCount and idsCountStored.
func (t *target) idsCountArgs(tenant string, f *forms) []any {
	return append(dataOwnersArgs(f), idsArgs(tenant, f)...)
}

// textDeleteArgs bind textDelete.
func (t *target) textDeleteArgs(tenant string, f *forms) []any { return textArgs(tenant, f) }

// textCountArgs bind textCount and textCountStored: owners_text, then pred_text.
func (t *target) textCountArgs(tenant string, f *forms) []any {
	return append(textOwnersArgs(f), textArgs(tenant, f)...)
}

// joinCountArgs bind joinCount: trace_owners (the subject's spans and their owners), then the tenant.
func (t *target) joinCountArgs(tenant string, f *forms) []any {
	out := append(dataOwnersArgs(f), idsArgs(tenant, f)...)
	out = append(out, textOwnersArgs(f)...)
	out = append(out, textArgs(tenant, f)...)
	return append(out, tenant)
}

// countArgs bind count and countStored: the owners of every stored form, then the predicate.
func (t *target) countArgs(tenant string, f *forms) []any {
	switch {
	case t.name == chschema.TraceIDTimestamps:
		// its rows of the subject's traces first (the sorting-key filter), then the join: the
		// spans the subject index names with their owners, then those only their text names.
		out := append(t.args(tenant, f), dataOwnersArgs(f)...)
		out = append(out, idsArgs(tenant, f)...)
		out = append(out, textOwnersArgs(f)...)
		return append(out, textArgs(tenant, f)...)
	}
	return append([]any{f.owners, f.ids, f.patterns}, t.args(tenant, f)...)
}

// httpParams are args for the HTTP export.
func (t *target) httpParams(tenant string, f *forms) map[string]string {
	p := map[string]string{"tenant": tenant, "ids": arrayParam(f.ids)}
	if t.kind == kindData {
		p["tokens"], p["patterns"] = arrayParam(f.predTokens()), arrayParam(f.predPatterns())
		p["from"], p["to"] = strconv.FormatInt(f.from, 10), strconv.FormatInt(f.to, 10)
	}
	return p
}

// targets is every table a deletion covers, in the order requests process and export them.
var targetDefs = []struct {
	name     string
	kind     tableKind
	noExport bool
}{
	{chschema.Events, kindData, false},
	{chschema.Logs, kindData, false},
	{chschema.Metrics, kindData, false},
	// Before telemetry_spans: a span staged for the tail-sampling decision must not be copied into
	// telemetry_spans after that table's erasure. No subject index there (a one-day staging table):
	// its predicate computes the spans' subject_ids expression.
	{chschema.SpansStaging, kindData, true},
	{chschema.Spans, kindData, false},
	// After the spans, so they are unreadable first: its rows are found through them, read
	// without patches and masks (pred_trace_ids), erased until the purge.
	{chschema.TraceIDTimestamps, kindData, false},
	{chschema.Consents, kindConsent, false},
	{chschema.ConsentHistory, kindConsent, false},
	{chschema.Audit, kindAudit, false},
}

// statements are every SQL statement of the extension for one database and cluster.
type statements struct {
	schema  *chschema.Schema
	targets []target
	// event is telemetry_events as DELETE /events/{event_id} erases it (kindEvent); findEvent counts
	// a tenant's rows of one event id.
	event     target
	findEvent string

	openRequests, getRequest, subjectRequests, purgeRequest, purgeMask string
	tableSettings, erasedPartitions, unpurgedRequests                  string
	openRequestsOf                                                     string
	suppressionsSince, grantsSince, subjectRequestsHTTP                string
	insertRequest, insertSuppression                                   string
	requestsStorage                                                    string
}

type tmplData struct {
	Front, Storage, OnCluster                        string
	Text                                             string // a data table's free-text expression
	Subjects                                         string // its subject index: subject_ids, or the expression
	Spans                                            string // telemetry_spans (Distributed in cluster mode)
	Requests, RequestsStorage, Suppressions, History string
}

func render(name string, d tmplData, pred string, owners ...string) (string, error) {
	t, err := templates.Clone()
	if err != nil {
		return "", err
	}
	if pred != "" {
		if _, err := t.New("pred").Parse(`{{template "` + pred + `" .}}`); err != nil {
			return "", err
		}
	}
	for _, o := range owners {
		if _, err := t.New("owners").Parse(`{{template "` + o + `" .}}`); err != nil {
			return "", err
		}
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

func newStatements(database, cluster string) (*statements, error) {
	schema, err := chschema.New(chschema.Options{Database: database, Cluster: cluster})
	if err != nil {
		return nil, err
	}
	s := &statements{schema: schema}
	base := tmplData{}
	if cluster != "" {
		base.OnCluster = " ON CLUSTER " + chschema.QuoteIdent(cluster)
	}
	storage := func(t *chschema.Table) string {
		return chschema.QuoteIdent(schema.Database()) + "." + chschema.QuoteIdent(t.StorageName)
	}
	var errs []error
	r := func(name string, d tmplData, pred string, owners ...string) string {
		out, err := render(name, d, pred, owners...)
		errs = append(errs, err)
		return out
	}
	for _, def := range targetDefs {
		t := schema.Table(def.name)
		d := base
		spans := schema.Table(chschema.Spans)
		d.Front, d.Storage, d.Text, d.Subjects, d.Spans = t.Qualified, storage(t), t.SearchText, t.SubjectExpr, spans.Qualified
		pred := map[tableKind]string{kindData: "pred_data", kindConsent: "pred_user", kindAudit: "pred_audit"}[def.kind]
		owners := map[tableKind]string{kindData: "owners_data", kindConsent: "owners_user", kindAudit: "owners_audit"}[def.kind]
		tg := target{name: def.name, storage: t.StorageName, kind: def.kind, noExport: def.noExport, searched: searchedColumns(def.kind, def.name)}
		if def.name == chschema.TraceIDTimestamps {
			// Found through the subject's spans: the predicates run over the spans' columns.
			d.Text, d.Subjects = spans.SearchText, spans.SubjectExpr
			pred = "pred_trace_ids"
			tg.count, tg.countStored = r("count_trace_ids", d, ""), r("count_stored_trace_ids", d, "")
			if cluster == "" {
				tg.joinCount = r("count_trace_ids_join", d, "")
			}
		} else if def.kind == kindData {
			// Only the halves: count, countStored and deleteSQL stay "" (see split).
			tg.idsCount, tg.idsCountStored = r("count", d, "pred_ids", owners), r("count_stored", d, "pred_ids", owners)
			tg.idsDelete = r("delete", d, "pred_ids")
			tg.textCount, tg.textCountStored = r("count", d, "pred_text", "owners_text"), r("count_stored", d, "pred_text", "owners_text")
			tg.textDelete = r("delete", d, "pred_text")
		} else {
			tg.count, tg.countStored = r("count", d, pred, owners), r("count_stored", d, pred, owners)
		}
		tg.export, tg.exportHTTP = r("export", d, pred), r("export_http", d, "h"+pred)
		switch def.kind {
		case kindAudit:
			tg.deleteSQL = r("pseudonymize", d, pred)
		case kindData:
			if tg.textDelete == "" { // the trace-id lookup table
				tg.deleteSQL = r("delete", d, pred)
			}
			tg.applyPatches = r("apply_patches", d, "")
			tg.applyMask = r("apply_mask_partition", d, "")
		default:
			tg.deleteSQL = r("delete", d, pred)
		}
		s.targets = append(s.targets, tg)
	}
	{
		t := schema.Table(chschema.Events)
		d := base
		d.Front, d.Storage = t.Qualified, storage(t)
		s.event = target{name: chschema.Events, storage: t.StorageName, kind: kindEvent, noExport: true,
			searched: searchedColumns(kindEvent, chschema.Events),
			count:    r("count", d, "pred_event", "owners_event"), countStored: r("count_stored", d, "pred_event", "owners_event"),
			deleteSQL: r("delete", d, "pred_event")}
		s.findEvent = r("find_event", d, "")
	}
	req, sup := schema.Table(chschema.DeletionRequests), schema.Table(chschema.Suppressions)
	d := base
	d.Requests, d.RequestsStorage = req.Qualified, storage(req)
	d.Suppressions, d.History = sup.Qualified, schema.Table(chschema.ConsentHistory).Qualified
	s.openRequests = r("open_requests", d, "")
	s.getRequest = r("get_request", d, "")
	s.openRequestsOf = r("open_requests_of", d, "")
	s.subjectRequests = r("subject_requests", d, "")
	s.subjectRequestsHTTP = r("subject_requests_http", d, "")
	s.purgeRequest = r("purge_request", d, "")
	s.purgeMask = r("purge_mask", d, "")
	s.tableSettings = r("table_settings", d, "")
	s.erasedPartitions = r("erased_partitions", d, "")
	s.unpurgedRequests = r("unpurged_requests", d, "")
	s.suppressionsSince = r("suppressions_since", d, "")
	s.grantsSince = r("grants_since", d, "")
	s.insertRequest, s.insertSuppression = req.InsertSQL, sup.InsertSQL
	s.requestsStorage = req.StorageName
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	return s, nil
}

// script lists every statement, for golden files and review.
func (s *statements) script() []string {
	var out []string
	for _, t := range s.targets {
		out = append(out, "-- "+t.name)
		if t.textDelete == "" {
			out = append(out, t.count, t.countStored, t.deleteSQL)
		} else {
			out = append(out, t.idsCount, t.idsCountStored, t.idsDelete, t.textCount, t.textCountStored, t.textDelete)
		}
		if t.joinCount != "" {
			out = append(out, t.joinCount)
		}
		if t.applyMask != "" {
			out = append(out, t.applyPatches, t.applyMask)
		}
		out = append(out, t.export, t.exportHTTP)
	}
	out = append(out, "-- telemetry_events, one event", s.event.count, s.event.countStored, s.event.deleteSQL, s.findEvent)
	return append(out, "-- requests and suppressions", s.openRequests, s.openRequestsOf, s.getRequest, s.subjectRequests, s.subjectRequestsHTTP, s.purgeRequest,
		s.purgeMask, s.tableSettings, s.erasedPartitions, s.unpurgedRequests, s.suppressionsSince, s.grantsSince, s.insertRequest, s.insertSuppression)
}
