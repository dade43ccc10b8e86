package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import "strings"

// JSON inside a string: applications log request bodies and payloads as
// JSON text, sometimes JSON inside a JSON string inside that ("{\"password\":
// \"…\"}"). The key rules apply to its keys too: a quoted key that is a
// pii_fields name has its value replaced by the pii_field placeholder (or
// token with pii_fields_action: hash), an identifier_fields name by the
// identifier token, at any depth of nesting (each level escapes its quotes
// with more backslashes). The text is read once, left to right, without
// building a document; the values found also become self-mentions of the
// record. Strings without a quote followed by ':' cost one IndexByte.

// jsonFields returns s with the values of pii_fields and identifier keys
// inside JSON text replaced.
func (st *state) jsonFields(s, topKey string) (string, bool) {
	if len(s) < 6 || strings.IndexByte(s, '"') < 0 || strings.Index(s, "\":") < 0 && strings.Index(s, "\" :") < 0 && strings.Index(s, "\\\":") < 0 {
		return s, false
	}
	e := st.e
	var out []byte
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		// Key: "name" (possibly \"name\", \\\"name\\\") right before ':'.
		ke := i
		for ke > 0 && s[ke-1] == ' ' {
			ke--
		}
		if ke == 0 || s[ke-1] != '"' {
			continue
		}
		ke--
		esc := 0
		for ke > 0 && s[ke-1] == '\\' {
			ke--
			esc++
		}
		ks := strings.LastIndexByte(s[:ke], '"')
		if ks < 0 || ke-ks-1 > 64 {
			continue
		}
		key := s[ks+1 : ke]
		key = strings.TrimRight(key, "\\")
		if key == "" {
			continue
		}
		st.nkey = appendLoose(st.nkey[:0], key)
		isPII := e.piiFields.hasKeyOrSegment(st.nkey)
		isID := !isPII && e.identifiers != nil && e.identifiers.has(st.nkey)
		if !isPII && !isID {
			continue
		}
		// Value: a string quoted like the key, or a number/literal.
		vs := i + 1
		for vs < len(s) && s[vs] == ' ' {
			vs++
		}
		quote := strings.Repeat("\\", esc) + `"`
		var ve int
		if strings.HasPrefix(s[vs:], quote) {
			vs += len(quote)
			end := strings.Index(s[vs:], quote)
			if end < 0 {
				continue
			}
			ve = vs + end
			// The closing quote of this level is the one preceded by exactly
			// esc backslashes, not by more (an escaped quote inside).
			for ve > vs && esc == 0 && s[ve-1] == '\\' {
				next := strings.Index(s[ve+1:], quote)
				if next < 0 {
					ve = -1
					break
				}
				ve = ve + 1 + next
			}
			if ve < 0 {
				continue
			}
		} else {
			ve = vs
			for ve < len(s) && (isAlnumByte(s[ve]) || s[ve] == '.' || s[ve] == '-' || s[ve] == '+') {
				ve++
			}
		}
		raw := s[vs:ve]
		if raw == "" || raw == "null" || raw == "true" || raw == "false" || detectAlreadyRedacted(raw) {
			continue
		}
		var repl string
		switch {
		case isID:
			repl = st.h.token(raw)
			st.note(counterID, topKey)
		case e.piiAction == ActionHash:
			repl = st.h.token(raw)
			st.note(counterPIIField, topKey)
		default:
			repl = piiFieldPlaceholder
			st.note(counterPIIField, topKey)
		}
		st.addSelf(raw, repl)
		out = append(out, s[last:vs]...)
		out = append(out, repl...)
		last = ve
		i = ve
	}
	if out == nil {
		return s, false
	}
	out = append(out, s[last:]...)
	return string(out), true
}
