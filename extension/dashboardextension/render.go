package dashboardextension

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/csvsafe"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

func writeReport(w http.ResponseWriter, rep *Report, format string) {
	name := fmt.Sprintf("telemetry-%s-report-%s", rep.Type, rep.GeneratedAt.Format("20060102T150405Z"))
	switch format {
	case formatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		writeCSV(w, rep)
	case formatHTML:
		securityHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = reportHTML.Execute(w, rep)
	default:
		telemetryapi.WriteJSON(w, http.StatusOK, rep)
	}
}

// writeCSV writes one long table: section, group, measure, value. Report parameters and withheld
// counts are rows of their own, so a spreadsheet keeps them next to the figures.
func writeCSV(w http.ResponseWriter, rep *Report) {
	// Group values (event names, properties, routes) come from clients: every cell is neutralised.
	cw := csvsafe.NewWriter(w)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	_ = cw.Write([]string{"section", "group", "measure", "value"})
	_ = cw.Write([]string{"report", "", "type", rep.Type})
	_ = cw.Write([]string{"report", "", "tenant", rep.Tenant})
	_ = cw.Write([]string{"report", "", "from", rep.From.Format(time.RFC3339)})
	_ = cw.Write([]string{"report", "", "to", rep.To.Format(time.RFC3339)})
	_ = cw.Write([]string{"report", "", "k", strconv.Itoa(rep.K)})
	for _, s := range rep.Sections {
		for _, r := range s.Rows {
			for _, m := range s.Measures {
				_ = cw.Write([]string{s.Name, r.Group, m, num(r.Values[m])})
			}
		}
		_ = cw.Write([]string{s.Name, "", "withheld_groups", strconv.Itoa(s.WithheldGroups)})
		for _, m := range s.Measures {
			if v, ok := s.TotalsOfShown[m]; ok {
				_ = cw.Write([]string{s.Name, "", "total_of_shown_" + m, num(v)})
			}
		}
	}
	if rep.Collector != nil {
		for _, c := range rep.Collector.Consent {
			_ = cw.Write([]string{"collector_consent", c.Signal + "/" + c.Purpose + "/" + c.Outcome + "/" + c.Reason, "records", num(c.Records)})
		}
		for _, r := range rep.Collector.Redactions {
			_ = cw.Write([]string{"collector_redactions", r.Detector + "/" + r.Signal, "count", num(r.Count)})
		}
	}
	cw.Flush()
}

// reportHTML is the printable report; its style sheet is one of the dashboard's files, as the
// Content-Security-Policy allows no inline style.
var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"value": func(r Row, m string) string { return strconv.FormatFloat(r.Values[m], 'f', -1, 64) },
	"total": func(s Section, m string) string {
		if v, ok := s.TotalsOfShown[m]; ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	},
	"day": func(t time.Time) string { return t.Format("2006-01-02 15:04 UTC") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{.Type}} report · {{.Tenant}}</title>
<link rel="stylesheet" href="/api/v1/telemetry/dashboard/assets/report.css">
</head><body>
<h1>{{if eq .Type "usage"}}Usage{{else}}Privacy{{end}} report</h1>
<p class="meta">Tenant <b>{{.Tenant}}</b> · {{day .From}} to {{day .To}} · k = {{.K}} · generated {{day .GeneratedAt}}</p>
{{range .Sections}}
<section id="{{.Name}}"><h2>{{.Title}}</h2>
{{if .Rows}}<table><thead><tr><th>{{.GroupBy}}</th>{{range .Measures}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{$s := .}}{{range .Rows}}<tr><td>{{.Group}}</td>{{$r := .}}{{range $s.Measures}}<td class="num">{{value $r .}}</td>{{end}}</tr>
{{end}}</tbody><tfoot><tr><td>Total of shown rows</td>{{range .Measures}}<td class="num">{{total $s .}}</td>{{end}}</tr></tfoot></table>
{{else}}<p class="empty">No group to show in this range.</p>{{end}}
<p class="withheld">{{.WithheldGroups}} group(s) withheld (fewer than k distinct users).</p>
</section>
{{end}}
{{with .Collector}}<section id="collector"><h2>Collector-wide privacy counters (since start)</h2>
<table><thead><tr><th>signal</th><th>purpose</th><th>outcome</th><th>reason</th><th>records</th></tr></thead><tbody>
{{range .Consent}}<tr><td>{{.Signal}}</td><td>{{.Purpose}}</td><td>{{.Outcome}}</td><td>{{.Reason}}</td><td class="num">{{.Records}}</td></tr>
{{end}}</tbody></table>
<table><thead><tr><th>detector</th><th>signal</th><th>redactions</th></tr></thead><tbody>
{{range .Redactions}}<tr><td>{{.Detector}}</td><td>{{.Signal}}</td><td class="num">{{.Count}}</td></tr>
{{end}}</tbody></table></section>{{end}}
<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>
</body></html>
`))
