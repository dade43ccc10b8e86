package detect

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lower-case and all-caps names ("my name is john smith", "customer JOHN
// SMITH", "Kunde: MÜLLER, Hans", "dear maria"). Case is no evidence here, so
// a name in these shapes needs both a cue right before it and the lexicon:
// every word a given name or surname that is not an everyday word (the
// vendored lexicon's names that are also lower-case English words,
// lexicon/everyday_en.txt, plus the curated commonNameWords: "will", "mark",
// "rose", "grant", "summer") nor a product, a place or a word that is not a
// name ("admin", "team"). All-caps log text ("ERROR USER NOT FOUND") has a
// cue ("USER") but no name after it.
//
// The pass looks only at the words before white space, through a shape
// filter (length, first and last letter of the cue words), so a string
// without a cue costs a word-at-a-time skip from one space to the next.

// maxCueLen bounds the cue words the filter knows.
const maxCueLen = 16

// cueShapes is a bit set over the shape of the cue words of the folded
// pass: length, first, second and last byte, ASCII case folded (&31), so a
// word that is no cue costs one probe. Words with other bytes than the
// cue's ASCII spelling (a non-ASCII "Empfänger" for the folded
// "empfanger") are not looked at.
var cueShapes = func() (t [1 << 14 / 64]uint64) {
	for kind, list := range nameCues {
		if !foldedCueKind(kind) {
			continue
		}
		for _, w := range list {
			if len(w) >= 2 && len(w) <= maxCueLen {
				h := cueShapeHash(w[0], w[1], w[len(w)-1], len(w))
				t[h>>6] |= 1 << (h & 63)
			}
		}
	}
	return t
}()

// cueShapeHash hashes a word's shape into 14 bits.
func cueShapeHash(first, second, last byte, n int) uint32 {
	k := uint32(n) | uint32(first&31)<<5 | uint32(second&31)<<10 | uint32(last&31)<<15
	return (k * 0x9E3779B1) >> 18
}

// cueShaped reports whether s[b:e] has the shape of a cue word.
func cueShaped(s string, b, e int) bool {
	h := cueShapeHash(s[b], s[b+1], s[e-1], e-b)
	return cueShapes[h>>6]&(1<<(h&63)) != 0
}

// foldedCueKind reports the cue kinds that may open a lower-case or
// all-caps name: not "by"/"with" after a verb, which are too common in
// lower-case prose to scan for.
func foldedCueKind(kind uint8) bool {
	switch kind {
	case cueTitle, cueTitleD, cueSubject, cueSalute, cueSignoff, cueKey, cueKeyStrong, cueIntro:
		return true
	}
	return false
}

// nextSpace returns the index of the next byte in 0x01..0x20 (space, tab,
// line break) at or after i, or len(s), eight bytes at a time.
func nextSpace(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if swarBetween(load8(s, i), 0, 0x21) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c <= ' ' && c != 0 {
			return i
		}
	}
	return len(s)
}

// spaceMask has the high bit of each byte of s[base:base+8] set that is
// white space (0x01..0x20).
func spaceMask(s string, base int) uint64 {
	if base+8 <= len(s) {
		return swarBetween(load8(s, base), 0, 0x21)
	}
	var m uint64
	for i := base; i < len(s); i++ {
		if c := s[i]; c <= ' ' && c != 0 {
			m |= 0x80 << (8 * (i - base))
		}
	}
	return m
}

