package detect

import (
	"net/netip"
	"strings"
)

// IP finds IPv4 addresses in dotted-quad form (no leading zeros, so dates
// like 01.02.2024 and versions with leading zeros are not candidates) and
// IPv6 addresses, including bracketed and IPv4-embedded forms. A candidate
// that is part of a longer dotted number (OIDs) or glued to an identifier
// (v1.2.3.4) is not reported, nor are the unspecified and loopback
// addresses (0.0.0.0, 127.x.x.x, ::, ::1), which identify no one.
type IP struct{}

// Name implements Detector.
func (IP) Name() string { return "ip" }

// Candidate implements Detector.
func (IP) Candidate(c Class) bool {
	return c.Has(ClassDigit) && c&(ClassDot|ClassColon) != 0
}

// Find implements Detector.
func (IP) Find(s string, dst []Span) []Span {
	if len(s) < 3 {
		return dst
	}
	dot := strings.IndexByte(s, '.') >= 0
	colon := strings.IndexByte(s, ':') >= 0
	if !dot && !colon {
		return dst
	}
	nextDot, nextColon := -1, -1
	if !dot {
		nextDot = len(s)
	}
	if !colon {
		nextColon = len(s)
	}
	for i := 0; i < len(s); {
		// Both forms need a separator within their first five bytes (see
		// below): jump to four bytes before the next '.' or ':', found with
		// the vectorised IndexByte, instead of testing every byte.
		if nextDot < i {
			nextDot = indexFrom(s, i, '.')
		}
		if nextColon < i {
			nextColon = indexFrom(s, i, ':')
		}
		next := min(nextDot, nextColon)
		if next == len(s) {
			break
		}
		i = max(i, next-4)
		c := s[i]
		if !isHex(c) && c != ':' {
			i++
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.' || s[i-1] == ':' || s[i-1] == '_') {
			i++
			continue
		}
		// An IPv6 literal has a ':' within its first five bytes, an IPv4 one
		// a '.' within its first four: check before parsing.
		if colon && strings.IndexByte(s[i:min(i+5, len(s))], ':') >= 0 {
			if end, ok := ipv6At(s, i); ok {
				dst = append(dst, Span{i, end})
				i = end
				continue
			}
		}
		if dot && isDigit(c) && strings.IndexByte(s[i:min(i+4, len(s))], '.') >= 0 {
			if end, ok := ipv4At(s, i); ok {
				if c == '0' || (s[i:i+4] == "127.") {
					i = end
					continue
				}
				dst = append(dst, Span{i, end})
				i = end
				continue
			}
		}
		i++
	}
	return dst
}

// ipv4At parses exactly four octets at s[i].
func ipv4At(s string, i int) (int, bool) {
	j := i
	for part := 0; part < 4; part++ {
		if part > 0 {
			if j >= len(s) || s[j] != '.' {
				return 0, false
			}
			j++
		}
		st := j
		v := 0
		for j < len(s) && isDigit(s[j]) && j-st < 3 {
			v = v*10 + int(s[j]-'0')
			j++
		}
		if j == st || v > 255 || (s[st] == '0' && j-st > 1) {
			return 0, false
		}
	}
	if j < len(s) {
		c := s[j]
		if isAlnum(c) || c == '_' {
			return 0, false
		}
		if c == '.' && j+1 < len(s) && isAlnum(s[j+1]) {
			return 0, false
		}
	}
	return j, true
}

// ipv6At checks the structure of an IPv6 literal by hand (hex groups of at
// most four, one "::" at most, exactly eight groups without it, an optional
// trailing dotted quad) so timestamps and MAC addresses are rejected without
// calling netip, whose error path allocates; netip then confirms.
func ipv6At(s string, i int) (int, bool) {
	j := i
	for j < len(s) && (isHex(s[j]) || s[j] == ':' || s[j] == '.') && j-i < 45 {
		j++
	}
	for j > i && s[j-1] == '.' {
		j--
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
		return 0, false
	}
	cand := s[i:j]
	if strings.Count(cand, ":") < 2 {
		return 0, false
	}
	groups, double, digit := 0, false, false
	for k := 0; k < len(cand); {
		if cand[k] == ':' {
			if k+1 < len(cand) && cand[k+1] == ':' {
				if double {
					return 0, false
				}
				double = true
				k += 2
				continue
			}
			if k == 0 || k == len(cand)-1 {
				return 0, false
			}
			k++
			continue
		}
		st := k
		for k < len(cand) && isHex(cand[k]) {
			if isDigit(cand[k]) {
				digit = true
			}
			k++
		}
		if k < len(cand) && cand[k] == '.' {
			if _, ok := ipv4At(cand, st); !ok {
				return 0, false
			}
			groups += 2
			break
		}
		if k-st > 4 {
			return 0, false
		}
		groups++
	}
	if !digit || groups > 8 || (!double && groups != 8) || (double && groups > 7) {
		return 0, false
	}
	a, err := netip.ParseAddr(cand)
	if err != nil || !a.Is6() || a.IsLoopback() || a.IsUnspecified() {
		return 0, false
	}
	return j, true
}
