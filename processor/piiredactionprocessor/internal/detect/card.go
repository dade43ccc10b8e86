package detect

// Card finds payment card numbers: 13 to 19 digits, contiguous or in groups
// separated by one consistent ' ' or '-', that pass the Luhn checksum and
// start with an issuer prefix of a card network (Visa, Mastercard, Amex,
// Discover, JCB, Diners, UnionPay, Maestro) with a length that network
// issues. The prefix check keeps Luhn's 1-in-10 chance hits on random ids
// and millisecond timestamps out.
type Card struct{}

// Name implements Detector.
func (Card) Name() string { return "card" }

// Candidate implements Detector.
func (Card) Candidate(c Class) bool {
	return c.Has(ClassDigit)
}

// Find implements Detector.
func (Card) Find(s string, dst []Span) []Span {
	if len(s) < 13 {
		return dst
	}
	var g [6]int
	var buf [19]byte
	for i := nextDigit(s, 0); i+13 <= len(s); i = nextDigit(s, i) {
		// Every card starts with a run of at least four digits (a group of
		// four, or the whole 13-19 digits): shorter runs (versions, UUID
		// fragments) are skipped before the boundary checks.
		if j := skipDigits(s, i); j-i < 4 || !numberStartBoundary(s, i) {
			i = j
			continue
		}
		_, _, n, _ := digitGroups(s, i, " -", g[:])
		if n > len(g) {
			n = len(g)
		}
		// The run may have swallowed a following number ("4111111111111111
		// 10.1.2.3"): try the longest prefix of groups that is a card.
		if end, ok := cardPrefix(s, i, g[:n], buf[:]); ok {
			dst = append(dst, Span{i, end})
			i = end
			continue
		}
		i = skipDigits(s, i)
	}
	return dst
}

func cardPrefix(s string, i int, g []int, buf []byte) (int, bool) {
	for k := len(g); k >= 1; k-- {
		digits, end := 0, i-1
		for _, l := range g[:k] {
			digits += l
			end += l + 1
		}
		if digits < 13 || digits > 19 || !cardGroupsOK(g[:k]) || !numberEndBoundary(s, end) {
			continue
		}
		n := 0
		for j := i; j < end; j++ {
			if isDigit(s[j]) {
				buf[n] = s[j]
				n++
			}
		}
		if IsCardDigits(buf[:n]) {
			return end, true
		}
	}
	return 0, false
}

// cardGroupsOK accepts one contiguous run or printed groups of 4 to 6 digits
// (4-4-4-4, 4-6-5, 4-6-4) with a shorter last group allowed for 19 digits.
func cardGroupsOK(g []int) bool {
	if len(g) == 1 {
		return true
	}
	if g[0] != 4 {
		return false
	}
	for k := 1; k < len(g)-1; k++ {
		if g[k] < 4 || g[k] > 6 {
			return false
		}
	}
	last := g[len(g)-1]
	return last >= 3 && last <= 6
}

// IsCardInt reports whether an integer attribute value is a card number.
func IsCardInt(v int64) bool {
	if v < 1_000_000_000_000 {
		return false
	}
	var buf [20]byte
	k := len(buf)
	for v > 0 {
		k--
		buf[k] = byte('0' + v%10)
		v /= 10
	}
	return IsCardDigits(buf[k:])
}

// IsCardDigits reports whether d (ASCII digits only) is a card number.
func IsCardDigits(d []byte) bool {
	if len(d) < 13 || len(d) > 19 || !issuerLengthOK(d) {
		return false
	}
	return luhnDigits(d)
}

func prefixNum(d []byte, n int) int {
	v := 0
	for k := 0; k < n; k++ {
		v = v*10 + int(d[k]-'0')
	}
	return v
}

func issuerLengthOK(d []byte) bool {
	l := len(d)
	p1, p2, p3, p4 := prefixNum(d, 1), prefixNum(d, 2), prefixNum(d, 3), prefixNum(d, 4)
	switch {
	case p1 == 4: // Visa
		return l == 13 || l == 16 || l == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return l == 16
	case p2 == 34 || p2 == 37: // Amex
		return l == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65: // Discover
		return l >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return l >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners
		return l >= 14
	case p2 == 62: // UnionPay
		return l >= 16
	case p4 == 5018, p4 == 5020, p4 == 5038, p4 == 5893, p4 == 6304, p4 == 6759, p4 >= 6761 && p4 <= 6763: // Maestro
		return l >= 13
	}
	return false
}
