package detect

import "strings"

// Email finds e-mail addresses (local@domain.tld).
type Email struct{}

// Name implements Detector.
func (Email) Name() string { return "email" }

// fileExtTLDs are "top-level domains" that are really file extensions, as in
// retina asset names like icon@2x.png.
var fileExtTLDs = [...]string{"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "ts", "map", "json"}

// isLocalChar accepts UTF-8 bytes too: internationalised local parts
// (RFC 6531, josé@example.com) would otherwise be cut at the first non-ASCII
// letter and their start left in the output.
func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c >= 0x80
}

// Candidate implements Detector.
func (Email) Candidate(c Class) bool {
	return c.Has(ClassAt | ClassDot)
}

// Find implements Detector.
func (Email) Find(s string, dst []Span) []Span {
	off := 0
	for {
		i := strings.IndexByte(s[off:], '@')
		if i < 0 {
			return dst
		}
		at := off + i
		off = at + 1
		st := at
		for st > 0 && at-st < 64 && isLocalChar(s[st-1]) {
			st--
		}
		for st < at && s[st] == '.' {
			st++
		}
		if st == at || s[at-1] == '.' || isURLUserinfo(s, st) {
			continue
		}
		end := scanDomain(s, at+1)
		if end < 0 {
			continue
		}
		if len(dst) > 0 && dst[len(dst)-1].End > st {
			continue
		}
		dst = append(dst, Span{st, end})
		off = end
	}
}

// isURLUserinfo reports whether the local part starting at st is the user
// of a URL (scheme://user@host or scheme://user:pass@host), which is not an
// address; passwords there are reported by URLCredentials.
func isURLUserinfo(s string, st int) bool {
	if st >= 2 && s[st-2:st] == "//" {
		return true
	}
	if st >= 1 && s[st-1] == ':' {
		j := st - 1
		for j > 0 && isLocalChar(s[j-1]) {
			j--
		}
		return j >= 2 && s[j-2:j] == "//"
	}
	return false
}

// scanDomain returns the end of a domain with at least two labels and an
// alphabetic TLD of two or more letters starting at i, or -1.
func scanDomain(s string, i int) int {
	best := -1
	labels := 0
	j := i
	for {
		st := j
		alpha := true
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') && j-st < 63 {
			if !isAlpha(s[j]) {
				alpha = false
			}
			j++
		}
		if j == st || s[st] == '-' || s[j-1] == '-' {
			return best
		}
		labels++
		if labels >= 2 && alpha && j-st >= 2 && !isFileExt(s[st:j]) && (j == len(s) || (!isAlnum(s[j]) && s[j] != '@')) {
			best = j
		}
		if j+1 < len(s) && s[j] == '.' && isAlnum(s[j+1]) {
			j++
			continue
		}
		return best
	}
}

func isFileExt(tld string) bool {
	for _, e := range fileExtTLDs {
		if equalFoldASCII(tld, e) {
			return true
		}
	}
	return false
}
