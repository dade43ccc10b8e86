package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"net/url"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// The structural check of routes and URLs: values of route_fields, span
// names and metric names are not trusted because of their key. Path segments
// and query values that are e-mails, card, phone or social security numbers,
// identifiers or tokens become a placeholder ({email}, {id}, ...); values of
// query parameters named like an identifier become the identifier token
// (the same hmac: token identifier_fields get), those named like a
// credential a redaction placeholder. A route template (/users/{id},
// /users/:id) has nothing to replace and passes unchanged, so RED metrics
// labelled by route keep a bounded number of series.

// segKind is what a path segment or query value holds.
type segKind uint8

const (
	segKeep segKind = iota
	segEmail
	segCard
	segPhone
	segSSN
	segID
	segToken
)

var segPlaceholder = [...]string{"", "{email}", "{card}", "{phone}", "{ssn}", "{id}", "{token}"}

// segCounter maps a segKind to its counter (the detector that would have
// found the value in free text, or route for identifiers and tokens).
var segCounter = func() (c [len(segPlaceholder)]int) {
	idx := map[string]int{}
	for i, n := range counterNames {
		idx[n] = i
	}
	c[segEmail], c[segCard], c[segPhone], c[segSSN] = idx["email"], idx["card"], idx["phone"], idx["ssn"]
	c[segID], c[segToken] = counterRoute, counterRoute
	return c
}()

var counterQueryParam = func() int {
	for i, n := range counterNames {
		if n == "query_param" {
			return i
		}
	}
	panic("query_param detector missing")
}()

// routeText templates every word of s that contains a '/' (a path or URL:
// span names are often "GET /users/42"). It returns s unchanged, without
// allocating, when s has no '/'.
func (st *state) routeText(s, topKey string) (string, bool) {
	if strings.IndexByte(s, '/') < 0 {
		return s, false
	}
	out := st.rbuf[:0]
	changed := false
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		w := s[i:j]
		n := len(out)
		if strings.IndexByte(w, '/') >= 0 {
			out = st.appendURL(out, w, topKey)
			if string(out[n:]) != w {
				changed = true
			}
		} else {
			out = append(out, w...)
		}
		if j < len(s) {
			out = append(out, ' ')
		}
		i = j + 1
	}
	st.rbuf = out
	if !changed {
		return s, false
	}
	return string(out), true
}

// routeQuery templates a bare query string (the value of url.query).
func (st *state) routeQuery(s, topKey string) (string, bool) {
	if strings.IndexByte(s, '=') < 0 {
		return s, false
	}
	out := st.appendQuery(st.rbuf[:0], s, topKey)
	st.rbuf = out
	if string(out) == s {
		return s, false
	}
	return string(out), true
}

// appendURL appends the templated form of one URL, absolute or a path, with
// query and fragment. The scheme and authority are copied (credentials in
// them are left to the url_credentials detector).
func (st *state) appendURL(dst []byte, s, topKey string) []byte {
	i := 0
	if k := strings.Index(s, "://"); k > 0 && k < 16 {
		i = k + 3
		for i < len(s) && s[i] != '/' && s[i] != '?' && s[i] != '#' {
			i++
		}
		dst = append(dst, s[:i]...)
	}
	// Path up to '?' or '#', segment by segment.
	for i < len(s) && s[i] != '?' && s[i] != '#' {
		j := i
		for j < len(s) && s[j] != '/' && s[j] != '?' && s[j] != '#' {
			j++
		}
		dst = st.appendSegment(dst, s[i:j], true, topKey)
		if j < len(s) && s[j] == '/' {
			dst = append(dst, '/')
			j++
		}
		i = j
	}
	if i < len(s) && s[i] == '?' {
		j := i + 1
		for j < len(s) && s[j] != '#' {
			j++
		}
		dst = append(dst, '?')
		dst = st.appendQuery(dst, s[i+1:j], topKey)
		i = j
	}
	if i < len(s) { // '#' fragment: a query (OAuth #access_token=...) or a client-side route
		frag := s[i+1:]
		dst = append(dst, '#')
		if strings.IndexByte(frag, '=') >= 0 {
			dst = st.appendQuery(dst, frag, topKey)
		} else {
			dst = st.appendURL(dst, frag, topKey)
		}
	}
	return dst
}

// appendQuery appends the templated form of name=value pairs separated by
// '&' or ';'.
func (st *state) appendQuery(dst []byte, q, topKey string) []byte {
	for i := 0; i < len(q); {
		j := i
		for j < len(q) && q[j] != '&' && q[j] != ';' {
			j++
		}
		p := q[i:j]
		if eq := strings.IndexByte(p, '='); eq > 0 {
			name, val := p[:eq], p[eq+1:]
			dst = append(dst, p[:eq+1]...)
			switch {
			case val == "" || detectAlreadyRedacted(val):
				dst = append(dst, val...)
			case detect.IsSensitiveParam(name):
				dst = appendPlaceholder(dst, "query_param")
				st.note(counterQueryParam, topKey)
			case detect.IsIdentifierParam(name):
				if st.e.identifiers != nil {
					dst = st.h.appendToken(dst, unescapeQuery(val))
				} else {
					dst = append(dst, segPlaceholder[segID]...)
				}
				st.note(counterID, topKey)
			default:
				dst = st.appendSegment(dst, val, false, topKey)
			}
		} else {
			dst = st.appendSegment(dst, p, true, topKey)
		}
		if j < len(q) {
			dst = append(dst, q[j])
		}
		i = j + 1
	}
	return dst
}