// findFolded appends the lower-case and all-caps names of s to dst,
// skipping any that overlap the spans dst[d0:] found before, and keeps
// dst[d0:] in order.
func findFolded(s string, dst []Span, d0 int) []Span {
	// A cue and a name are two words: no white space, no name (a key
	// glued to a one-word value alone, "first_name=john", is left to
	// pii_fields). The block loop finds the white space and notes '=' and
	// ':' for the keys glued to a name ("full_name=jane doe").
	var words [maxNameWords]nameWord
	anySpace, anySep := false, false
	wb := 0 // where the word before the next white space starts
	for base := 0; base < len(s); base += 8 {
		spaces, seps := spaceSepMasks(s, base)
		anySpace = anySpace || spaces != 0
		anySep = anySep || seps
	nextSpace:
		if spaces == 0 {
			continue
		}
		p := base + bits.TrailingZeros64(spaces)>>3
		spaces &= spaces - 1
		if p < wb {
			goto nextSpace // inside a name found
		}
		b := wb
		wb = p + 1
		if p-b < 2 {
			goto nextSpace
		}
		// The cue before the white space: a word, then ':', '=', ',' or
		// '.'; one opening quote or bracket before it. The shape filter
		// comes first, on the word's length and first and last bytes, so
		// most words cost a table probe.
		e := p
		var punct byte
		if c := s[e-1]; wordEdge[c]&edgePunct != 0 {
			punct = c
			e--
		} else if !isAlpha(c) && c < utf8.RuneSelf {
			goto nextSpace // "x86_64)", "537.36": no cue ends so
		}
		if wordEdge[s[b]]&edgeOpen != 0 {
			b++
		}
		if b+2 < e && s[b+1] == '\'' {
			b += 2 // "m'appelle", "l'utente"
		}
		n := e - b
		if n < 2 || n > 24 {
			goto nextSpace
		}
		// Keys may be written with '_' or '-' ("full_name:", "First-Name:").
		key := (punct == ':' || punct == '=') && nameKeyEnding(s[e-1])
		if !key && (n > maxCueLen || !cueShaped(s, b, e)) {
			goto nextSpace
		}
		// The name starts after the white space.
		q := p + 1
		for q < len(s) && (s[q] == ' ' || s[q] == '\n' || s[q] == '\r' || s[q] == '\t') {
			q++
		}
		if q >= len(s) || !(isAlpha(s[q]) || s[q] >= utf8.RuneSelf) {
			goto nextSpace
		}
		letters, other := true, false
		for x := b; x < e; x++ {
			if c := s[x]; !isAlpha(c) && c < utf8.RuneSelf {
				if key && (c == '_' || c == '-') {
					other = true
					continue
				}
				letters = false
				break
			}
		}
		if !letters {
			goto nextSpace
		}
		kind := foldedCue(s, b, e, other)
		if kind == 0 || !foldedCueKind(kind) {
			goto nextSpace
		}
		newline := false
		for x := p; x < q; x++ {
			if s[x] == '\n' || s[x] == '\r' {
				newline = true
			}
		}
		switch kind {
		case cueTitleD:
			if punct != '.' {
				goto nextSpace
			}
		case cueTitle:
			if punct != 0 && punct != '.' {
				goto nextSpace
			}
			// "took 12 ms anna": a unit after a number, not a title.
			if k := b - 1; k > 0 && s[k] == ' ' && isDigit(s[k-1]) {
				goto nextSpace
			}
		case cueSignoff:
			if punct != ',' && !newline {
				goto nextSpace
			}
		case cueKey, cueKeyStrong:
			if punct != ':' && punct != '=' {
				// "my name is john smith", "name was", "nom est"
				le, ok := linkingWord(s, q)
				if !ok || punct != 0 {
					goto nextSpace
				}
				q = le
			}
		case cueSubject, cueSalute, cueIntro:
			if punct == '.' || punct == '=' {
				goto nextSpace
			}
		}
		sp, ok := foldedNameAt(s, q, kind, &words)
		if !ok {
			goto nextSpace
		}
		dst = insertSpan(dst, d0, sp)
		wb = max(wb, sp.End+1)
		goto nextSpace
	}
	if anySpace && anySep {
		dst = findGluedKeys(s, dst, d0, &words)
	}
	return dst
}

// wordEdge classes the bytes around a cue word: punctuation after it,
// an opening quote or bracket before it.
var wordEdge = func() (t [256]uint8) {
	for _, c := range ":=,." {
		t[c] |= edgePunct
	}
	for _, c := range "(\"'[{<" {
		t[c] |= edgeOpen
	}
	return t
}()

const (
	edgePunct = 1 << iota
	edgeOpen
)

// spaceSepMasks returns the white-space mask of s[base:base+8] (see
// spaceMask) and whether those bytes hold a '=' or ':'.
func spaceSepMasks(s string, base int) (uint64, bool) {
	if base+8 <= len(s) {
		x := load8(s, base)
		eq := x ^ (swarLSB * '=')
		co := x ^ (swarLSB * ':')
		seps := ((eq-swarLSB)&^eq | (co-swarLSB)&^co) & swarMSB
		return swarBetween(x, 0, 0x21), seps != 0
	}
	var m uint64
	seps := false
	for i := base; i < len(s); i++ {
		c := s[i]
		if c <= ' ' && c != 0 {
			m |= 0x80 << (8 * (i - base))
		}
		seps = seps || c == '=' || c == ':'
	}
	return m, seps
}

