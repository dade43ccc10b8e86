// Package detect holds the free-text PII detectors of the pii_redaction
// processor. Each detector lives in its own file, is a hand-written scanner
// (no regular expressions on the hot path) and starts with a cheap pre-check
// so that strings without candidate characters cost a few nanoseconds and
// never allocate.
package detect // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"

import "strings"

// Span is a half-open byte range [Start, End) of a detected value.
type Span struct {
	Start, End int
}

// Detector finds PII values inside a string.
type Detector interface {
	// Name is the stable identifier used in placeholders ([REDACTED:name]),
	// configuration and the component's own metrics.
	Name() string
	// Candidate is the cheap pre-check: given the character classes present
	// in a string (see Classify), it reports whether Find can find anything.
	// It must never return false for a string in which Find would report.
	Candidate(c Class) bool
	// Find appends the spans of s it detects to dst, in increasing order and
	// without overlaps, and returns the extended slice.
	Find(s string, dst []Span) []Span
}

// ClassFinder is a Detector that also takes the character classes of s
// (Classify, as the engine computed them), so it can skip the passes that
// the classes rule out without looking at s again. FindClass(s,
// Classify(s), dst) must find what Find(s, dst) finds.
type ClassFinder interface {
	FindClass(s string, c Class, dst []Span) []Span
}

// All returns every detector, in the order used to attribute overlapping
// findings: the most specific (credential-carrying) detectors come first.
func All() []Detector {
	return []Detector{
		URLCredentials{},
		QueryParam{},
		QueryID{},
		JWT{},
		Bearer{},
		Secret{},
		Email{},
		// Issue 25: national ids and device ids before the card and phone
		// detectors, whose digit runs they are more specific than.
		NationalID{},
		DeviceID{},
		DateOfBirth{},
		Card{},
		IBAN{},
		SSN{},
		Phone{},
		IP{},
		// Issue 25: personal data that no key announces.
		Geo{},
		// Free-text personal data without a fixed format: least specific,
		// so a value another detector also finds takes that one's action.
		PostalAddress{},
		PersonName{},
	}
}

// ByName returns the detector with the given name.
func ByName(name string) (Detector, bool) {
	for _, d := range All() {
		if d.Name() == name {
			return d, true
		}
	}
	return nil, false
}

// Names lists the names of all detectors in All order.
func Names() []string {
	all := All()
	out := make([]string, len(all))
	for i, d := range all {
		out[i] = d.Name()
	}
	return out
}

// Class is a set of character classes present in a string.
type Class uint16

// Character classes computed by Classify.
const (
	ClassDigit Class = 1 << iota
	ClassUpper
	ClassAt
	ClassDot
	ClassColon
	ClassEq
	ClassQuestion
	ClassSlash
	ClassUnderDash // '_' or '-'
	ClassB         // 'b' or 'B' (Bearer, Basic)
	ClassJ         // 'J' (base64 of a JSON object's first bytes: eyJ)
	ClassHigh      // a byte >= 0x80 (non-ASCII letters of names and addresses)
	ClassSpace     // 0x01..0x20 (space, tab, line breaks, controls): words (lower-case names, addresses after a cue)

	// NumClasses is the number of class bits detectors look at; Candidate
	// tables are indexed by c & (1<<NumClasses - 1).
	NumClasses = iota
)

// Classes outside the candidate tables: they tell the engine whether a
// string may need normalising (see Normalize) before matching.
const (
	ClassPercent Class = 1 << (NumClasses + iota) // '%'
	ClassOpen                                     // '[', '(' or '{' (of [at])

	// ClassNormalize is the set of classes that send a string through
	// Normalize.
	ClassNormalize = ClassHigh | ClassPercent | ClassOpen
	// CandidateMask selects the classes detectors' Candidate tables use.
	CandidateMask Class = 1<<NumClasses - 1
)

