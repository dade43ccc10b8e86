package detect

import "encoding/base64"

// Bearer finds the credential of HTTP Authorization schemes written in text:
// "Bearer <token>" (token of 12+ token68 characters containing a digit, or
// 20+ with mixed case) and "Basic <base64>" whose decoding is user:password.
type Bearer struct{}

// Name implements Detector.
func (Bearer) Name() string { return "bearer" }

func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}

// Candidate implements Detector.
func (Bearer) Candidate(c Class) bool {
	return c.Has(ClassB)
}

// Find implements Detector.
func (Bearer) Find(s string, dst []Span) []Span {
	if len(s) < 16 {
		return dst
	}
	for i := 0; i+6 < len(s); i++ {
		c := s[i] | 0x20
		if c != 'b' || (i > 0 && isAlnum(s[i-1])) {
			continue
		}
		var basic bool
		switch {
		case equalFoldASCII(s[i:i+6], "bearer"):
			i += 6
		case equalFoldASCII(s[i:i+5], "basic"):
			basic = true
			i += 5
		default:
			continue
		}
		j := i
		if j < len(s) && s[j] == ':' {
			j++
		}
		sp := j
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == sp {
			continue
		}
		st := j
		for j < len(s) && isToken68(s[j]) {
			j++
		}
		j = trimSentenceEnd(s, st, j)
		tok := s[st:j]
		if alreadyRedacted(s[st:]) {
			continue
		}
		if (basic && isBasicCredential(tok)) || (!basic && isBearerToken(tok)) {
			dst = append(dst, Span{st, j})
			i = j - 1
		}
	}
	return dst
}

func isBearerToken(t string) bool {
	if len(t) < 12 {
		return false
	}
	var up, lo, dig bool
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isUpper(c):
			up = true
		case isLower(c):
			lo = true
		case isDigit(c):
			dig = true
		}
	}
	return dig || (len(t) >= 20 && up && lo)
}

func isBasicCredential(t string) bool {
	if len(t) < 8 || len(t) > 340 {
		return false
	}
	var buf [256]byte
	n, err := base64.StdEncoding.Decode(buf[:], []byte(t))
	if err != nil {
		return false
	}
	d := buf[:n]
	colon := false
	for _, c := range d {
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ':' {
			colon = true
		}
	}
	return colon
}
