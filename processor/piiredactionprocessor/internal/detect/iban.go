package detect

// IBAN finds international bank account numbers, compact
// (DE89370400440532013000) or printed in groups of four
// (DE89 3704 0044 0532 0130 00), whose length matches the country's IBAN
// length and whose mod-97 checksum is 1.
type IBAN struct{}

// Name implements Detector.
func (IBAN) Name() string { return "iban" }

// ibanLengths is the registered IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// Candidate implements Detector.
func (IBAN) Candidate(c Class) bool {
	return c.Has(ClassDigit | ClassUpper)
}

// Find implements Detector.
func (IBAN) Find(s string, dst []Span) []Span {
	if len(s) < 15 {
		return dst
	}
	for i := 0; i+15 <= len(s); i++ {
		if !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
			continue
		}
		want, ok := ibanLengths[s[i:i+2]]
		if !ok {
			continue
		}
		if end, ok := ibanAt(s, i, want); ok {
			dst = append(dst, Span{i, end})
			i = end - 1
		}
	}
	return dst
}

// ibanAt reads want alphanumerics starting at s[i], either contiguous or
// with a single space after every group of four, and checks the end
// boundary and mod-97.
func ibanAt(s string, i, want int) (int, bool) {
	var buf [34]byte
	k, j := 0, i
	spaced := i+4 < len(s) && s[i+4] == ' '
	for k < want {
		if j >= len(s) {
			return 0, false
		}
		c := s[j]
		if spaced && k > 0 && k%4 == 0 {
			if c != ' ' {
				return 0, false
			}
			j++
			if j >= len(s) {
				return 0, false
			}
			c = s[j]
		}
		if !isUpper(c) && !isDigit(c) {
			return 0, false
		}
		buf[k] = c
		k++
		j++
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
		return 0, false
	}
	if !isDigit(buf[2]) || !isDigit(buf[3]) {
		return 0, false
	}
	return j, ibanMod97(buf[:k]) == 1
}

// ibanMod97 computes the ISO 7064 mod 97-10 remainder of the rearranged
// IBAN (first four characters moved to the end, letters as 10..35).
func ibanMod97(b []byte) int {
	r := 0
	add := func(c byte) {
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
			return
		}
		v := int(c-'A') + 10
		r = (r*100 + v) % 97
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return r
}