func (st *state) appendSegment(dst []byte, seg string, path bool, topKey string) []byte {
	k := st.classifySegment(seg, path)
	if k == segKeep {
		return append(dst, seg...)
	}
	st.note(segCounter[k], topKey)
	return append(dst, segPlaceholder[k]...)
}

func unescapeQuery(v string) string {
	if strings.IndexByte(v, '%') < 0 && strings.IndexByte(v, '+') < 0 {
		return v
	}
	if u, err := url.QueryUnescape(v); err == nil {
		return u
	}
	return v
}

func detectAlreadyRedacted(v string) bool {
	return strings.HasPrefix(v, "[REDACTED") || strings.HasPrefix(v, "hmac:")
}

// isTemplate reports a route template's parameter: {id}, :id, <id>, *, **.
func isTemplate(seg string) bool {
	switch {
	case seg[0] == '{' && seg[len(seg)-1] == '}',
		seg[0] == '<' && seg[len(seg)-1] == '>',
		seg[0] == ':' && len(seg) > 1,
		strings.Trim(seg, "*") == "":
		return true
	}
	return false
}

// classifySegment decides what a path segment (path) or query value holds.
// Only segments that contain a digit, '@' or are long are looked at closely.
func (st *state) classifySegment(seg string, path bool) segKind {
	if seg == "" || isTemplate(seg) || detectAlreadyRedacted(seg) {
		return segKeep
	}
	dec := seg
	if strings.IndexByte(seg, '%') >= 0 || (!path && strings.IndexByte(seg, '+') >= 0) {
		var err error
		if path {
			dec, err = url.PathUnescape(seg)
		} else {
			dec, err = url.QueryUnescape(seg)
		}
		if err != nil {
			dec = seg
		}
	}
	digits, letters, upper, lowerN, other := 0, 0, 0, 0, 0
	at := false
	for i := 0; i < len(dec); i++ {
		c := dec[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
			letters++
			upper++
		case c >= 'a' && c <= 'z':
			letters++
			lowerN++
		case c == '@':
			at = true
		default:
			other++
		}
	}
	if at {
		if st.tmp = (detect.Email{}).Find(dec, st.tmp[:0]); len(st.tmp) > 0 {
			return segEmail
		}
	}
	if digits >= 9 {
		if st.tmp = (detect.Card{}).Find(dec, st.tmp[:0]); len(st.tmp) > 0 {
			return segCard
		}
		if st.tmp = (detect.SSN{}).Find(dec, st.tmp[:0]); len(st.tmp) > 0 {
			return segSSN
		}
		if st.tmp = (detect.Phone{}).Find(dec, st.tmp[:0]); len(st.tmp) > 0 {
			return segPhone
		}
	}
	if digits == 0 {
		// Opaque tokens without digits are rare; long mixed-case runs are
		// base64 session ids or keys, not words.
		if len(dec) >= 24 && upper > 0 && lowerN > 0 && other <= 2 && !strings.ContainsAny(dec, " .") {
			return segToken
		}
		return segKeep
	}
	if isVersionOrDate(dec) || isWordWithNumber(dec, letters, digits) {
		return segKeep
	}
	if len(dec) >= 20 && letters > 0 && other <= 4 && !isHexID(dec) && !strings.ContainsAny(dec, " .") {
		return segToken
	}
	if path {
		return segID
	}
	// Query values: only identifier-shaped mixes of letters and digits
	// (u-555, cus_8f3k2); numbers (pages, sizes, timestamps) are kept.
	if letters > 0 && digits >= 3 {
		return segID
	}
	return segKeep
}

// isVersionOrDate: v1, v2.1, 1.14.3, 2026-11-28 (API versions and dates are
// route structure, not identifiers).
func isVersionOrDate(s string) bool {
	t := s
	if len(t) > 1 && (t[0] == 'v' || t[0] == 'V') {
		t = t[1:]
	}
	if len(t) == 10 && t[4] == '-' && t[7] == '-' && allDigits(t[:4]) && allDigits(t[5:7]) && allDigits(t[8:]) {
		return true
	}
	groups, glen := 1, 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c >= '0' && c <= '9':
			glen++
			if glen > 3 {
				return false
			}
		case c == '.' && glen > 0:
			groups++
			glen = 0
		default:
			return false
		}
	}
	// A bare number is an id; a version needs a 'v' or a dot.
	return glen > 0 && (groups > 1 || len(t) < len(s))
}

// isWordWithNumber: a word with a short number at its end (oauth2, s3,
// sha256, http2, ipv6): part of an API's vocabulary.
func isWordWithNumber(s string, letters, digits int) bool {
	if letters+digits != len(s) || digits > 3 || (digits == 3 && letters < 2) {
		return false
	}
	i := 0
	for i < len(s) && !(s[i] >= '0' && s[i] <= '9') {
		i++
	}
	return i > 0 && allDigits(s[i:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// route processes the value of a route_fields key: the structural check,
// then the free-text detectors (url_credentials, query_param, ...) over the
// result. Slices (several values of one header) are done element by element.
func (st *state) route(v pcommon.Value, query bool, topKey string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		var out string
		var changed bool
		if query {
			out, changed = st.routeQuery(s, topKey)
		} else {
			out, changed = st.routeText(s, topKey)
		}
		if o, ok := st.scan(out, topKey); ok {
			out, changed = o, true
		}
		if changed {
			v.SetStr(out)
		}
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			st.route(sl.At(i), query, topKey)
		}
	default:
		st.value(v, topKey)
	}
}

// isHexID: UUIDs and hex digests are ids, not secrets.
func isHexID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-') {
			return false
		}
	}
	return true
}
