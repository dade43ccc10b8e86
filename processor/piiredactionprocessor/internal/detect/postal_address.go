package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PostalAddress finds postal addresses in free text, anchored on their
// numbers:
//   - a house number before a street: "221B Baker Street", "1600
//     Pennsylvania Ave NW", "12 rue de la Paix", "10, avenida de Mayo";
//   - a house number after a street: "Hauptstraße 5", "Berliner Str. 12a",
//     "Kerkstraat 12", "Calle Mayor, 12", "Via Roma 10", "ul. Marszałkowska
//     10", "Storgatan 3", "ул. Ленина, д. 5", "테헤란로 152";
//   - postcodes in their national shapes: "Springfield, IL 62704", "London
//     SW1A 1AA", "Toronto, ON M5V 3L9", "10115 Berlin", "1012 AB Amsterdam",
//     "00-950 Warszawa", "〒100-0001", and East Asian block addresses
//     ("建国路88号", "千代田1-1" after a ward);
//   - the value after an address cue ("address:", "Adresse:", "dirección:",
//     "ship to") that holds a number and a capitalised word.
//
// A street found is extended over the unit, postcode and city that follow
// it ("…, Apt 4B, Springfield, IL 62704"). Street words used as names are
// kept: "Wall Street Journal", "Abbey Road album" and "Main St. branch build
// 4412" have no house number in an address position, and a count before a
// weak street type followed by more words ("3 Google Drive files") is not a
// house number.
type PostalAddress struct{}

// Name implements Detector.
func (PostalAddress) Name() string { return "postal_address" }

// Candidate implements Detector: every shape has a digit.
func (PostalAddress) Candidate(c Class) bool {
	// Every shape with a number has a digit; one without a number (after
	// an address key or phrase) a capital or a non-ASCII letter.
	return c&ClassDigit != 0 || c&(ClassSpace|ClassColon|ClassEq) != 0 && c&(ClassUpper|ClassHigh) != 0
}

// Find implements Detector.
func (d PostalAddress) Find(s string, dst []Span) []Span {
	c := ClassSpace | ClassUpper | ClassHigh | ClassColon | ClassEq
	if hasDigit(s) {
		c |= ClassDigit
	}
	return d.FindClass(s, c, dst)
}

// FindClass implements ClassFinder: addresses without a number need a
// capital or a non-ASCII letter, and white space after a phrase cue.
func (PostalAddress) FindClass(s string, c Class, dst []Span) []Span {
	if len(s) < 6 {
		return dst
	}
	d0 := len(dst)
	numberless := c&(ClassUpper|ClassHigh) != 0
	if c&ClassDigit == 0 {
		if !numberless {
			return dst
		}
		// No number: only the value after an address key or phrase.
		if c&(ClassColon|ClassEq) != 0 {
			dst = findCueValues(s, dst)
		}
		if c&ClassSpace == 0 {
			return dst
		}
		return findNumberless(s, dst, d0)
	}
	last := 0 // end of the last span: findings never overlap
	for i := 0; i < len(s); {
		i = skipToPostalAnchor(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		if c == ':' || c == '=' {
			if sp, ok := addressAfterCue(s, i); ok && sp.Start >= last {
				dst = append(dst, sp)
				last = sp.End
				i = sp.End
				continue
			}
			i++
			continue
		}
		if !isDigit(c) {
			i++
			continue
		}
		if !houseNumberBoundary(s, i) {
			i = skipDigits(s, i)
			continue
		}
		if sp, ok := addressAtNumber(s, i, last); ok {
			dst = append(dst, sp)
			last = sp.End
			i = sp.End
			continue
		}
		i = skipDigits(s, i)
	}
	if !numberless || c&ClassSpace == 0 {
		return dst
	}
	return findNumberless(s, dst, d0)
}

// findCueValues appends the number-less addresses after address keys
// ("address: Platz der Republik") of a string without digits.
func findCueValues(s string, dst []Span) []Span {
	for i := 0; i < len(s); {
		i = skipToPostalAnchor(s, i)
		if i == len(s) {
			break
		}
		if c := s[i]; c == ':' || c == '=' {
			if sp, ok := addressAfterCue(s, i); ok {
				dst = append(dst, sp)
				i = sp.End
				continue
			}
		}
		i++
	}
	return dst
}

// postalAnchor marks the bytes Find stops at: digits and the separators
// of an address cue.
var postalAnchor = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t[':'], t['='] = true, true
	return t
}()

// skipToPostalAnchor returns the index of the next digit, ':' or '=' at or
// after i (len(s) if none), eight bytes at a time: a byte in 0x30..0x3D
// ('0'-'9', ':', ';', '<', '=') stops the word-wise skip.
func skipToPostalAnchor(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i) & 0x7f7f7f7f7f7f7f7f
		ge := (x + 0x5050505050505050) & 0x8080808080808080 // byte >= 0x30
		gt := (x + 0x4242424242424242) & 0x8080808080808080 // byte > 0x3d
		if ge&^gt != 0 {
			break
		}
	}
	for i < len(s) && !postalAnchor[s[i]] {
		i++
	}
	return i
}

// load64 reads eight bytes of s at i, little-endian.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// addressAtNumber tries every shape anchored on the number at s[i]; found
// spans start at or after min.
func addressAtNumber(s string, i, min int) (Span, bool) {
	// Every shape has a space, a comma or a CJK character next to its
	// number: "2024-01-15T10:30" and "12ms" end here.
	j := skipDigits(s, i)
	before := i > 0 && (s[i-1] == ' ' || s[i-1] == ',' || s[i-1] >= utf8.RuneSelf)
	after := j < len(s) && (s[j] == ' ' || s[j] == ',' || s[j] == '-' || s[j] == '/' || s[j] >= utf8.RuneSelf || isAlpha(s[j]))
	if !before && !after {
		return Span{}, false
	}
	nend, ok := houseNumber(s, i)
	if !ok {
		return postcodeAt(s, i, min)
	}
	// Number first: "221B Baker Street", "12 rue de la Paix".
	if !notHouseNumberCue(s, i) {
		if end, ok := streetAfterNumber(s, nend); ok {
			return Span{i, extendAddress(s, end)}, true
		}
	}
	// Post-office boxes: "PO Box 1234", "Postfach 10 12 34".
	if st, ok := poBoxBefore(s, i); ok && st >= min {
		e := nend
		for e+3 <= len(s) && s[e] == ' ' && isDigit(s[e+1]) && isDigit(s[e+2]) && (e+3 == len(s) || !isAlnum(s[e+3])) {
			e += 3 // "Postfach 10 12 34"
		}
		return Span{st, extendAddress(s, e)}, true
	}
	// Street first: "Hauptstraße 5", "Via Roma 10".
	if st, ok := streetBeforeNumber(s, i); ok && st >= min {
		return Span{st, extendAddress(s, nend)}, true
	}
	return postcodeAt(s, i, min)
}

