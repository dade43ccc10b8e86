package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Cookies carry session ids, login tokens and tracking ids: their values are
// never stored, whatever the mode. Names and attributes without a value
// (HttpOnly, Secure) are kept, so "which cookies were sent" stays visible.

const cookiePlaceholder = "[REDACTED:cookie]"

// isCookieKey matches a key whose last dotted segment is cookie, cookies,
// set-cookie or set_cookie (http.request.header.cookie,
// http.response.header.set-cookie); ownKey is lower case.
func isCookieKey(ownKey []byte) bool {
	seg := ownKey
	for i := len(seg) - 1; i >= 0; i-- {
		if seg[i] == '.' {
			seg = seg[i+1:]
			break
		}
	}
	switch string(seg) {
	case "cookie", "cookies", "set-cookie", "set_cookie", "setcookie":
		return true
	}
	return false
}

// cookie redacts the values of a cookie header (a string, or a slice of
// strings as the semantic conventions record headers).
func (st *state) cookie(v pcommon.Value, topKey string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if out, n := redactCookie(v.Str()); n > 0 {
			v.SetStr(out)
			st.counts[counterCookie] += int64(n - 1)
			st.note(counterCookie, topKey)
		}
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			st.cookie(sl.At(i), topKey)
		}
	case pcommon.ValueTypeMap:
		// {"session": "abc"}: every value goes.
		for _, cv := range v.Map().All() {
			if cv.Type() == pcommon.ValueTypeStr && cv.Str() == cookiePlaceholder {
				continue
			}
			cv.SetStr(cookiePlaceholder)
			st.note(counterCookie, topKey)
		}
	case pcommon.ValueTypeEmpty:
	default:
		v.SetStr(cookiePlaceholder)
		st.note(counterCookie, topKey)
	}
}

// redactCookie replaces the value of every name=value pair of a Cookie or
// Set-Cookie header; a first pair without '=' is a bare value and goes too.
// It returns the number of values replaced.
func redactCookie(s string) (string, int) {
	var b strings.Builder
	n := 0
	for i, part := range strings.Split(s, ";") {
		if i > 0 {
			b.WriteByte(';')
		}
		eq := strings.IndexByte(part, '=')
		switch {
		case eq >= 0 && i > 0 && isCookieAttribute(part[:eq]):
			b.WriteString(part)
		case eq >= 0 && strings.TrimSpace(part[eq+1:]) != "" && part[eq+1:] != cookiePlaceholder:
			b.WriteString(part[:eq+1])
			b.WriteString(cookiePlaceholder)
			n++
		case eq < 0 && i == 0 && strings.TrimSpace(part) != "" && part != cookiePlaceholder:
			b.WriteString(cookiePlaceholder)
			n++
		default:
			b.WriteString(part)
		}
	}
	if n == 0 {
		return s, 0
	}
	return b.String(), n
}

// isCookieAttribute: the attributes of a Set-Cookie header, which say how
// the cookie is kept, not what it holds.
func isCookieAttribute(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "path", "domain", "expires", "max-age", "samesite", "priority":
		return true
	}
	return false
}
