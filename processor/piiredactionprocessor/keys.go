package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import "strings"

// keySet is a set of lower-case key names. Lookups take the key as bytes
// already lower-cased into a reusable buffer, so matching never allocates.
type keySet map[string]struct{}

func newKeySet(keys []string) keySet {
	s := make(keySet, len(keys))
	for _, k := range keys {
		s[strings.ToLower(strings.TrimSpace(k))] = struct{}{}
	}
	return s
}

func (s keySet) has(lowerKey []byte) bool {
	if len(s) == 0 {
		return false
	}
	_, ok := s[string(lowerKey)]
	return ok
}

// hasKeyOrSegment matches the full key or its last dotted segment
// (user.email matches "email").
func (s keySet) hasKeyOrSegment(lowerKey []byte) bool {
	if s.has(lowerKey) {
		return true
	}
	for i := len(lowerKey) - 1; i >= 0; i-- {
		if lowerKey[i] == '.' {
			return s.has(lowerKey[i+1:])
		}
	}
	return false
}

// appendLower appends the ASCII-lower-cased s to dst.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// newLooseKeySet is a keySet for pii_fields and identifier_fields: keys are lower-cased and their
// '_' and '-' dropped, so phone_number also matches phoneNumber and
// Phone-Number, session_id also sessionId (JSON payloads from JavaScript clients use camelCase).
func newLooseKeySet(keys []string) keySet {
	s := make(keySet, len(keys))
	for _, k := range keys {
		s[string(appendLoose(nil, strings.TrimSpace(k)))] = struct{}{}
	}
	return s
}

// appendLoose appends s lower-cased and without '_' and '-'.
func appendLoose[S string | []byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// keyFlag says what allowed_keys and route_fields make of a key.
type keyFlag uint8

const (
	flagAllowed keyFlag = 1 << iota
	flagRoute
	flagQuery // a route field whose value is a bare query string
)

// queryKeys are the route_fields whose value is a query string without '?'.
var queryKeys = []string{"url.query", "http.query", "query", "query_string"}

func newKeyFlags(allowed, routes []string) map[string]keyFlag {
	m := map[string]keyFlag{}
	for _, k := range allowed {
		m[strings.ToLower(strings.TrimSpace(k))] |= flagAllowed
	}
	for _, k := range routes {
		k = strings.ToLower(strings.TrimSpace(k))
		m[k] |= flagRoute
		for _, q := range queryKeys {
			if k == q {
				m[k] |= flagQuery
			}
		}
	}
	return m
}

// flags looks the full key and, when nested, the key's own name up.
func (e *engine) flags(full, own []byte) keyFlag {
	if len(e.keyFlags) == 0 {
		return 0
	}
	f := e.keyFlags[string(full)]
	if len(own) != len(full) {
		f |= e.keyFlags[string(own)]
	}
	return f
}