// nameKeyEnding reports the last letters of the name keys ("name",
// "nom", "naam", "nome", "imie", "nazwisko", "holder", "owner").
func nameKeyEnding(c byte) bool {
	switch lower(c) {
	case 'e', 'm', 'o', 'k', 'r':
		return true
	}
	return false
}

// findGluedKeys finds names glued to their key ("first_name=john",
// "name:jane doe"): keys that end like a name key ("name", "naam",
// "nome", "nom", "imie", "nazwisko") are looked up.
func findGluedKeys(s string, dst []Span, d0 int, words *[maxNameWords]nameWord) []Span {
	for _, sep := range [...]byte{'=', ':'} {
		dst = findGluedKeysAt(s, sep, dst, d0, words)
	}
	return dst
}

func findGluedKeysAt(s string, sep byte, dst []Span, d0 int, words *[maxNameWords]nameWord) []Span {
	for i := 0; i < len(s); i++ {
		x := strings.IndexByte(s[i:], sep)
		if x < 0 {
			break
		}
		i += x
		if i < 3 || i+1 >= len(s) || !isAlpha(s[i-1]) || !isAlpha(s[i+1]) {
			continue
		}
		if !nameKeyEnding(s[i-1]) {
			continue
		}
		kb := i
		for kb > 0 && i-kb <= 24 && (isAlpha(s[kb-1]) || s[kb-1] == '_' || s[kb-1] == '-') {
			kb--
		}
		if kb > 0 && isAlnum(s[kb-1]) {
			continue
		}
		if k := foldedCue(s, kb, i, true); k == cueKey || k == cueKeyStrong {
			if sp, ok := foldedNameAt(s, i+1, k, words); ok {
				dst = insertSpan(dst, d0, sp)
				i = sp.End
			}
		}
	}
	return dst
}

// foldedCue returns the cue kind of the word s[b:e]; keys written with
// '_' or '-' ("full_name", "First-Name") are compared without them.
func foldedCue(s string, b, e int, other bool) uint8 {
	if !other {
		return cueWord(s, b, e)
	}
	var buf [maxWord]byte
	n := 0
	keyLike := false
	for x := b; x < e; x++ {
		if s[x] == '_' || s[x] == '-' {
			keyLike = true
		}
	}
	if !keyLike {
		return cueWord(s, b, e)
	}
	for x := b; x < e && n < maxWord; x++ {
		if s[x] != '_' && s[x] != '-' && s[x] < utf8.RuneSelf {
			buf[n] = lower(s[x])
			n++
		}
	}
	kind := uint8(lexicon()[lexKey(buf[:n])] >> cueShift)
	if kind != cueKey && kind != cueKeyStrong {
		return 0
	}
	return kind
}

// linkingWord reads "is"/"was" and their kin after a name key ("my name is
// john") and returns where the name starts.
func linkingWord(s string, q int) (int, bool) {
	e := q
	for e < len(s) && isAlpha(s[e]) {
		e++
	}
	if e+1 >= len(s) || s[e] != ' ' {
		return 0, false
	}
	var buf [8]byte
	if e-q > len(buf) {
		return 0, false
	}
	for x := q; x < e; x++ {
		buf[x-q] = lower(s[x])
	}
	switch string(buf[:e-q]) {
	case "is", "was", "ist", "war", "es", "est", "era", "e", "is:", "be":
		return e + 1, true
	}
	return 0, false
}

// wordShape classes of foldedWord.
const (
	shapeNone  = iota
	shapeLower // "john", "müller"
	shapeUpper // "JOHN", "MÜLLER"
	shapeTitle // "John": the capital pass's business
)

