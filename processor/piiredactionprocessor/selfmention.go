package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Self-mentions: a record that carries an identifier (identifier_fields) or
// a pii_fields value often repeats that value in its free text ("checkout
// failed for user-4711", an exception message with the e-mail address).
// After the record's key rules ran, every occurrence of those raw values in
// the record's other strings is replaced by what the field got: the same
// hmac: token for identifiers (so a subject index built from identifier
// fields also covers the text), the pii_field placeholder otherwise. Only
// the record's own values are searched, so the cost is a substring search
// per string and value, and nothing when the record carries none.
// In span names, which become metric labels, the token would make one series
// per user: a self-mention there becomes {id}.

const (
	piiFieldPlaceholder = "[REDACTED:pii_field]"
	// minSelfMention: shorter values ("42", "yes") would replace unrelated
	// words and numbers.
	minSelfMention = 4
	// maxSelfIDs bounds the work per record (ids are searched in every string).
	maxSelfIDs = 16
	maxSelfLen = 256
)

type selfID struct{ raw, repl string }

// selfValue is the raw form of a value searched in the record's text, "" for
// values that are not searched (maps, slices, bools, tokens).
func selfValue(v pcommon.Value) string {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := strings.TrimSpace(v.Str())
		if isHashToken(s) || strings.HasPrefix(s, "[REDACTED") {
			return ""
		}
		return s
	case pcommon.ValueTypeInt:
		return strconv.FormatInt(v.Int(), 10)
	}
	return ""
}

func (st *state) addSelf(raw, repl string) {
	st.selfCalls++
	if len(raw) < minSelfMention || len(raw) > maxSelfLen || len(st.ids) >= maxSelfIDs {
		return
	}
	for _, id := range st.ids {
		if id.raw == raw {
			return
		}
	}
	st.ids = append(st.ids, selfID{raw: raw, repl: repl})
}

// selfStr replaces the self-mentions in s; asName uses {id} instead of the
// replacement (span and metric names become labels).
func (st *state) selfStr(s string, asName bool, topKey string) (string, bool) {
	if len(s) < minSelfMention || isHashToken(s) {
		return s, false
	}
	changed := false
	for _, id := range st.ids {
		if len(s) < len(id.raw) || !strings.Contains(s, id.raw) {
			continue
		}
		repl := id.repl
		if asName {
			repl = segPlaceholder[segID]
		}
		out, n := replaceBounded(s, id.raw, repl)
		if n > 0 {
			s, changed = out, true
			st.counts[counterSelfMention] += int64(n - 1)
			st.note(counterSelfMention, topKey)
		}
	}
	return s, changed
}

// replaceBounded replaces the occurrences of raw in s that are not part of
// a longer word or number ("4711" in "user-4711" yes, in "47110" no).
func replaceBounded(s, raw, repl string) (string, int) {
	var b []byte
	n, last, off := 0, 0, 0
	for {
		j := strings.Index(s[off:], raw)
		if j < 0 {
			break
		}
		j += off
		e := j + len(raw)
		if (j > 0 && isAlnumByte(raw[0]) && isAlnumByte(s[j-1])) || (e < len(s) && isAlnumByte(raw[len(raw)-1]) && isAlnumByte(s[e])) {
			off = j + 1
			continue
		}
		b = append(b, s[last:j]...)
		b = append(b, repl...)
		last, off = e, e
		n++
	}
	if n == 0 {
		return s, 0
	}
	b = append(b, s[last:]...)
	return string(b), n
}

// selfAny walks a value (strings, maps and slices at any depth).
func (st *state) selfAny(v pcommon.Value, topKey string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if out, ok := st.selfStr(v.Str(), false, topKey); ok {
			v.SetStr(out)
		}
	case pcommon.ValueTypeMap:
		for _, mv := range v.Map().All() {
			st.selfAny(mv, topKey)
		}
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			st.selfAny(sl.At(i), topKey)
		}
	}
}

func (st *state) selfMap(m pcommon.Map) {
	if len(st.ids) == 0 {
		return
	}
	for k, v := range m.All() {
		st.selfAny(v, k)
	}
}

func (st *state) selfSpan(sp ptrace.Span) {
	if len(st.ids) == 0 {
		return
	}
	if out, ok := st.selfStr(sp.Name(), true, "name"); ok {
		sp.SetName(out)
	}
	if out, ok := st.selfStr(sp.Status().Message(), false, "status.message"); ok {
		sp.Status().SetMessage(out)
	}
	st.selfMap(sp.Attributes())
	evs := sp.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		if out, ok := st.selfStr(ev.Name(), false, "event.name"); ok {
			ev.SetName(out)
		}
		st.selfMap(ev.Attributes())
	}
	links := sp.Links()
	for i := 0; i < links.Len(); i++ {
		st.selfMap(links.At(i).Attributes())
	}
}

func (st *state) selfLog(lr plog.LogRecord) {
	if len(st.ids) == 0 {
		return
	}
	if out, ok := st.selfStr(lr.EventName(), false, "event_name"); ok {
		lr.SetEventName(out)
	}
	st.selfMap(lr.Attributes())
	st.selfAny(lr.Body(), "body")
}

func (st *state) selfExemplars(exs pmetric.ExemplarSlice) {
	for i := 0; i < exs.Len(); i++ {
		st.selfMap(exs.At(i).FilteredAttributes())
	}
}
