package queryextension

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(sqlFiles, "sql/*.sql"))

// filterSlot names the placeholders of one attr.<key>=<value> filter.
type filterSlot struct{ K, V string }

// shape is everything a query's text depends on: never a value, only how many keys and filters
// there are and which fixed variant (unit, aggregation expression) applies. Every field is chosen
// from a closed set by the code, so the number of shapes is bounded and each is rendered once.
type shape struct {
	File       string
	Table      string
	Unit       string // MINUTE, HOUR, DAY, WEEK; "" with All
	All        bool   // one bucket for the whole range
	Keys       string // group key expressions joined by "\x00" (comparable map key)
	Service    bool
	NFilters   int
	EventNames bool
	Cumulative bool
	Hist       bool
	TopN       bool
	Value      string // aggregate over pts, without top-N
	States     string // with top-N: partial states per bucket and group, joined by "\x00"
	Merge      string // with top-N: the value from the states s0, s1, ...
	Rank       string // with top-N: the value over the whole range from the window columns w0, w1, ...
	Windows    string // with top-N: the merge call of each state, joined by "\x00"
	After      bool
	Strict     bool // with After: strictly after the key
	Exact      bool // exactly one (name, service, time) key
	Limit      bool
	// ExpQ: the quantile (a literal from a closed set) computed from exponential histogram buckets.
	ExpQ string
	// Trace and log search (traces.go, logs.go): which optional conditions apply.
	SpanName, Route, Status, MinDur, MaxDur, TraceID bool
	Before, MinSeverity, Text                        bool
	NTokens                                          int
	// Column is the name column GET /names lists (metric_name, event_name, span_name).
	Column string
}

// tmplData is what the templates see.
type tmplData struct {
	shape
	Keys    []string
	Filters []filterSlot
	States  []string
	Windows []string
	Tokens  []string // placeholders t0, t1, ... of the log search's words
}

// renderer renders each shape once and keeps the text.
type renderer struct {
	mu    sync.Mutex
	cache map[shape]string
}

func newRenderer() *renderer { return &renderer{cache: map[shape]string{}} }

func (r *renderer) render(s shape) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q, ok := r.cache[s]; ok {
		return q, nil
	}
	d := tmplData{shape: s}
	if s.Keys != "" {
		d.Keys = strings.Split(s.Keys, "\x00")
	}
	if s.States != "" {
		d.States = strings.Split(s.States, "\x00")
		d.Windows = strings.Split(s.Windows, "\x00")
	}
	for i := range s.NTokens {
		d.Tokens = append(d.Tokens, fmt.Sprintf("t%d", i))
	}
	for i := range s.NFilters {
		d.Filters = append(d.Filters, filterSlot{K: fmt.Sprintf("f%dk", i), V: fmt.Sprintf("f%dv", i)})
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, s.File, d); err != nil {
		return "", fmt.Errorf("render %s: %w", s.File, err)
	}
	q := strings.TrimSpace(b.String())
	r.cache[s] = q
	return q, nil
}

// setValue sets the plain aggregate and, for top-N queries, its states and merge expression.
func (s *shape) setValue(value string) {
	s.Value = value
	states, merge, rank, windows := splitStates(value)
	s.States, s.Merge, s.Rank, s.Windows = strings.Join(states, "\x00"), merge, rank, strings.Join(windows, "\x00")
}