// houseNumber reads a house number at s[i]: 1-5 digits, an optional letter
// ("221B", "12a") or range ("12-14", "5/7"), then a word boundary.
func houseNumber(s string, i int) (int, bool) {
	j := skipDigits(s, i)
	if j-i > 5 || (s[i] == '0') {
		return j, false
	}
	if j+1 < len(s) && (s[j] == '-' || s[j] == '/') && isDigit(s[j+1]) {
		k := skipDigits(s, j+1)
		if k-j-1 <= 4 {
			j = k
		}
	}
	if j < len(s) && isAlpha(s[j]) && (j+1 >= len(s) || !isAlnum(s[j+1])) {
		j++
	}
	// "12 bis", "12 ter" (French and Belgian numbering)
	for _, x := range [...]string{" bis", " ter", " quater"} {
		if hasPrefixAt(s, j, x) && (j+len(x) == len(s) || !isAlnum(s[j+len(x)])) {
			return j + len(x), true
		}
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] == '.' && j+1 < len(s) && isDigit(s[j+1])) {
		return j, false
	}
	if j < len(s) && s[j] == ':' && j+1 < len(s) && isDigit(s[j+1]) {
		return j, false // 10:42
	}
	return j, true
}

// houseNumberBoundary rejects digits inside identifiers, versions, paths,
// decimals and dash-joined codes.
func houseNumberBoundary(s string, i int) bool {
	if i == 0 {
		return true
	}
	// Bytes >= 0x80 (〒, CJK, no-break space already normalised) start a
	// house number; the table holds the bytes that glue a digit to what
	// precedes it.
	return !houseNumberGlue[s[i-1]]
}

var houseNumberGlue = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = isAlnum(byte(c))
	}
	for _, c := range []byte(".-_/+$#:=\\%@") {
		t[c] = true
	}
	return t
}()

// notHouseNumberCue reports a number that counts or names something else
// ("build 4412 Main Street", "step 3 Park Place", "port 8080").
func notHouseNumberCue(s string, i int) bool {
	k := i - 1
	for k >= 0 && s[k] == ' ' {
		k--
	}
	e := k + 1
	for k >= 0 && isAlpha(s[k]) {
		k--
	}
	if e-k-1 < 1 {
		return false
	}
	switch w := s[k+1 : e]; {
	case len(w) > 10:
		return false
	default:
		var buf [maxWord]byte
		f, _ := foldWord(&buf, w)
		switch string(f) {
		case "build", "version", "v", "release", "port", "pid", "line", "page", "step", "item", "issue",
			"pr", "ticket", "run", "attempt", "retry", "retries", "job", "node", "rack", "slot", "error",
			"code", "status", "count", "total", "size", "top", "last", "first", "next", "after",
			"every", "took", "waited", "sprint", "chapter", "section", "table", "figure", "rule",
			"level", "tier", "phase", "stage", "round", "epoch", "batch", "shard", "partition", "worker",
			"thread", "pod", "replica", "instance", "episode", "season", "vol", "volume", "no", "nr",
			"number", "id", "ref", "order", "invoice", "lot", "seat", "gate", "platform", "track", "room":
			return true
		}
	}
	return false
}

// streetAfterNumber reads the street after a house number ending at s[j]:
// capitalised words and a street type ("Baker Street", "Pennsylvania Ave
// NW"), or a street type written first ("rue de la Paix", "avenida de
// Mayo"). It returns the end of the street.
func streetAfterNumber(s string, j int) (int, bool) {
	k := j
	if k < len(s) && s[k] == ',' {
		k++
	}
	if k+1 >= len(s) || s[k] != ' ' {
		return 0, false
	}
	k++
	// Type first: "12 rue de la Paix".
	if wend, f, ok := streetWord(s, k); ok && f&lexStreetFirst != 0 {
		if end, ok := streetNameWords(s, skipAbbrevDot(s, wend), true); ok {
			return end, true
		}
	}
	// Name then type: up to four words, then the type.
	if !isUpper(s[k]) && s[k] < utf8.RuneSelf {
		// A lower-case word after a number is a count ("3 retries"), a
		// number another number ("4111 1111"); "350 5th Ave" goes on.
		if e, ok := anyWord(s, k); !ok || !isOrdinal(s[k:e]) {
			return 0, false
		}
	}
	words := 0
	for words < 5 && k < len(s) {
		wend, f, ok := streetWord(s, k)
		if !ok {
			return 0, false
		}
		if words > 0 && f&(lexStreetStrong|lexStreet) != 0 && isUpper(s[k]) {
			end := skipAbbrevDot(s, wend)
			end = skipDirection(s, end)
			if f&lexStreetStrong != 0 && strongEnglishType(s[k:wend]) {
				if !wordAfterIs(s, end, lexProductNext) {
					return end, true
				}
				return 0, false
			}
			// Curated types ("Drive", "Place", "Terrace") end the phrase: a
			// count before words goes on ("3 Google Drive files"). Types
			// only the vendored list knows ("Ports", "Points", "Union")
			// need a unit, postcode or city after them ("42 Wallaby Way,
			// Sydney" but not "5 Open Ports").
			if f&lexStreetStrong != 0 && streetPhraseEnds(s, end) {
				return end, true
			}
			if f&lexStreetStrong == 0 && extendAddress(s, end) > end {
				return end, true
			}
			return 0, false
		}
		if !isUpper(s[k]) && !isOrdinal(s[k:wend]) && s[k:wend] != "de" && s[k:wend] != "of" {
			return 0, false
		}
		words++
		k = skipAbbrevDot(s, wend)
		if k+1 < len(s) && s[k] == ' ' && s[k+1] != ' ' {
			k++
			continue
		}
		return 0, false
	}
	return 0, false
}

// strongEnglishType reports the English street types that make an address
// whatever follows (the rest of the curated vocabulary is weak).
func strongEnglishType(w string) bool {
	var buf [maxWord]byte
	f, _ := foldWord(&buf, w)
	switch string(f) {
	case "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "highway", "hwy", "parkway",
		"pkwy", "lane", "ln", "str", "strasse", "expressway", "expy", "turnpike", "tpke":
		return true
	}
	return false
}

