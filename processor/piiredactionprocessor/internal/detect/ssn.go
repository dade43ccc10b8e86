package detect

// SSN finds US social security numbers written AAA-GG-SSSS or AAA GG SSSS,
// rejecting numbers the SSA never issues (area 000, 666 or 9xx, group 00,
// serial 0000). Bare nine-digit runs are not reported: they are
// indistinguishable from ids (the key-based pii_fields rule covers an "ssn"
// attribute).
type SSN struct{}

// Name implements Detector.
func (SSN) Name() string { return "ssn" }

// Candidate implements Detector.
func (SSN) Candidate(c Class) bool {
	return c.Has(ClassDigit)
}

// Find implements Detector.
func (SSN) Find(s string, dst []Span) []Span {
	if len(s) < 11 {
		return dst
	}
	var g [4]int
	for i := nextDigit(s, 0); i+11 <= len(s); i = nextDigit(s, i) {
		// The area is a run of exactly three digits: other runs are skipped
		// before the boundary checks.
		if j := skipDigits(s, i); j-i != 3 || !numberStartBoundary(s, i) {
			i = j
			continue
		}
		_, _, n, sep := digitGroups(s, i, "- ", g[:])
		end := i + 11
		if n >= 3 && g[0] == 3 && g[1] == 2 && g[2] == 4 && sep != 0 && numberEndBoundary(s, end) && validSSN(s[i:end]) {
			dst = append(dst, Span{i, end})
			i = end
			continue
		}
		i = skipDigits(s, i)
	}
	return dst
}

func validSSN(v string) bool {
	area := v[0:3]
	if area == "000" || area == "666" || area[0] == '9' {
		return false
	}
	return v[4:6] != "00" && v[7:11] != "0000"
}

// numberStartBoundary rejects digits that continue an identifier, a decimal,
// a version or a dash-joined code (ORD-123-45-6789).
func numberStartBoundary(s string, i int) bool {
	if i == 0 {
		return true
	}
	// The byte test first: most digits follow a letter or another digit,
	// and insideDigitRun can only hold after a space once '-' and '.' are
	// ruled out.
	p := s[i-1]
	return !numberGlue[p] && (p != ' ' || !insideDigitRun(s, i))
}

// numberGlue holds the bytes after which a digit continues a word or a
// number rather than starting one.
var numberGlue = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c))
	}
	for _, c := range []byte("._-/+,$#") {
		t[c] = true
	}
	return t
}()

// numberEndBoundary rejects numbers followed by more of an identifier, a
// decimal part or another dash/colon-joined number.
func numberEndBoundary(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	if isAlnum(c) || c == '_' {
		return false
	}
	if (c == '.' || c == '-' || c == ':' || c == '/' || c == ',') && j+1 < len(s) && isAlnum(s[j+1]) {
		return false
	}
	return true
}
