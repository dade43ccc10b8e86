package datarightsextension

import (
	"regexp"
	"strings"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
)

// forms are the stored forms of the subjects of a batch of requests, bound to every statement of
// one table: owners, ids and patterns run in parallel (one entry per stored form), tokens are the
// raw ids' full-text tokens. A request names its user raw and as the pii_redaction token.
type forms struct {
	owners, ids, patterns []string
	tokens                []string
	// words are the raw ids (regexp-quoted) the free text is searched for: one alternation.
	words []string
	// from and to bound the rows' timestamps (unix ms, [from, to)); the whole history by default.
	from, to int64
}

// fullRangeTo ends the range of a request that names none: the end of DateTime64(9) (2262), in ms.
const fullRangeTo = int64(9_223_372_036_000)

// newForms builds the forms of (owner, raw id) pairs; token is the pii_redaction token of a raw id.
func newForms(token func(string) string, from, to int64, owners, users []string) *forms {
	f := &forms{from: from, to: to}
	if f.to <= 0 {
		f.to = fullRangeTo
	}
	seen, shared := map[string]bool{}, tokenCounts(users)
	for i, u := range users {
		f.owners = append(f.owners, owners[i], owners[i])
		f.ids = append(f.ids, u, token(u))
		f.patterns = append(f.patterns, idPattern(u), "")
		if idPattern(u) != "" {
			f.words = append(f.words, regexp.QuoteMeta(u))
		}
		// A row whose text holds the id holds every token of it, so one token per id is a correct
		// prefilter. The rarest guess: the token fewest ids of the batch share (a prefix common to
		// many ids, "user" of user-5000, is common in text too: telemetrygen's "load-user" made
		// the text index read every load row for a 1000-user batch), then the longest (user-7:
		// "user", not "7").
		if t := distinctToken(u, shared); t != "" && !seen[t] {
			seen[t] = true
			f.tokens = append(f.tokens, t)
		}
	}
	return f
}

// Sentinels keep the predicate's arrays non-empty (an empty literal has no element type): a token
// that may exist is harmless, the pattern never matches.
const (
	noToken   = "x0datarightsnotoken0x"
	noPattern = `[^\s\S]`
)

func (f *forms) predTokens() []string {
	if len(f.tokens) == 0 {
		return []string{noToken}
	}
	return f.tokens
}

// predPatterns is the predicate's free-text test: one regular expression, every raw id of the
// batch as a whole word in one alternation (RE2 matches it in one pass, where a pattern per id
// would run as many expressions over every candidate row).
func (f *forms) predPatterns() []string {
	if len(f.words) == 0 {
		return []string{noPattern}
	}
	return []string{`(^|[^0-9A-Za-z])(?:` + strings.Join(f.words, "|") + `)($|[^0-9A-Za-z])`}
}

// idPattern matches a raw id in free text as a whole: between non-alphanumeric characters (or the
// text's ends), so user-1 does not match in user-12. RE2 syntax (ClickHouse match).
func idPattern(raw string) string {
	if idhash.IsToken(raw) {
		return ""
	}
	return `(^|[^0-9A-Za-z])` + regexp.QuoteMeta(raw) + `($|[^0-9A-Za-z])`
}

// textTokens splits a raw id as the full-text index (tokenizer splitByNonAlpha) splits text: on
// every ASCII character that is not a letter or digit; other bytes belong to tokens.
func textTokens(raw string) []string {
	return strings.FieldsFunc(raw, func(r rune) bool {
		return r < 0x80 && !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})
}

// tokenCounts counts, per token, the ids that hold it.
func tokenCounts(users []string) map[string]int {
	out := map[string]int{}
	for _, u := range users {
		seen := map[string]bool{}
		for _, t := range textTokens(u) {
			if !seen[t] {
				seen[t] = true
				out[t]++
			}
		}
	}
	return out
}

// distinctToken is raw's token the fewest ids of the batch share (shared: tokenCounts), the
// longest among those.
func distinctToken(raw string, shared map[string]int) string {
	best := ""
	for _, t := range textTokens(raw) {
		if best == "" || shared[t] < shared[best] || (shared[t] == shared[best] && len(t) > len(best)) {
			best = t
		}
	}
	return best
}

// SearchedColumns says where a receipt's table was searched for the subject, and how.
type SearchedColumns struct {
	// Index lists what the subject index (subject_ids, bloom_filter) holds for the table.
	Index []string `json:"index,omitempty"`
	// FreeText lists the free-text columns searched for the raw id through the full-text index
	// idx_search_text (whole-id match); pii_redaction tokens in them are in the subject index.
	FreeText []string `json:"free_text,omitempty"`
	// Columns are compared for equality (consent and audit tables).
	Columns []string `json:"columns,omitempty"`
}

func searchedColumns(kind tableKind, table string) SearchedColumns {
	switch kind {
	case kindConsent:
		return SearchedColumns{Columns: []string{"user_id"}}
	case kindAudit:
		return SearchedColumns{Columns: []string{"target_id"}}
	case kindEvent:
		return SearchedColumns{Columns: []string{"event_id"}}
	}
	if table == chschema.TraceIDTimestamps {
		return SearchedColumns{Columns: []string{"TraceId of the subject's telemetry_spans rows (their subject index and free text)"}}
	}
	idx := []string{"user_id", "identifier keys of attributes", "identifier keys of resource_attributes"}
	text := []string{"attributes (every value)", "resource_attributes (every value)"}
	if table == chschema.SpansStaging {
		idx = append(idx, "(computed per row: no index on this one-day table)")
	}
	switch table {
	case chschema.Spans, chschema.SpansStaging:
		idx = append(idx, "identifier keys of events.attributes", "identifier keys of links.attributes")
		text = append([]string{"status_message"}, append(text, "events.name", "events.attributes", "links.attributes")...)
	case chschema.Metrics:
		idx = append(idx, "identifier keys of exemplars.filtered_attributes")
		text = append(text, "exemplars.filtered_attributes")
	default:
		text = append([]string{"body"}, text...)
	}
	idx = append(idx, "pii_redaction tokens anywhere in the free-text columns")
	return SearchedColumns{Index: idx, FreeText: text}
}

// eventForms are the forms of a batch of single-event requests: each request's event id.
func eventForms(owners, eventIDs []string) *forms {
	f := &forms{to: fullRangeTo}
	for i, id := range eventIDs {
		f.owners = append(f.owners, owners[i])
		f.ids = append(f.ids, id)
		f.patterns = append(f.patterns, "")
	}
	return f
}