var classTable = func() (t [256]Class) {
	for c := '0'; c <= '9'; c++ {
		t[c] = ClassDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = ClassUpper
	}
	t['@'] = ClassAt
	t['.'] = ClassDot
	t[':'] = ClassColon
	t['='] = ClassEq
	t['?'] = ClassQuestion
	t['/'] = ClassSlash
	t['_'] = ClassUnderDash
	t['-'] = ClassUnderDash
	t['b'] = ClassB
	t['B'] |= ClassB
	t['J'] |= ClassJ
	for c := 1; c <= ' '; c++ {
		t[c] = ClassSpace // white space and control bytes: word boundaries
	}
	t['%'] = ClassPercent
	t['['], t['('], t['{'] = ClassOpen, ClassOpen, ClassOpen
	for c := 0x80; c < 0x100; c++ {
		t[c] = ClassHigh
	}
	return t
}()

// Classify returns the character classes present in s in one pass, so the
// engine can skip every detector whose candidate characters are absent.
func Classify(s string) Class {
	var c Class
	i := 0
	for ; i+4 <= len(s); i += 4 {
		c |= classTable[s[i]] | classTable[s[i+1]] | classTable[s[i+2]] | classTable[s[i+3]]
	}
	for ; i < len(s); i++ {
		c |= classTable[s[i]]
	}
	return c
}

// Has reports whether all classes in want are present.
func (c Class) Has(want Class) bool { return c&want == want }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool { return isUpper(c) || isLower(c) }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func lower(c byte) byte {
	if isUpper(c) {
		return c + ('a' - 'A')
	}
	return c
}

// hasDigit reports whether s contains an ASCII digit; most detectors need
// one, so it is the shared cheap pre-check.
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			return true
		}
	}
	return false
}

// alreadyRedacted reports whether a value produced by this processor starts
// at s, so that running the processor twice (e.g. agent and gateway) is
// idempotent instead of re-redacting its own placeholders and tokens.
func alreadyRedacted(s string) bool {
	return strings.HasPrefix(s, "[REDACTED") || strings.HasPrefix(s, "hmac:")
}

// equalFoldASCII compares an ASCII string case-insensitively with a
// lower-case literal.
func equalFoldASCII(s, lowerLit string) bool {
	if len(s) != len(lowerLit) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(s[i]) != lowerLit[i] {
			return false
		}
	}
	return true
}

// digitGroups tokenizes a run of digit groups starting at s[i] (a digit),
// separated by exactly one byte from seps; all separators of a run must be
// the same byte. It returns the end of the run, the number of digits, the
// number of groups n (lengths stored in groups while they fit; n may exceed
// len(groups)) and the separator used (0 if none).
func digitGroups(s string, i int, seps string, groups []int) (end, digits, n int, sep byte) {
	j := i
	for {
		st := j
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if n < len(groups) {
			groups[n] = j - st
		}
		n++
		digits += j - st
		if j+1 < len(s) && isDigit(s[j+1]) && strings.IndexByte(seps, s[j]) >= 0 && (sep == 0 || sep == s[j]) {
			sep = s[j]
			j++
			continue
		}
		return j, digits, n, sep
	}
}

// skipDigits returns the index after the contiguous digits starting at i.
func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// insideDigitRun reports whether the number starting at digit s[i] is an
// inner group of a longer number ("4890 0819 7459 0924"): it follows a
// separator preceded by a digit, and its own first group is followed by the
// same separator. "4111111111111111 415-555-2671" is two numbers.
func insideDigitRun(s string, i int) bool {
	if i < 2 || !isDigit(s[i]) {
		return false
	}
	p := s[i-1]
	if (p != ' ' && p != '-' && p != '.') || !isDigit(s[i-2]) {
		return false
	}
	j := skipDigits(s, i)
	return j+1 < len(s) && s[j] == p && isDigit(s[j+1])
}

// trimSentenceEnd drops a trailing '.' or ':' that ends the text or is
// followed by white space: punctuation of the sentence, not of the value.
func trimSentenceEnd(s string, start, end int) int {
	if end-start > 1 && (s[end-1] == '.' || s[end-1] == ':') &&
		(end == len(s) || s[end] == ' ' || s[end] == '\n' || s[end] == '\t' || s[end] == '\r') {
		return end - 1
	}
	return end
}