// streetPhraseEnds reports whether the street at s[:end] ends its phrase:
// end of text, punctuation, a unit ("Apt 4") or a line break.
func streetPhraseEnds(s string, end int) bool {
	if end >= len(s) {
		return true
	}
	switch s[end] {
	case ',', ';', ')', '"', '\'', '\n', '\r', '\t', '|', '.':
		return true
	case ' ':
		if end+1 < len(s) && (s[end+1] == '#' || s[end+1] == '(' || s[end+1] == '-') {
			return true
		}
		if _, ok := unitAt(s, end+1); ok {
			return true
		}
		if _, ok := postcodeShape(s, end+1); ok {
			return true
		}
	}
	return false
}

// streetNameWords reads the name after a street type written first: at
// least one capitalised word, with particles ("de la", "van", "di") between.
func streetNameWords(s string, k int, needCap bool) (int, bool) {
	if k >= len(s) || s[k] != ' ' {
		return 0, false
	}
	k++
	end, caps := 0, 0
	for n := 0; n < 7 && k < len(s); n++ {
		wend, ok := anyWord(s, k)
		if !ok {
			break
		}
		w := s[k:wend]
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r) && utf8.RuneCountInString(w) >= 2 || isOrdinal(w):
			caps++
			end = skipAbbrevDot(s, wend)
		case lookup(w)&lexParticle != 0 || w == "d" || w == "l" || w == "del" || w == "des" || w == "du" || w == "dei" || w == "degli" || w == "delle":
			// particle: part of the name only if a capital follows
		default:
			n = 99
			continue
		}
		k = wend
		if k < len(s) && (s[k] == '\'' || s[k] == '-') { // d'Italie, Champs-Élysées
			k++
			continue
		}
		if k+1 < len(s) && s[k] == ' ' && s[k+1] != ' ' {
			k++
			continue
		}
		break
	}
	if caps == 0 && needCap {
		return 0, false
	}
	return end, end > 0
}

// streetBeforeNumber finds a street that ends right before the house
// number at s[i] ("Hauptstraße 5", "Calle Mayor, 12", "Via Roma 10",
// "ul. Ленина, д. 5") and returns where it starts.
func streetBeforeNumber(s string, i int) (int, bool) {
	// House numbers written after the street have at most four digits,
	// and four that read as a year are one ("Sesamstraße 2024").
	digits := skipDigits(s, i) - i
	if digits > 4 {
		return 0, false
	}
	k := i
	// "Calle Mayor, 12", "Via Roma nº 10", "Ленина, д. 5", "Hauptstr. Nr. 5"
	for n := 0; n < 5 && k > 0; n++ {
		c := s[k-1]
		if c == ' ' || c == ',' {
			k--
			continue
		}
		if c == '.' || isAlpha(c) || c >= utf8.RuneSelf {
			// a house-number marker word
			m := k
			if c == '.' {
				m--
			}
			st := m
			for st > 0 && (isAlpha(s[st-1]) || s[st-1] >= utf8.RuneSelf) {
				st--
			}
			if st < m && houseMarker(s[st:m]) && n > 0 {
				k = st
				continue
			}
		}
		break
	}
	if k == i || k == 0 {
		return 0, false
	}
	// The words before: read backwards up to 6 words.
	var starts [7]int
	var ends [7]int
	n := 0
	e := k
	for n < 7 {
		for e > 0 && s[e-1] == ' ' {
			e--
		}
		if e == 0 {
			break
		}
		we := e
		if s[we-1] == '.' {
			we--
		}
		st := we
		for st > 0 && (isAlpha(s[st-1]) || s[st-1] >= utf8.RuneSelf || s[st-1] == '\'' || s[st-1] == '-') {
			st--
		}
		if st == we {
			break
		}
		for st < we && s[st] >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[st:])
			if unicode.IsLetter(r) {
				break
			}
			st += size // not a letter (〒, quotes): not part of the word
		}
		if st == we {
			break
		}
		starts[n], ends[n] = st, we
		n++
		if st > 0 && s[st-1] != ' ' {
			// "C/ Mayor 7", "c/Alcalá 45": the Spanish abbreviation of calle.
			if s[st-1] == '/' && st >= 2 && (s[st-2] == 'C' || s[st-2] == 'c') && (st == 2 || !isAlnum(s[st-3])) {
				if startsUpper(s[st:we]) {
					return st - 2, true
				}
			}
			break
		}
		if st >= 3 && s[st-2] == '/' && (s[st-3] == 'C' || s[st-3] == 'c') && (st == 3 || !isAlnum(s[st-4])) && startsUpper(s[st:we]) {
			return st - 3, true
		}
		e = st
		if e-1 > 0 && s[e-1] == ' ' && (s[e-2] == ',' || s[e-2] == ':' || s[e-2] == ';') {
			break
		}
	}
	if n == 0 {
		return 0, false
	}
	// Words[0] is the word right before the number.
	w0 := s[starts[0]:ends[0]]
	dot := ends[0] < len(s) && s[ends[0]] == '.'
	// A compound street ("Hauptstraße", "Kerkstraat", "Storgatan",
	// "Schillerstr.") or a standalone type after a capitalised word
	// ("Berliner Straße", "Platz der Republik" is not handled).
	if digits == 4 && (s[i:i+2] == "19" || s[i:i+2] == "20") && !koreanRoad(w0) {
		return 0, false // a year
	}
	// A German street named by a preposition: "Am Hafen 3", "An der Alster
	// 12", "Am Alten Markt 5"; the number ends the phrase or a postcode,
	// unit or city follows ("Im Test 3 Fehler" is prose).
	for x := 1; x < n && x <= 3 && startsUpper(w0); x++ {
		if end, ok := prepositionStreetAt(s, starts[x]); ok && end == ends[0] {
			nend, _ := houseNumber(s, i)
			if streetPhraseEnds(s, nend) || extendAddress(s, nend) > nend {
				return starts[x], true
			}
			return 0, false
		}
	}
	if startsUpper(w0) && compoundStreet(w0, dot) {
		return starts[0], true
	}
	// The type after the name, as its own word, in whatever case the
	// language writes it ("Berliner Straße 12", "Andrássy út 60", "Karl
	// Johans gate 22", "Václavské náměstí 1", "Невский проспект 28").
	if n > 1 && lastType(w0) {
		if _, ok := capWord(s, starts[1]); ok {
			st := starts[1]
			if n > 2 && startsUpper(s[starts[2]:ends[2]]) {
				st = starts[2]
			}
			if startsUpper(w0) || !proseAfter(s, wordEnd(s, i)) {
				return st, true
			}
		}
	}
	// Korean road names: "테헤란로 152", "세종대로 110".
	if koreanRoad(w0) {
		return starts[0], true
	}
	// Type first: the first of the words before is a street type, the
	// words after it a capitalised name ("Via Roma", "ul. Marszałkowska",
	// "Avenida de la Constitución").
	if !startsUpper(w0) {
		return 0, false // the name before the number starts with a capital
	}
	for x := 1; x < n; x++ {
		w := s[starts[x]:ends[x]]
		f := lookup(w)
		if startsUpper(w) && germanTypeFirst(w) {
			f |= lexStreetFirst // "Platz der Republik 1", "Allee der Kosmonauten 3"
		}
		if f&lexStreetFirst == 0 {
			if !startsUpper(w) && f&lexParticle == 0 && !isFrenchElision(w) {
				return 0, false // prose before the name: no type in reach
			}
			continue
		}
		if !nameWordsBetween(s, starts, ends, x) {
			return 0, false
		}
		// Lower-case "via", "place", "route" are English words: "sent via
		// Kafka 3 times" is no address. A lower-case type needs its number
		// to end the phrase.
		if r, _ := utf8.DecodeRuneInString(w); !unicode.IsUpper(r) && !abbrevType(w, ends[x] < len(s) && s[ends[x]] == '.') {
			nend, _ := houseNumber(s, i)
			if !streetPhraseEnds(s, nend) {
				return 0, false
			}
		}
		// "Via Lattea 3 immagini": a number followed by more prose is a
		// count, not a house number.
		nend, _ := houseNumber(s, i)
		if proseAfter(s, nend) {
			return 0, false
		}
		return starts[x], true
	}
	return 0, false
}

