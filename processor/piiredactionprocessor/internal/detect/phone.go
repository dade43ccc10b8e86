package detect

// Phone finds telephone numbers: E.164 and international numbers written
// with a leading '+', North American numbers in the usual (415) 555-2671,
// 415-555-2671, 415.555.2671 and 415 555 2671 shapes, and European national
// numbers that start with a trunk '0' and are written in groups
// (020 7946 0958, 06 12 34 56 78). Bare digit runs without '+' or
// separators are not reported: they are indistinguishable from ids and
// timestamps.
type Phone struct{}

// Name implements Detector.
func (Phone) Name() string { return "phone" }

// Candidate implements Detector.
func (Phone) Candidate(c Class) bool {
	return c.Has(ClassDigit)
}

// Find implements Detector.
func (Phone) Find(s string, dst []Span) []Span {
	if len(s) < 10 {
		return dst
	}
	for i := 0; i < len(s); {
		// Jump to the next digit a word at a time; a '+' or '(' right
		// before it is where the number starts.
		d := nextDigit(s, i)
		if d == len(s) {
			break
		}
		if d > i && (s[d-1] == '+' || s[d-1] == '(') {
			i = d - 1
		} else {
			i = d
		}
		c := s[i]
		if isDigit(c) && (!phoneFirstGroupOK(s, i) || !phoneStartBoundary(s, i)) {
			// The run's other digits follow a digit: never a start.
			i = skipDigits(s, i)
			continue
		}
		if !isDigit(c) && !phoneStartBoundary(s, i) {
			i++
			continue
		}
		end, ok := phoneAt(s, i)
		if ok {
			dst = append(dst, Span{i, end})
			i = end
			continue
		}
		if isDigit(c) {
			i = skipDigits(s, i)
		} else {
			i++
		}
	}
	return dst
}

// phoneFirstGroupOK is the cheap shape test of a number starting at the
// digit s[i] (no '+' or '(' before it): a North American number starts with
// a three-digit area code or a lone country code 1, a national one with a
// trunk '0' group of two or more digits (see isNANP, isNationalTrunk).
func phoneFirstGroupOK(s string, i int) bool {
	n := skipDigits(s, i) - i
	return n == 3 || (n == 1 && s[i] == '1') || (n >= 2 && s[i] == '0')
}

// phoneStartBoundary: a number starts where numberStartBoundary says so.
func phoneStartBoundary(s string, i int) bool { return numberStartBoundary(s, i) }

// phoneAt parses a number starting at s[i] and validates its shape.
func phoneAt(s string, i int) (int, bool) {
	plus := s[i] == '+'
	j := i
	if plus {
		j++
	}
	var groups [8]int
	var firsts, seconds [8]byte
	n, digits := 0, 0
	parenGroup := -1
	var seps [8]byte
	var ends [8]int
	for {
		paren := j < len(s) && s[j] == '('
		if paren {
			if parenGroup >= 0 {
				break
			}
			j++
		}
		st := j
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == st || n == len(groups) {
			// "089/12345678 (Zentrale)": what follows the separator is not a
			// group; the groups before it are still a candidate.
			break
		}
		groups[n], firsts[n] = j-st, s[st]
		if j-st > 1 {
			seconds[n] = s[st+1]
		}
		digits += j - st
		if paren {
			if j >= len(s) || s[j] != ')' {
				break
			}
			parenGroup = n
			j++
		}
		ends[n] = j
		n++
		// A separator is one of ' ', '-', '.', '/', '_', '~' (shapes check
		// that one is used consistently), or nothing right after ')'.
		if j < len(s) && isPhoneSep(s[j]) && j+1 < len(s) && (isDigit(s[j+1]) || s[j+1] == '(') {
			seps[n-1] = s[j]
			j++
			continue
		}
		if paren && j < len(s) && isDigit(s[j]) {
			seps[n-1] = ')'
			continue
		}
		break
	}
	// The run may have swallowed a following number ("415 555 2671 10
	// times"): try the longest prefix of groups that is a phone number.
	for k := n; k >= 1; k-- {
		end := ends[k-1]
		if !phoneEndBoundary(s, end) || (parenGroup >= k) {
			continue
		}
		digits := 0
		for _, l := range groups[:k] {
			digits += l
		}
		if phoneShapeOK(plus, groups[:k], firsts[:k], seconds[:k], seps[:k], parenGroup, digits) {
			return end, true
		}
	}
	return 0, false
}

func phoneShapeOK(plus bool, g []int, firsts, seconds, seps []byte, parenGroup, digits int) bool {
	n := len(g)
	switch {
	case plus:
		if digits < 9 || digits > 15 || firsts[0] == '0' {
			return false
		}
		// '.' is a decimal/version separator far more often than a phone one
		// once a '+' is in front (+1.5.2), except in the full North American
		// shape +1.415.555.2671.
		for k := 0; k < n-1; k++ {
			if seps[k] == '.' {
				return n == 4 && isNANP(g, firsts, seps, parenGroup)
			}
		}
		return true
	case isNANP(g, firsts, seps, parenGroup):
		return true
	case isNationalTrunk(g, firsts, seconds, seps, parenGroup, digits):
		return true
	}
	return false
}

func phoneEndBoundary(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	if isAlnum(c) || c == '_' {
		return false
	}
	if (c == '.' || c == '-' || c == ':' || c == '/' || c == ',') && j+1 < len(s) && isDigit(s[j+1]) {
		return false
	}
	// "+100000000000000::2" is the start of something else.
	return !(c == ':' && j+1 < len(s) && (s[j+1] == ':' || isAlnum(s[j+1])))
}

// isNANP accepts [1] NXX NXX XXXX with one consistent separator, or with the
// area code in parentheses.
func isNANP(g []int, firsts, seps []byte, parenGroup int) bool {
	off := 0
	if len(g) == 4 && g[0] == 1 && firsts[0] == '1' {
		off = 1
	}
	// (415)5552671: the area code in parentheses, the subscriber number
	// unseparated.
	if len(g)-off == 2 && parenGroup == off && g[off] == 3 && g[off+1] == 7 {
		return firsts[off] >= '2' && firsts[off+1] >= '2'
	}
	if len(g)-off != 3 || g[off] != 3 || g[off+1] != 3 || g[off+2] != 4 {
		return false
	}
	if firsts[off] < '2' || firsts[off+1] < '2' {
		return false
	}
	if parenGroup >= 0 {
		return parenGroup == off && (seps[off+1] == ' ' || seps[off+1] == '-')
	}
	sep := seps[0]
	for k := 1; k < len(g)-1; k++ {
		if seps[k] != sep {
			return false
		}
	}
	return true
}

// isNationalTrunk accepts numbers with a leading trunk '0' (not "00", the
// international call prefix) written in groups of at least two digits with
// one consistent ' ' or '-' separator.
func isNationalTrunk(g []int, firsts, seconds, seps []byte, parenGroup, digits int) bool {
	if len(g) < 2 || firsts[0] != '0' || seconds[0] == '0' || digits < 10 || digits > 12 || (parenGroup > 0) {
		return false
	}
	if len(g) >= 2 && g[0] == 1 {
		return false
	}
	for _, l := range g {
		if l < 2 {
			return false
		}
	}
	sep := seps[0]
	if parenGroup == 0 {
		sep = seps[1]
	}
	for k := 0; k < len(g)-1; k++ {
		if k == parenGroup {
			continue
		}
		if seps[k] != sep || sep == '.' {
			return false
		}
	}
	// "089/12345678": '/' only between an area code and the subscriber number.
	return sep != '/' || len(g) == 2
}

func isPhoneSep(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '_' || c == '~'
}
