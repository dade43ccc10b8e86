package datarightsextension

import (
	"bytes"
	"embed"
	"fmt"
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
)

// target is one table a deletion covers, with its statements rendered once.
type target struct {
	name    string
	storage string // the table holding the rows, unquoted (mutations run there)
	kind    tableKind
	// count, deleteSQL (kindAudit: pseudonymize), export and applyMask ("" for audit).
	count, deleteSQL, export, applyMask string
	// exportHTTP is export for ClickHouse's HTTP interface (parameters tenant and ids, JSONEachRow).
	exportHTTP string
	// idArgs is how often a kindData predicate binds the ids (its own and Nested attribute maps).
	idArgs int
}

// args are the bound arguments of the table's predicate for tenant and the user's stored forms.
func (t *target) args(tenant string, ids []string) []any {
	if t.kind == kindData {
		args := []any{tenant}
		for range t.idArgs {
			args = append(args, ids)
		}
		return args
	}
	return []any{tenant, ids}
}

// targets is every table a deletion covers, in the order requests process and export them.
var targetDefs = []struct {
	name string
	kind tableKind
}{
	{chschema.Events, kindData},
	{chschema.Logs, kindData},
	{chschema.Metrics, kindData},
	// Before the spans: its rows are found through them (pred_trace_ids).
	{chschema.TraceIDTimestamps, kindData},
	{chschema.Spans, kindData},
	{chschema.Consents, kindConsent},
	{chschema.ConsentHistory, kindConsent},
	{chschema.Audit, kindAudit},
}

// statements are every SQL statement of the extension for one database and cluster.
type statements struct {
	schema  *chschema.Schema
	targets []target

	openRequests, getRequest, subjectRequests, purgeRequest, purgeMask string
	openRequestOf                                                      string
	suppressionsSince, grantsSince, subjectRequestsHTTP                string
	insertRequest, insertSuppression                                   string
	requestsStorage                                                    string
}

type tmplData struct {
	Front, Storage, OnCluster                        string
	Spans                                            string // telemetry_spans (Distributed in cluster mode)
	Requests, RequestsStorage, Suppressions, History string
}

func render(name string, d tmplData, pred string) (string, error) {
	t, err := templates.Clone()
	if err != nil {
		return "", err
	}
	if pred != "" {
		if _, err := t.New("pred").Parse(`{{template "` + pred + `" .}}`); err != nil {
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
	r := func(name string, d tmplData, pred string) string {
		out, err := render(name, d, pred)
		errs = append(errs, err)
		return out
	}
	for _, def := range targetDefs {
		t := schema.Table(def.name)
		d := base
		d.Front, d.Storage, d.Spans = t.Qualified, storage(t), schema.Table(chschema.Spans).Qualified
		pred := map[tableKind]string{kindData: "pred_data", kindConsent: "pred_user", kindAudit: "pred_audit"}[def.kind]
		idArgs := 3
		switch def.name {
		case chschema.Spans:
			pred, idArgs = "pred_spans", 5
		case chschema.Metrics:
			pred, idArgs = "pred_metrics", 4
		case chschema.TraceIDTimestamps:
			pred, idArgs = "pred_trace_ids", 5
		}
		tg := target{name: def.name, storage: t.StorageName, kind: def.kind, idArgs: idArgs,
			count: r("count", d, pred), export: r("export", d, pred), exportHTTP: r("export_http", d, "h"+pred)}
		if def.kind == kindAudit {
			tg.deleteSQL = r("pseudonymize", d, pred)
		} else {
			tg.deleteSQL = r("delete", d, pred)
			tg.applyMask = r("apply_mask", d, pred)
		}
		s.targets = append(s.targets, tg)
	}
	req, sup := schema.Table(chschema.DeletionRequests), schema.Table(chschema.Suppressions)
	d := base
	d.Requests, d.RequestsStorage = req.Qualified, storage(req)
	d.Suppressions, d.History = sup.Qualified, schema.Table(chschema.ConsentHistory).Qualified
	s.openRequests = r("open_requests", d, "")
	s.getRequest = r("get_request", d, "")
	s.openRequestOf = r("open_request_of", d, "")
	s.subjectRequests = r("subject_requests", d, "")
	s.subjectRequestsHTTP = r("subject_requests_http", d, "")
	s.purgeRequest = r("purge_request", d, "")
	s.purgeMask = r("purge_mask", d, "")
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
		out = append(out, "-- "+t.name, t.count, t.deleteSQL)
		if t.applyMask != "" {
			out = append(out, t.applyMask)
		}
		out = append(out, t.export, t.exportHTTP)
	}
	return append(out, "-- requests and suppressions", s.openRequests, s.openRequestOf, s.getRequest, s.subjectRequests, s.subjectRequestsHTTP, s.purgeRequest,
		s.purgeMask, s.suppressionsSince, s.grantsSince, s.insertRequest, s.insertSuppression)
}