// proseAfter reports a lower-case word of three or more letters right after
// s[end] (not a unit or a house-number letter).
func proseAfter(s string, end int) bool {
	if end+1 >= len(s) || s[end] != ' ' || !isLower(s[end+1]) {
		return false
	}
	e := end + 1
	for e < len(s) && (isLower(s[e]) || s[e] >= utf8.RuneSelf) {
		e++
	}
	if e-end-1 < 3 {
		return false
	}
	if _, ok := unitAt(s, end+1); ok {
		return false
	}
	return true
}

func isFrenchElision(w string) bool {
	switch w {
	case "d", "l", "del", "des", "du", "dei", "degli", "delle":
		return true
	}
	return false
}

// nameWordsBetween reports whether the words before index x (nearer the
// number) form a street name: capitalised words and particles, at least one
// capitalised.
func nameWordsBetween(s string, starts, ends [7]int, x int) bool {
	caps := 0
	for y := 0; y < x; y++ {
		w := s[starts[y]:ends[y]]
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r):
			caps++
		case lookup(w)&lexParticle != 0 || w == "del" || w == "des" || w == "du" || w == "dei" || w == "d" || w == "l":
		default:
			return false
		}
	}
	return caps > 0
}

// abbrevType reports an abbreviated type ("ul.", "c/", "av.", "ул."), which
// is never an English word.
func abbrevType(w string, dot bool) bool {
	return dot || w == "ул" || w == "пр"
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// houseMarker reports the words written between a street and its number:
// "nº", "no", "Nr", "n", "д" (дом), "dom", "num".
func houseMarker(w string) bool {
	var buf [maxWord]byte
	f, _ := foldWord(&buf, w)
	switch string(f) {
	case "no", "nr", "n", "num", "numero", "nº", "n°", "д", "дом", "dom", "hausnummer", "huisnummer", "number":
		return true
	}
	return false
}

// streetSuffixes are the endings of compound street names in German,
// Dutch, the Nordic languages, Finnish and Hungarian.
var streetSuffixes = [...]string{
	"strasse", "weg", "platz", "allee", "gasse", "damm", "ufer", "chaussee", "steig", "pfad", "ring",
	"markt", "straat", "laan", "plein", "gracht", "kade", "singel", "dijk", "gatan", "vagen", "gata",
	"vej", "gade", "vei", "veien", "gate", "katu", "tie", "utca", "stieg", "wall", "berg",
}

// compoundStreet reports a compound street name ("Hauptstraße",
// "Lindenweg", "Kerkstraat", "Storgatan"), or an abbreviated one with its
// dot ("Schillerstr.").
func compoundStreet(w string, dot bool) bool {
	var buf [maxWord]byte
	f, ok := foldWord(&buf, w)
	if !ok {
		return false
	}
	if dot && len(f) > 5 && string(f[len(f)-3:]) == "str" {
		return true
	}
	for _, suf := range streetSuffixes {
		if len(f) >= len(suf)+3 && string(f[len(f)-len(suf):]) == suf {
			switch suf {
			case "ring", "wall", "berg", "gate", "tie", "markt":
				// "Spring 3", "Firewall 2", "Colgate 12", "Bowtie 4": these
				// endings need a longer word.
				if len(f) < len(suf)+5 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// lastType reports a street type written after the name as its own word
// ("Berliner Straße", "Lange Laan").
func lastType(w string) bool {
	var buf [maxWord]byte
	f, _ := foldWord(&buf, w)
	switch string(f) {
	case "strasse", "str", "weg", "platz", "allee", "gasse", "damm", "ufer", "chaussee", "straat", "laan",
		"plein", "gracht", "kade", "singel", "dijk", "gatan", "vagen", "gata", "vej", "gade", "vei", "veien",
		"utca", "ut", "ter", "korut", "iela", "gate", "namesti", "ulice", "trida", "tie", "katu",
		"проспект", "улица", "переулок", "шоссе", "бульвар", "набережная":
		return true
	}
	return false
}

// koreanRoad reports a Korean road name: Hangul ending in 로 or 길.
func koreanRoad(w string) bool {
	r, size := utf8.DecodeLastRuneInString(w)
	if (r != '로' && r != '길') || len(w) <= size {
		return false
	}
	r0, _ := utf8.DecodeRuneInString(w)
	return r0 >= 0xAC00 && r0 <= 0xD7A3
}

// streetWord reads a word at s[k] and its lexicon flags.
func streetWord(s string, k int) (int, uint16, bool) {
	wend, ok := anyWord(s, k)
	if !ok {
		return 0, 0, false
	}
	return wend, lookup(s[k:wend]), true
}

// anyWord reads letters (and digits of ordinals like 5th) at s[k].
func anyWord(s string, k int) (int, bool) {
	j := k
	for j < len(s) {
		c := s[j]
		if isAlnum(c) {
			j++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) {
				break
			}
			j += n
			continue
		}
		if c == '\'' && j > k && j+1 < len(s) && isAlpha(s[j+1]) {
			j++
			continue
		}
		break
	}
	return j, j > k && j-k <= maxWord
}

func isOrdinal(w string) bool {
	j := skipDigits(w, 0)
	if j == 0 || j > 3 {
		return false
	}
	switch w[j:] {
	case "st", "nd", "rd", "th", "e", "er", "eme", "º", "a", "o":
		return true
	}
	return false
}

// skipAbbrevDot steps over the dot of an abbreviation ("St.", "Ave.").
func skipAbbrevDot(s string, j int) int {
	if j < len(s) && s[j] == '.' {
		return j + 1
	}
	return j
}

// skipDirection steps over a compass direction after an American street
// ("Ave NW", "St SE", "Street West").
func skipDirection(s string, j int) int {
	for _, d := range [...]string{" North", " South", " East", " West"} {
		if hasPrefixAt(s, j, d) && (j+len(d) == len(s) || !isAlnum(s[j+len(d)])) {
			return j + len(d)
		}
	}
	if j+2 < len(s) && s[j] == ' ' {
		k := j + 1
		e := k
		for e < len(s) && isUpper(s[e]) && e-k < 2 {
			e++
		}
		switch s[k:e] {
		case "N", "S", "E", "W", "NE", "NW", "SE", "SW":
			if e == len(s) || !isAlnum(s[e]) {
				return skipAbbrevDot(s, e)
			}
		}
	}
	return j
}

// wordAfterIs reports whether the word after a space at s[j] has flag f.
func wordAfterIs(s string, j int, f uint16) bool {
	if j >= len(s) || s[j] != ' ' {
		return false
	}
	e, ok := anyWord(s, j+1)
	return ok && lookup(s[j+1:e])&f != 0
}

// unitAt reads a unit after a street ("Apt 4B", "Suite 300", "Unit 5",
// "Flat 2", "#12", "Wohnung 3", "bis").
func unitAt(s string, k int) (int, bool) {
	e, ok := anyWord(s, k)
	if !ok {
		return 0, false
	}
	var buf [maxWord]byte
	f, _ := foldWord(&buf, s[k:e])
	switch string(f) {
	case "apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room", "rm", "bldg", "building",
		"wohnung", "whg", "etage", "stock", "og", "piso", "puerta", "planta", "escalera", "interno", "int",
		"scala", "piano", "appartement", "appt", "etg", "bus", "lok", "m", "kv", "кв":
	default:
		return 0, false
	}
	j := skipAbbrevDot(s, e)
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j < len(s) && s[j] == '#' {
		j++
	}
	if j >= len(s) || !isAlnum(s[j]) {
		return 0, false
	}
	for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
		j++
	}
	return j, true
}

// extendAddress extends a street ending at s[end] over the unit, postcode
// and city that follow it.
func extendAddress(s string, end int) int {
	for seg := 0; seg < 4; seg++ {
		k := end
		if k < len(s) && s[k] == ',' {
			k++
		}
		if k >= len(s) || s[k] != ' ' {
			return end
		}
		k++
		if k >= len(s) {
			return end
		}
		if s[k] == '#' && k+1 < len(s) && isAlnum(s[k+1]) {
			j := k + 1
			for j < len(s) && isAlnum(s[j]) {
				j++
			}
			end = j
			continue
		}
		if j, ok := unitAt(s, k); ok {
			end = j
			continue
		}
		if j, ok := postcodeShape(s, k); ok {
			end = cityAfter(s, j, false)
			continue
		}
		// "Springfield, IL 62704", "London SW1A 1AA", ", Berlin"; without
		// the comma a capitalised word is more prose ("Baker Street
		// Irregulars") unless a postcode follows.
		if j, ok := cityWords(s, k); ok {
			m := j
			if m < len(s) && s[m] == ',' {
				m++
			}
			if m+1 < len(s) && s[m] == ' ' {
				if pe, ok := postcodeShape(s, m+1); ok {
					end = pe
					continue
				}
			}
			if s[end] == ',' {
				end = j
			}
			return end
		}
		return end
	}
	return end
}

// cityWords reads one to three capitalised words (a city) at s[k].
func cityWords(s string, k int) (int, bool) {
	end := 0
	for n := 0; n < 3 && k < len(s); n++ {
		if _, ok := capWord(s, k); !ok {
			break
		}
		e, _ := anyWord(s, k)
		if lookup(s[k:e])&(lexProductNext|lexStreetStrong) != 0 && lookup(s[k:e])&lexCity == 0 {
			break
		}
		end = e
		if e+1 < len(s) && s[e] == ' ' && s[e+1] != ' ' {
			k = e + 1
			continue
		}
		break
	}
	return end, end > 0
}

// cityAfter extends a postcode ending at s[j] over the city after it;
// known requires the city to be in the lexicon.
func cityAfter(s string, j int, known bool) int {
	if j+1 < len(s) && s[j] == ' ' {
		if e, ok := cityWords(s, j+1); ok {
			if !known || lookup(s[j+1:wordEnd(s, j+1)])&lexCity != 0 {
				return e
			}
		}
	}
	return j
}

func wordEnd(s string, k int) int {
	e, _ := anyWord(s, k)
	return e
}

// usStates are the two-letter codes of US states and territories.
const usStates = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI"

// caProvinces are the two-letter codes of Canadian provinces.
const caProvinces = "AB BC MB NB NL NS NT NU ON PE QC SK YT"

func twoLetterIn(s string, k int, list string) bool {
	if k+2 > len(s) || !isUpper(s[k]) || !isUpper(s[k+1]) {
		return false
	}
	for x := 0; x+2 <= len(list); x += 3 {
		if list[x] == s[k] && list[x+1] == s[k+1] {
			return true
		}
	}
	return false
}

// postcodeShape reads a postcode with what must come with it at s[k]:
// "IL 62704", "SW1A 1AA", "ON M5V 3L9", "M5V 3L9", "10115", "1012 AB",
// "00-950", "1000-001", "〒100-0001". It returns the end of the postcode.
func postcodeShape(s string, k int) (int, bool) {
	if k >= len(s) {
		return 0, false
	}
	if isUpper(s[k]) {
		return postcodeShapeLetters(s, k)
	}
	if e, ok := japanPostAt(s, k); ok {
		return e, true
	}
	if isDigit(s[k]) {
		return postcodeShapeDigits(s, k)
	}
	return 0, false
}

// postcodeShapeLetters reads the postcodes that start with a letter: a US
// state, an Australian state or a Canadian province with its code, or a
// Canadian or UK postcode.
func postcodeShapeLetters(s string, k int) (int, bool) {
	// US state + ZIP
	if twoLetterIn(s, k, usStates) && k+3 < len(s) && s[k+2] == ' ' && isDigit(s[k+3]) {
		if e, ok := zipAt(s, k+3); ok {
			return e, true
		}
	}
	// AU state + postcode: "NSW 2000", "VIC 3000"
	if e, ok := australianAt(s, k); ok {
		return e, true
	}
	// CA province + postcode
	if twoLetterIn(s, k, caProvinces) && k+3 < len(s) && s[k+2] == ' ' {
		if e, ok := canadianAt(s, k+3); ok {
			return e, true
		}
	}
	if e, ok := canadianAt(s, k); ok {
		return e, true
	}
	if e, ok := ukAt(s, k); ok {
		return e, true
	}
	return 0, false
}

// postcodeShapeDigits reads the all-digit postcodes of continental Europe
// and Brazil.
func postcodeShapeDigits(s string, k int) (int, bool) {
	j := skipDigits(s, k)
	switch {
	case j-k == 5 && numberEndBoundary(s, j):
		return j, true // DE, FR, ES, IT, US ZIP
	case j-k == 4 && j+3 <= len(s) && s[j] == ' ' && dutchLetters(s, j+1):
		return j + 3, true // NL 1012 AB
	case j-k == 4 && numberEndBoundary(s, j):
		return j, true // AT, CH, BE, DK, NO
	case j-k == 3 && j+3 <= len(s) && s[j] == ' ' && isDigit(s[j+1]) && skipDigits(s, j+1) == j+3 && numberEndBoundary(s, j+3):
		return j + 3, true // CZ, SK, SE 110 00
	case (j-k == 2 || j-k == 4 || j-k == 5) && j+4 <= len(s) && s[j] == '-' && isDigit(s[j+1]):
		e := skipDigits(s, j+1)
		if e-j-1 == 3 && numberEndBoundary(s, e) {
			return e, true // PL 00-950, PT 1000-001, BR 01310-100
		}
	}
	return 0, false
}

// australianAt reads an Australian state and its four-digit postcode.
func australianAt(s string, k int) (int, bool) {
	for _, st := range [...]string{"NSW ", "VIC ", "QLD ", "TAS ", "ACT ", "SA ", "WA ", "NT "} {
		if hasPrefixAt(s, k, st) {
			j := k + len(st)
			e := skipDigits(s, j)
			if e-j == 4 && numberEndBoundary(s, e) {
				return e, true
			}
		}
	}
	return 0, false
}

func zipAt(s string, k int) (int, bool) {
	j := skipDigits(s, k)
	if j-k != 5 {
		return 0, false
	}
	if j+5 <= len(s) && s[j] == '-' && isDigit(s[j+1]) {
		if e := skipDigits(s, j+1); e-j-1 == 4 {
			j = e
		}
	}
	return j, numberEndBoundary(s, j)
}

// canadianAt reads "M5V 3L9" (first letters of Canadian postcodes only).
func canadianAt(s string, k int) (int, bool) {
	if k+7 > len(s) {
		return 0, false
	}
	p := s[k : k+7]
	const first = "ABCEGHJKLMNPRSTVXY"
	ok := isUpper(p[0]) && isDigit(p[1]) && isUpper(p[2]) && p[3] == ' ' && isDigit(p[4]) && isUpper(p[5]) && isDigit(p[6])
	if !ok || !containsByte(first, p[0]) {
		return 0, false
	}
	return k + 7, k+7 == len(s) || !isAlnum(s[k+7])
}

// ukAt reads a UK postcode written with its space: "SW1A 1AA", "M1 1AE",
// "B33 8TH", "EC1A 1BB".
func ukAt(s string, k int) (int, bool) {
	j := k
	for j < len(s) && isUpper(s[j]) && j-k < 2 {
		j++
	}
	if j == k || j >= len(s) || !isDigit(s[j]) {
		return 0, false
	}
	j++
	if j < len(s) && (isDigit(s[j]) || isUpper(s[j])) {
		j++
	}
	if j+4 > len(s) || s[j] != ' ' || !isDigit(s[j+1]) {
		return 0, false
	}
	const inward = "ABDEFGHJLNPQRSTUWXYZ"
	if !containsByte(inward, s[j+2]) || !containsByte(inward, s[j+3]) {
		return 0, false
	}
	e := j + 4
	return e, e == len(s) || !isAlnum(s[e])
}

// japanPostAt reads "〒100-0001" (or "〒 1000001").
func japanPostAt(s string, k int) (int, bool) {
	const mark = "〒"
	if len(s)-k < len(mark)+7 || s[k:k+len(mark)] != mark {
		return 0, false
	}
	j := k + len(mark)
	if j < len(s) && s[j] == ' ' {
		j++
	}
	a := skipDigits(s, j)
	if a-j == 7 {
		return a, true
	}
	if a-j == 3 && a+1 < len(s) && s[a] == '-' {
		if b := skipDigits(s, a+1); b-a-1 == 4 {
			return b, true
		}
	}
	return 0, false
}

func dutchLetters(s string, k int) bool {
	if k+2 > len(s) || !isUpper(s[k]) || !isUpper(s[k+1]) || (k+2 < len(s) && isAlnum(s[k+2])) {
		return false
	}
	switch s[k : k+2] {
	case "SA", "SD", "SS", "KB", "MB", "GB", "TB", "PB", "MS", "NS", "US", "EU", "UK", "AM", "PM", "OK",
		"ID", "IP", "AD", "BC", "CE", "HZ", "DB", "QA", "UI", "OS", "PC", "TV", "VM":
		return false
	}
	return true
}

func containsByte(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// postcodeAt finds a postcode standing on its own at the number s[i]
// (no street before it), where its shape and neighbours make it one.
func postcodeAt(s string, i, min int) (Span, bool) {
	// 〒 before the digits.
	if i >= len("〒") {
		st := i - len("〒")
		if s[i-1] == ' ' && st >= 1 {
			st--
		}
		if e, ok := japanPostAt(s, st); ok && st >= min {
			return Span{st, eastAsianTail(s, e)}, true
		}
	}
	// East Asian block addresses: "建国路88号", "千代田区千代田1-1".
	if sp, ok := eastAsianAt(s, i); ok && sp.Start >= min {
		return sp, true
	}
	j := skipDigits(s, i)
	n := j - i
	// US ZIP after "City, ST ": found from the state code.
	if n == 5 && i >= 4 && s[i-1] == ' ' && twoLetterIn(s, i-3, usStates) && (i-3 == 0 || s[i-4] == ' ') {
		if e, ok := zipAt(s, i); ok && i-4 >= 0 {
			st := i - 3
			if cs, ok := cityBefore(s, st); ok {
				st = cs
			} else {
				return Span{}, false // "PA 12345" alone: too weak
			}
			if st >= min {
				return Span{st, e}, true
			}
		}
	}
	// UK and Canadian postcodes: anchored on their inward digit, the
	// outward code before it ("SW1A 1AA": i at '1' of "1AA").
	if n == 1 && i >= 3 && s[i-1] == ' ' {
		for back := 2; back <= 4 && back+1 <= i; back++ {
			st := i - 1 - back
			if st > 0 && isAlnum(s[st-1]) {
				continue
			}
			if e, ok := ukAt(s, st); ok && e > i {
				if postcodeContext(s, st) && st >= min {
					if cs, ok := cityBefore(s, st); ok && cs >= min {
						st = cs // "London SW1A 1AA"
					}
					return Span{st, e}, true
				}
			}
		}
		if i >= 4 {
			st := i - 4
			if e, ok := canadianAt(s, st); ok && (st == 0 || !isAlnum(s[st-1])) && st >= min {
				if st >= 3 && s[st-1] == ' ' && twoLetterIn(s, st-3, caProvinces) {
					st -= 3
				}
				if cs, ok := cityBefore(s, st); ok && cs >= min {
					st = cs // "Toronto, ON M5V 3L9"
				}
				return Span{st, e}, true
			}
		}
	}
	// "10115 Berlin", "75008 Paris", "1012 AB Amsterdam", "00-950 Warszawa":
	// a city the lexicon knows after the code.
	if e, ok := postcodeShape(s, i); ok && e > i && isDigit(s[i]) {
		if c := cityAfter(s, e, true); c > e && i >= min {
			return Span{i, c}, true
		}
	}
	return Span{}, false
}

// cityBefore finds "City, " or "City " ending at s[st] (the state code).
func cityBefore(s string, st int) (int, bool) {
	k := st - 1
	if k >= 0 && s[k] == ' ' {
		k--
	}
	if k >= 0 && s[k] == ',' {
		k--
	}
	e := k + 1
	for k >= 0 && (isAlpha(s[k]) || s[k] >= utf8.RuneSelf) {
		k--
	}
	if e-k-1 < 2 {
		return 0, false
	}
	if _, ok := capWord(s, k+1); !ok {
		return 0, false
	}
	// a second word of the city ("San Francisco", "New York")
	if k > 0 && s[k] == ' ' {
		m := k - 1
		for m >= 0 && isAlpha(s[m]) {
			m--
		}
		if _, ok := capWord(s, m+1); ok && m+1 < k && (m < 0 || !isAlnum(s[m])) {
			if lookup(s[m+1:k])&(lexNotName|lexProductNext) == 0 {
				return m + 1, true
			}
		}
	}
	return k + 1, true
}

// postcodeContext reports whether a UK postcode at s[st] stands where a
// postcode does: after a capitalised town, a comma, a line start or the
// start of the text.
func postcodeContext(s string, st int) bool {
	if st == 0 {
		return true
	}
	k := st - 1
	if s[k] == '\n' || s[k] == '"' || s[k] == '\'' {
		return true
	}
	if s[k] != ' ' {
		return false
	}
	k--
	if k >= 0 && s[k] == ',' {
		return true
	}
	e := k + 1
	for k >= 0 && isAlpha(s[k]) {
		k--
	}
	if e-k-1 < 2 {
		return false
	}
	_, ok := capWord(s, k+1)
	return ok
}

// eastAsianAt finds a Chinese or Japanese block address whose number
// starts at s[i]: "建国路88号" (road + number + 号) or "千代田区千代田1-1"
// / "中央区銀座4丁目" (ward or city, then the block numbers).
func eastAsianAt(s string, i int) (Span, bool) {
	if i < 3 || s[i-1] < utf8.RuneSelf {
		return Span{}, false
	}
	// An administrative unit anywhere before the numbers, or a road right
	// before them ("建国路88号"; "路由器1号" is router no. 1).
	st, wardOrRoad := i, false
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); strings.ContainsRune("路街道巷弄段通", r) {
		wardOrRoad = true
	}
	for n := 0; st > 0 && n < 24; n++ {
		r, size := utf8.DecodeLastRuneInString(s[:st])
		if !isHan(r) && !(r >= 0x3040 && r <= 0x30FF) {
			break
		}
		if strings.ContainsRune("区區市町村県縣都府省", r) {
			wardOrRoad = true
		}
		st -= size
	}
	if st == i || !wardOrRoad {
		return Span{}, false
	}
	// The block numbers: "88号", "1-1", "4丁目5-3", "1丁目2番3号".
	j := skipDigits(s, i)
	e := j
	for k := 0; k < 4; k++ {
		switch {
		case hasPrefixAt(s, e, "号"), hasPrefixAt(s, e, "號"), hasPrefixAt(s, e, "番"):
			e += len("号")
			if hasPrefixAt(s, e, "地") || hasPrefixAt(s, e, "室") {
				e += len("地")
			}
		case hasPrefixAt(s, e, "丁目"):
			e += len("丁目")
		case e+1 < len(s) && s[e] == '-' && isDigit(s[e+1]):
			e++
		default:
			k = 4
			continue
		}
		if e < len(s) && isDigit(s[e]) {
			e = skipDigits(s, e)
		}
	}
	if e == j {
		return Span{}, false
	}
	return Span{st, eastAsianTail(s, e)}, true
}

// eastAsianTail extends a Japanese postcode or block over the address
// written right after it (no spaces in CJK addresses).
func eastAsianTail(s string, e int) int {
	j := e
	if j < len(s) && s[j] == ' ' {
		j++
	}
	k := j
	for k < len(s) {
		c := s[k]
		if isDigit(c) || c == '-' {
			k++
			continue
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRuneInString(s[k:])
		if !isHan(r) && !(r >= 0x3040 && r <= 0x30FF) {
			break
		}
		k += size
	}
	if k > j {
		return k
	}
	return e
}

func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

// addressCues are the keys that announce an address.
func addressCue(w string) bool {
	var buf [maxWord]byte
	f, ok := foldWord(&buf, w)
	if !ok {
		return false
	}
	switch string(f) {
	case "address", "addr", "street", "streetaddress", "street_address", "shipping_address", "billing_address",
		"home_address", "mailing_address", "postal_address", "shippingaddress", "billingaddress",
		"homeaddress", "adresse", "anschrift", "lieferadresse", "rechnungsadresse", "wohnort", "direccion",
		"domicilio", "indirizzo", "endereco", "morada", "adres", "adresa", "adresas", "osoite", "cim",
		"адрес", "住所", "地址", "주소":
		return true
	}
	return false
}

// addressCueEnding is the cheap pre-check of addressCue on the last two
// bytes of a key: most keys before '=' and ':' (ids, counts, durations)
// end otherwise.
func addressCueEnding(a, b byte) bool {
	if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
		return true
	}
	switch string([]byte{lower(a), lower(b)}) {
	case "ss", "dr", "et", "se", "ft", "rt", "on", "io", "zo", "co", "da", "es", "sa", "as", "te", "im":
		return true
	}
	return false
}

// addressAfterCue reads the value after "address:" / "Adresse=" at the
// separator s[i] when it holds a house number and a capitalised word: the
// value up to the end of the line, a quote or the next key=value.
func addressAfterCue(s string, i int) (Span, bool) {
	k := i
	if k > 0 && (s[k-1] == '"' || s[k-1] == '\'') {
		k--
	}
	e := k
	if e < 3 || !addressCueEnding(s[e-2], s[e-1]) {
		return Span{}, false
	}
	for k > 0 && e-k <= 24 && (isAlpha(s[k-1]) || s[k-1] == '_' || s[k-1] >= utf8.RuneSelf) {
		k--
	}
	if e-k < 3 || e-k > 24 || !addressCue(s[k:e]) {
		return Span{}, false
	}
	if k > 0 && (isAlnum(s[k-1]) || s[k-1] == '.' || s[k-1] == '-') {
		return Span{}, false // remote_address, ip.address, mac-address are other detectors' business
	}
	j := i + 1
	for j < len(s) && (s[j] == ' ' || s[j] == '"' || s[j] == '\'') {
		j++
	}
	st := j
	end, digits, caps := st, 0, 0
	for j < len(s) {
		c := s[j]
		if c == '\n' || c == '\r' || c == '"' || c == ';' || c == '|' || c == '}' || c == ']' || c == '\t' || c == '\'' && !(j > 0 && isAlpha(s[j-1]) && j+1 < len(s) && isAlpha(s[j+1])) {
			break
		}
		if c == '@' || c == '/' || c == '=' || c == '<' || c == '>' || (c == ':' && j+1 < len(s) && s[j+1] != ' ') {
			return Span{}, false // e-mail, URL, IP:port, key=value: not a postal address
		}
		if c == ' ' && j+1 < len(s) {
			// the next key=value ends the value
			m := j + 1
			for m < len(s) && (isAlnum(s[m]) || s[m] == '_' || s[m] == '.') {
				m++
			}
			if m < len(s) && m > j+1 && (s[m] == '=' || (s[m] == ':' && m+1 < len(s) && s[m+1] == ' ' && !isUpper(s[j+1]))) {
				break
			}
		}
		if isDigit(c) {
			digits++
		}
		if isUpper(c) && (j == st || !isAlnum(s[j-1])) {
			caps++
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[j:])
			if unicode.IsLetter(r) {
				caps++ // non-Latin scripts have no case
			}
			j += size
			end = j
			continue
		}
		j++
		if c != ' ' && c != ',' && c != '.' {
			end = j
		}
		if j-st > 160 {
			return Span{}, false
		}
	}
	if digits == 0 && caps > 0 {
		// No number: a street phrase right after the key ("address:
		// Platz der Republik", "Adresse: Hauptstraße, Berlin").
		if e, ok := streetPhraseAt(s, st, false); ok && e <= end {
			return Span{st, extendAddress(s, e)}, true
		}
		return Span{}, false
	}
	if digits == 0 || caps == 0 || end-st < 6 {
		return Span{}, false
	}
	if digits > 0 && onlyNumberish(s[st:end]) {
		return Span{}, false
	}
	return Span{st, end}, true
}

// onlyNumberish reports values like "10.0.0.1", "0x7ffd4", "12345": no
// word of at least two letters.
func onlyNumberish(v string) bool {
	run := 0
	for i := 0; i < len(v); i++ {
		if isAlpha(v[i]) || v[i] >= utf8.RuneSelf {
			run++
			if run >= 3 {
				return false
			}
			continue
		}
		run = 0
	}
	return true
}

// poBoxBefore finds a post-office box marker right before the number at
// s[i]: "PO Box", "P.O. Box", "Post Office Box", "Postfach", "Apartado",
// "Casilla", "Casella postale", "B.P.", "Postbus", "Skrytka pocztowa"
// ("Box 3" and "BP 120" alone are boxes and blood pressure).
func poBoxBefore(s string, i int) (int, bool) {
	if i < 3 || s[i-1] != ' ' || !strings.ContainsRune("xXbBhHoOsSaAeE.", rune(s[i-2])) {
		return 0, false
	}
	for _, m := range poBoxMarkers {
		st := i - 1 - len(m)
		if st >= 0 && equalFoldASCII(s[st:i-1], m) && (st == 0 || !isAlnum(s[st-1])) {
			return st, true
		}
	}
	return 0, false
}

var poBoxMarkers = [...]string{
	"po box", "p.o. box", "p. o. box", "p.o.box", "post office box", "pob", "postfach", "apartado",
	"apartado de correos", "casilla", "casilla de correo", "casella postale", "b.p.", "boite postale", "postbus",
	"skrytka pocztowa",
}