// foldedWord reads a word at s[k] (letters, inner apostrophes and hyphens)
// and its case shape.
func foldedWord(s string, k int) (int, int) {
	j := k
	lowers, uppers := 0, 0
	firstUpper := false
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			switch {
			case isLower(c):
				lowers++
			case isUpper(c):
				if j == k {
					firstUpper = true
				}
				uppers++
			case (c == '\'' || c == '-') && j > k && j+1 < len(s) && (isAlpha(s[j+1]) || s[j+1] >= utf8.RuneSelf):
			default:
				goto done
			}
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsLetter(r) {
			break
		}
		if unicode.IsUpper(r) {
			if j == k {
				firstUpper = true
			}
			uppers++
		} else if unicode.IsLower(r) {
			lowers++
		}
		j += n
	}
done:
	if j == k || j-k > maxWord {
		return j, shapeNone
	}
	if gluedToIdentifier(s, j) {
		return j, shapeNone
	}
	switch {
	case uppers == 0:
		return j, shapeLower
	case lowers == 0 && uppers >= 2:
		return j, shapeUpper
	case firstUpper && lowers > 0:
		return j, shapeTitle
	}
	return j, shapeNone
}

// foldedNameish reports lexicon flags of a word that may be part of a
// lower-case or all-caps name.
func foldedNameish(e uint32) bool {
	f := uint16(e)
	return e>>cueShift == 0 && f&(lexGiven|lexSurname) != 0 &&
		f&(lexCommon|lexEveryday|lexProduct|lexNotName|lexProductNext|lexStreetStrong|lexStreetFirst|lexPlace|lexBrandContext) == 0
}

// foldedNameAt reads a lower-case or all-caps name at s[q] after a cue of
// the given kind.
func foldedNameAt(s string, q int, kind uint8, words *[maxNameWords]nameWord) (Span, bool) {
	n := 0
	k := q
	for n < 4 && k < len(s) {
		we, shape := foldedWord(s, k)
		if shape == shapeNone || shape == shapeTitle {
			break
		}
		e := lookupEntry(s[k:we])
		if e == 0 && shape == shapeUpper && surnameShape(s[k:we]) {
			e = uint32(lexSurname) // "KOWALSKI", "PETROVIĆ"
		}
		if e == 0 {
			e = hyphenatedName(s[k:we]) // "anna-maria", "MÜLLER-LÜDENSCHEIDT"
		}
		switch {
		case n > 0 && shape == shapeLower && uint16(e)&lexParticle != 0:
			words[n] = nameWord{start: k, end: we, particle: true}
		case foldedNameish(e) && (n > 0 || we-k >= 3):
			words[n] = nameWord{start: k, end: we, flags: uint16(e)}
		default:
			goto read
		}
		n++
		k = we
		if k+1 < len(s) && s[k] == ' ' && s[k+1] != ' ' {
			k++
			continue
		}
		break
	}
read:
	for n > 0 && words[n-1].particle {
		n--
	}
	if n == 0 {
		return Span{}, false
	}
	// One word that is also a city is a place ("user paris").
	if n == 1 && words[0].flags&lexCity != 0 {
		return Span{}, false
	}
	start, end := words[0].start, words[n-1].end
	// "Kunde: MÜLLER, Hans", "patient: garcia, maria": surname, given name.
	surnameFirst := false
	if end+2 < len(s) && s[end] == ',' && s[end+1] == ' ' {
		if ge, shape := foldedWord(s, end+2); shape != shapeNone {
			if e := lookupEntry(s[end+2 : ge]); foldedNameish(e) && uint16(e)&lexGiven != 0 {
				end = ge
				surnameFirst = true
			}
		}
	}
	switch kind {
	case cueSubject, cueSalute, cueSignoff:
		// A weak cue: the first word a given name ("customer anna", not
		// "customer smith"), or a surname and a given name after a comma.
		if words[0].flags&lexGiven == 0 && !surnameFirst {
			return Span{}, false
		}
	}
	if productAfter(s, end) {
		return Span{}, false
	}
	if n >= 2 && kind != cueTitle && kind != cueKeyStrong && brandPair(s, words[0], words[1]) && brandContext(s, start, end) {
		return Span{}, false
	}
	return Span{start, end}, true
}

