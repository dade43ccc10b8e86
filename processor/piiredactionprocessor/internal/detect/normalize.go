package detect

import "unicode/utf8"

// Normalisation: the detectors are ASCII scanners; what people and careless
// encoders write is not. Before matching, a string that has non-ASCII bytes,
// a '%' or an obfuscated '@' is rewritten into the ASCII form a detector
// knows, with a map back to the original offsets so that the original bytes
// are what gets replaced:
//   - full-width forms (U+FF01–U+FF5E: '４', '＠', '．') become ASCII;
//   - Unicode spaces (no-break, thin, ideographic ...) become ' ', and
//     zero-width characters are dropped;
//   - Unicode dashes and minus signs (en dash, non-breaking hyphen, ...)
//     become '-';
//   - percent-encoded printable ASCII (%40, %2B, %2E) is decoded;
//   - [at] (at) {at} become '@' and [dot] (dot) {dot} '.', with the spaces
//     around them.
// Rules are by Unicode category, not by a list of sample inputs.

// Normalizer holds the reusable buffers of Normalize; the zero value is ready.
type Normalizer struct {
	buf  []byte
	offs []int
}

// NeedsNormalize is the cheap pre-check: only strings with a non-ASCII byte,
// a '%', or a bracketed "at" can change.
func NeedsNormalize(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '%' {
			return true
		}
		if (c == '[' || c == '(' || c == '{') && i+3 < len(s) && lower(s[i+1]) == 'a' && lower(s[i+2]) == 't' && isCloser(s[i+3]) {
			return true
		}
	}
	return false
}

func isCloser(c byte) bool { return c == ']' || c == ')' || c == '}' }

// Normalize returns the normalised form of s and whether it differs from s.
// The result is valid until the next call; Orig maps its offsets back.
func (n *Normalizer) Normalize(s string) (string, bool) {
	if !NeedsNormalize(s) {
		return s, false
	}
	b, offs := n.buf[:0], n.offs[:0]
	changed := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch {
			case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
				if d := unhex(s[i+1])<<4 | unhex(s[i+2]); d >= 0x20 && d < 0x7f {
					b, offs = append(b, d), append(offs, i)
					i += 3
					changed = true
					continue
				}
			case c == '[' || c == '(' || c == '{':
				if r, l := bracketWord(s, i); l > 0 {
					// "jane [at] example [dot] com": the spaces around go too.
					for len(b) > 0 && b[len(b)-1] == ' ' {
						b, offs = b[:len(b)-1], offs[:len(offs)-1]
					}
					b, offs = append(b, r), append(offs, i)
					i += l
					for i < len(s) && s[i] == ' ' {
						i++
					}
					changed = true
					continue
				}
			}
			b, offs = append(b, c), append(offs, i)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if a, ok := asciiFold(r); ok {
			if a != 0 {
				b, offs = append(b, a), append(offs, i)
			}
			i += size
			changed = true
			continue
		}
		for k := 0; k < size; k++ {
			b, offs = append(b, s[i+k]), append(offs, i+k)
		}
		i += size
	}
	offs = append(offs, len(s))
	n.buf, n.offs = b, offs
	if !changed {
		return s, false
	}
	return string(b), true
}

// Orig maps a span of the last normalised string back to s.
func (n *Normalizer) Orig(sp Span) Span {
	return Span{n.offs[sp.Start], n.offs[sp.End]}
}

// bracketWord recognises [at] (at) {at} [dot] (dot) {dot} (any case) at
// s[i]; it returns the ASCII byte and the length consumed.
func bracketWord(s string, i int) (byte, int) {
	for _, w := range [...]struct {
		word string
		r    byte
	}{{"at", '@'}, {"dot", '.'}} {
		e := i + 1 + len(w.word)
		if e < len(s) && equalFoldASCII(s[i+1:e], w.word) && isCloser(s[e]) {
			return w.r, e + 1 - i
		}
	}
	return 0, 0
}

// asciiFold maps a rune to its ASCII look-alike (0: drop it); ok is false
// for runes kept as they are.
func asciiFold(r rune) (byte, bool) {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return byte(r - 0xFEE0), true
	case r == 0x00A0, r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x205F, r == 0x3000:
		return ' ', true
	case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF, r == 0x00AD: // zero-width, soft hyphen
		return 0, true
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE58, r == 0xFE63:
		return '-', true
	case r == 0xFE6B: // small commercial at
		return '@', true
	case r == 0xFE52: // small full stop
		return '.', true
	}
	return 0, false
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// FindNormalized runs d over the normalised form of s and returns the spans
// in s's offsets (what the processor replaces; the corpus scores these).
func FindNormalized(d Detector, n *Normalizer, s string, dst []Span) []Span {
	ns, ok := n.Normalize(s)
	if !ok {
		if !d.Candidate(Classify(s)) {
			return dst
		}
		return d.Find(s, dst)
	}
	if !d.Candidate(Classify(ns)) {
		return dst
	}
	mark := len(dst)
	dst = d.Find(ns, dst)
	for i := mark; i < len(dst); i++ {
		dst[i] = n.Orig(dst[i])
	}
	return dst
}
