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
	flagQuery   // a route field whose value is a bare query string
	flagAddress // an address_fields key (only when addresses are anonymized)
)

// queryKeys are the route_fields whose value is a query string without '?'.
var queryKeys = []string{"url.query", "http.query", "query", "query_string"}

func newKeyFlags(allowed, routes, addresses []string) map[string]keyFlag {
	m := map[string]keyFlag{}
	for _, k := range addresses {
		m[strings.ToLower(strings.TrimSpace(k))] |= flagAddress
	}
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

// flags looks the full key and, when nested, the key's own name up: one
// lookup for a top-level key answers allowed_keys, route_fields and
// address_fields together.
func (e *engine) flags(full, own []byte) keyFlag {
	if len(e.keyFlags) == 0 {
		return 0
	}
	var f keyFlag
	if e.flagKeys.mayHave(full) {
		f = e.keyFlags[string(full)]
	}
	if len(own) != len(full) && e.flagKeys.mayHave(own) {
		f |= e.keyFlags[string(own)]
	}
	return f
}

// keyFilter notes the (length, last byte) pairs of a key map's keys, so most
// keys that are not in the map are told apart by two loads instead of a
// string hash and probe. It never answers false for a key in the map.
type keyFilter [64]uint64

func filterBits[S string | []byte](k S) (int, uint64) {
	if len(k) == 0 {
		return 0, 1
	}
	return min(len(k), 63), 1 << (k[len(k)-1] & 63)
}

func (f *keyFilter) add(k string) {
	i, b := filterBits(k)
	f[i] |= b
}

func (f *keyFilter) mayHave(k []byte) bool {
	i, b := filterBits(k)
	return f[i]&b != 0
}

func newKeyFilter[V any](m map[string]V) (f keyFilter) {
	for k := range m {
		f.add(k)
	}
	return f
}

// looseFlag says what pii_fields and identifier_fields make of a loose key
// (appendLoose form).
type looseFlag uint8

const (
	looseOwnPII looseFlag = 1 << iota // pii_fields holds the key
	looseIdent                        // identifier_fields holds the key
)

// newLooseFlags merges pii_fields and identifier_fields (nil when not
// hashing identifiers) into one map: the keys of most attributes are in
// neither, and one lookup per key form says so for both, where separate
// sets cost a lookup each (the map lookups were ~10 % of a record's CPU).
func newLooseFlags(pii, ids []string) map[string]looseFlag {
	m := map[string]looseFlag{}
	for _, k := range pii {
		m[string(appendLoose(nil, strings.TrimSpace(k)))] |= looseOwnPII
	}
	for _, k := range ids {
		m[string(appendLoose(nil, strings.TrimSpace(k)))] |= looseIdent
	}
	return m
}

// looseFlags matches the loose full key and the key's own loose name
// (ownStart splits them): pii_fields matches either or the own name's last
// dotted segment (user.email matches "email"), identifier_fields the full
// key or the own name. It returns whether each matched.
func (e *engine) looseFlags(nkey []byte, ownStart int) (pii, ident bool) {
	m := e.loose
	if len(m) == 0 {
		return false, false
	}
	own := nkey[ownStart:]
	var f looseFlag
	if e.looseKeys.mayHave(own) {
		f = m[string(own)]
	}
	if ownStart > 0 && e.looseKeys.mayHave(nkey) {
		f |= m[string(nkey)]
	}
	if f&looseOwnPII == 0 {
		for i := len(own) - 1; i >= 0; i-- {
			if own[i] == '.' {
				if seg := own[i+1:]; e.looseKeys.mayHave(seg) {
					f |= m[string(seg)] & looseOwnPII
				}
				break
			}
		}
	}
	return f&looseOwnPII != 0, f&looseIdent != 0
}