// hyphenatedName returns the lexicon entry of a hyphenated name whose
// parts are all names, none an everyday word ("anna-maria"), else 0.
func hyphenatedName(w string) uint32 {
	var flags uint32
	parts := 0
	for st := 0; st < len(w); {
		e := st
		for e < len(w) && w[e] != '-' {
			e++
		}
		if e == len(w) && st == 0 {
			return 0 // no hyphen
		}
		pe := lookupEntry(w[st:e])
		if !foldedNameish(pe) {
			return 0
		}
		flags |= pe & uint32(lexGiven|lexSurname)
		parts++
		st = e + 1
	}
	if parts < 2 {
		return 0
	}
	return flags
}

// insertSpan adds sp to dst[d0:], kept in order; a span it overlaps
// becomes their union ("20457 Hamburg" found from its postcode and "Am
// Hafen, 20457 Hamburg" after a cue).
func insertSpan(dst []Span, d0 int, sp Span) []Span {
	at := len(dst)
	for x := d0; x < len(dst); x++ {
		if sp.Start < dst[x].End && dst[x].Start < sp.End {
			dst[x] = Span{min(dst[x].Start, sp.Start), max(dst[x].End, sp.End)}
			// The union may reach the spans after it.
			w := x + 1
			for w < len(dst) && dst[w].Start < dst[x].End {
				dst[x].End = max(dst[x].End, dst[w].End)
				w++
			}
			return append(dst[:x+1], dst[w:]...)
		}
		if dst[x].Start > sp.Start && at == len(dst) {
			at = x
		}
	}
	dst = append(dst, sp)
	if at < len(dst)-1 {
		copy(dst[at+1:], dst[at:len(dst)-1])
		dst[at] = sp
	}
	return dst
}

// brandPair reports whether the two name words are a brand named after a
// person ("Ralph Lauren", "TOMMY HILFIGER").
func brandPair(s string, a, b nameWord) bool {
	var buf [2*maxWord + 1]byte
	var wb [maxWord]byte
	fa, ok := foldWord(&wb, s[a.start:a.end])
	if !ok {
		return false
	}
	n := copy(buf[:], fa)
	buf[n] = ' '
	n++
	fb, ok := foldWord(&wb, s[b.start:b.end])
	if !ok {
		return false
	}
	n += copy(buf[n:], fb)
	return uint16(lexicon()[lexKey(buf[:n])])&lexBrand != 0
}

// brandContext reports a product or shop word right after the name
// s[start:end] ("Ralph Lauren SKU 1234", "Tommy Hilfiger jacket", "Calvin
// Klein size M") or right before it ("brand: Hugo Boss", "jacket by Tommy
// Hilfiger").
func brandContext(s string, start, end int) bool {
	j := end
	if j+1 < len(s) && s[j] == '\'' && s[j+1] == 's' {
		j += 2 // "Ralph Lauren's jacket"
	}
	for j < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == ',') {
		j++
	}
	if we, ok := anyWord(s, j); ok && j > end && lookup(s[j:we])&lexBrandContext != 0 {
		return true
	}
	// The word before: "brand: X", "SKU 1234 X", "jacket by X".
	k := start
	for n := 0; n < 3; n++ {
		for k > 0 && (s[k-1] == ' ' || s[k-1] == ':' || s[k-1] == '=' || s[k-1] == '"' || s[k-1] == '\'' || isDigit(s[k-1]) || s[k-1] == '#') {
			k--
		}
		m := k
		for m > 0 && (isAlpha(s[m-1]) || s[m-1] >= utf8.RuneSelf) {
			m--
		}
		if m == k {
			return false
		}
		w := s[m:k]
		if lookup(w)&lexBrandContext != 0 {
			return true
		}
		if !equalFoldASCII(w, "by") && !equalFoldASCII(w, "from") && !equalFoldASCII(w, "von") && !equalFoldASCII(w, "de") &&
			!equalFoldASCII(w, "a") && !equalFoldASCII(w, "new") && !equalFoldASCII(w, "the") {
			return false
		}
		k = m
	}
	return false
}

// brandHit reports a name found by nameAt that is a brand in product
// context; words holds what nameAt read.
func brandHit(s string, sp Span, kind uint8, words *[maxNameWords]nameWord) bool {
	kind &^= cueCapital
	if kind == cueTitle || kind == cueKeyStrong || words[0].start != sp.Start || words[1].start >= sp.End || words[1].start <= words[0].start {
		return false
	}
	return brandPair(s, words[0], words[1]) && brandContext(s, sp.Start, sp.End)
}
