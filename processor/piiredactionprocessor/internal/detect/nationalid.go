package detect

// NationalID finds national identifiers of other countries than the US
// (whose SSN has its own detector), by format and check digit where the
// scheme has one:
//
//	Brazil CPF        123.456.789-09 anywhere; 11 bare digits after "CPF"      mod-11 check digits
//	Canada SIN        046 454 286, 046-454-286, 046454286 after a cue        Luhn
//	UK NINO           AB 12 34 56 C, AB123456C (valid prefix letters)       format only
//	India Aadhaar     2345 6789 0124 anywhere; 12 bare digits after a cue    Verhoeff
//	Spain DNI / NIE   12345678Z, 12345678-Z, X1234567L                     mod-23 letter
//	Netherlands BSN   9 digits after "BSN"/"burgerservicenummer"            11-proof
//	Germany Steuer-ID 11 digits after "Steuer-ID"/"IdNr"                    ISO 7064 mod 11,10
//	France NIR        1 85 05 78 006 084 36 anywhere; 15 bare after a cue  97 − n mod 97 key
//	Italy codice fiscale RSSMRA85T10A562S                                  odd/even check letter
//	passports         6–9 upper-case letters/digits (≥ 4 digits) after a passport cue
//
// Formats that any id could have (nine, eleven, twelve digits) need their cue
// as well as the check digit: one random number in ten passes Luhn or
// Verhoeff, one in eleven the 11-proof.
type NationalID struct{}

// Name implements Detector.
func (NationalID) Name() string { return "national_id" }

// Candidate implements Detector.
func (NationalID) Candidate(c Class) bool { return c.Has(ClassDigit) }

var (
	cpfCues      = newCueSet("cpf")
	sinCues      = newCueSet("sin", "s.i.n", "social insurance", "nas", "assurance sociale")
	aadhaarCues  = newCueSet("aadhaar", "aadhar", "uidai", "uid", "आधार")
	bsnCues      = newCueSet("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "sofi nummer")
	steuerCues   = newCueSet("steuer-id", "steuerid", "steuer id", "steuer-idnr", "steueridentifikationsnummer", "steuer-identifikationsnummer", "identifikationsnummer", "idnr", "tin", "tax id")
	nirCues      = newCueSet("nir", "sécurité sociale", "securite sociale", "sécu", "secu", "insee", "carte vitale", "n° ss", "numéro ss")
	dniCues      = newCueSet("dni", "nie", "nif", "documento", "d.n.i")
	passportCues = newCueSet("passport", "passeport", "pasaporte", "passaporto", "reisepass", "passnummer", "pass-nr", "paspoort", "passaporte", "paszport", "passport no", "passport number")
)

// Find implements Detector.
func (NationalID) Find(s string, dst []Span) []Span {
	// Every form has at least four digits (a passport number the fewest).
	if len(s) < 8 || !atLeastDigits(s, 4) {
		return dst
	}
	// Every form has digits: jump from digit run to digit run, and try the
	// word that starts with letters before the run (NINO, NIE, codice
	// fiscale, passports) and the run itself.
	last := 0
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		d := i
		j := skipDigits(s, d)
		if st := letterPrefixStart(s, d); st >= last && st < d {
			if end := nationalIDAt(s, st); end > 0 {
				dst = append(dst, Span{st, end})
				i, last = end, end
				continue
			}
		}
		if d >= last && idWordStart(s, d) && idDigitsMayStart(s, d, j) {
			if end := nationalIDAt(s, d); end > 0 {
				dst = append(dst, Span{d, end})
				i, last = end, end
				continue
			}
		}
		i = j
	}
	return dst
}

// idDigitsMayStart is the cheap test before the digit-first forms: six
// digits in a row, a group separator followed by a digit, or an upper-case
// letter glued on (DNI letter, "12AB34567" passport).
func idDigitsMayStart(s string, d, j int) bool {
	if j-d >= 6 || j >= len(s) {
		return j-d >= 6
	}
	c := s[j]
	if isUpper(c) {
		return true
	}
	return (c == ' ' || c == '-' || c == '.') && j+1 < len(s) && isDigit(s[j+1])
}

// idWordStart: nothing of a word precedes i.
func idWordStart(s string, i int) bool {
	return i == 0 || !(isAlnum(s[i-1]) || s[i-1] == '_' || s[i-1] >= 0x80)
}

// letterPrefixStart returns where the upper-case letters before the digit
// run at d start ("AB123456C", "RSSMRA85…", "C01X00T47", "AB 12 34 56 C",
// "X-1234567-L"), at a word start; d when there are none.
func letterPrefixStart(s string, d int) int {
	st := d
	if d >= 3 && s[d-1] == ' ' && isUpper(s[d-2]) && isUpper(s[d-3]) && idWordStart(s, d-3) {
		return d - 3 // spaced NINO
	}
	if d >= 2 && s[d-1] == '-' && (s[d-2] == 'X' || s[d-2] == 'Y' || s[d-2] == 'Z') && idWordStart(s, d-2) {
		return d - 2 // NIE with a dash
	}
	for st > 0 && d-st < 6 && isUpper(s[st-1]) {
		st--
	}
	if st == d || !idWordStart(s, st) {
		return d
	}
	return st
}

// passportAt: 6–9 upper-case letters and digits (at least four digits)
// after a passport cue.
func passportAt(s string, i int) int {
	j, digits := i, 0
	for j < len(s) && (isUpper(s[j]) || isDigit(s[j])) {
		if isDigit(s[j]) {
			digits++
		}
		j++
	}
	if n := j - i; n < 6 || n > 9 || digits < 4 || !letterEnd(s, j) || !passportCue(s, i) {
		return 0
	}
	return j
}

// nationalIDAt returns the end of a national id starting at i (a word
// start), or 0.
func nationalIDAt(s string, i int) int {
	if end := passportAt(s, i); end > 0 {
		return end
	}
	if isDigit(s[i]) {
		if insideDigitRun(s, i) || i > 0 && (s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '/' || s[i-1] == '+' || s[i-1] == ',') && i > 1 && isDigit(s[i-2]) {
			return 0
		}
		var g [8]int
		end, digits, n, sep := digitGroups(s, i, " -.", g[:])
		if digits < 6 {
			return 0 // every digit-first form has more (the common short number stops here)
		}
		if g[0] == 3 && sep == '.' {
			if end := cpfFormatted(s, i); end > 0 {
				return end
			}
		}
		if g[0] == 1 && sep == ' ' {
			if end := nirFormatted(s, i); end > 0 {
				return end
			}
		}
		if !numberEndBoundary(s, end) {
			// 12345678Z, 12345678-Z: a DNI letter is the one allowed continuation.
			// A YYYYMMDD with a letter is a build ("20240115B") unless a cue says otherwise.
			if digits == 8 && n == 1 && (!looksLikeDate8(s[i:end]) || cueBefore(s, i, 32, dniCues)) {
				if end < len(s) && isUpper(s[end]) && dniLetterOK(s[i:end], s[end]) && letterEnd(s, end+1) {
					return end + 1
				}
				if end+1 < len(s) && s[end] == '-' && isUpper(s[end+1]) && dniLetterOK(s[i:end], s[end+1]) && letterEnd(s, end+2) {
					return end + 2
				}
			}
			return 0
		}
		v := s[i:end]
		switch {
		case n == 3 && g[0] == 4 && g[1] == 4 && g[2] == 4 && sep != '.' && s[i] >= '2':
			if verhoeffOK(v) {
				return end
			}
		case n == 3 && g[0] == 3 && g[1] == 3 && g[2] == 3 && sep != '.':
			if luhnDigits(v) && cueBefore(s, i, 40, sinCues) {
				return end
			}
		case n == 3 && g[0] == 4 && g[1] == 2 && g[2] == 3 && sep == '.':
			if elevenProofOK(v) && cueBefore(s, i, 40, bsnCues) {
				return end
			}
		case n == 4 && g[0] == 2 && g[1] == 3 && g[2] == 3 && g[3] == 3 && sep == ' ':
			if steuerIDOK(v) && cueBefore(s, i, 40, steuerCues) {
				return end
			}
		case n == 1:
			switch digits {
			case 8:
				// 12345678 Z after a cue.
				if end+1 < len(s) && s[end] == ' ' && isUpper(s[end+1]) && dniLetterOK(v, s[end+1]) && letterEnd(s, end+2) && cueBefore(s, i, 32, dniCues) {
					return end + 2
				}
			case 9:
				if luhnDigits(v) && s[i] != '0' && s[i] != '8' && cueBefore(s, i, 40, sinCues) {
					return end
				}
				if elevenProofOK(v) && cueBefore(s, i, 40, bsnCues) {
					return end
				}
			case 11:
				if cpfOK(v) && cueBefore(s, i, 32, cpfCues) {
					return end
				}
				if steuerIDOK(v) && cueBefore(s, i, 40, steuerCues) {
					return end
				}
			case 12:
				if s[i] >= '2' && verhoeffOK(v) && cueBefore(s, i, 40, aadhaarCues) {
					return end
				}
			case 15:
				if nirOK(v) && cueBefore(s, i, 40, nirCues) {
					return end
				}
			}
		}
		return 0
	}
	// Letters first: NINO, NIE, codice fiscale, alphanumeric passports.
	if end := ninoAt(s, i); end > 0 {
		return end
	}
	if end := nieAt(s, i); end > 0 {
		return end
	}
	return codiceFiscaleAt(s, i)
}

// passportCue: a passport cue within 32 bytes before i, no digit between.
func passportCue(s string, i int) bool { return cueBefore(s, i, 32, passportCues) }

// letterEnd: nothing alphanumeric follows a trailing letter at j.
func letterEnd(s string, j int) bool {
	return j >= len(s) || !(isAlnum(s[j]) || s[j] == '_' || s[j] >= 0x80)
}

// looksLikeDate8 reports a YYYYMMDD: "20240115A" is a build, not a DNI.
func looksLikeDate8(v string) bool {
	y := int(v[0]-'0')*1000 + int(v[1]-'0')*100 + int(v[2]-'0')*10 + int(v[3]-'0')
	m := int(v[4]-'0')*10 + int(v[5]-'0')
	d := int(v[6]-'0')*10 + int(v[7]-'0')
	return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

func dniLetterOK(digits string, letter byte) bool {
	n := 0
	for k := 0; k < len(digits); k++ {
		n = n*10 + int(digits[k]-'0')
	}
	return dniLetters[n%23] == letter
}

// nieAt: X/Y/Z + 7 digits + check letter (X=0, Y=1, Z=2 before the mod 23).
func nieAt(s string, i int) int {
	if i+9 > len(s) {
		return 0
	}
	p := s[i]
	if p != 'X' && p != 'Y' && p != 'Z' {
		return 0
	}
	j := i + 1
	if s[j] == '-' {
		j++
	}
	if j+8 > len(s) {
		return 0
	}
	for k := j; k < j+7; k++ {
		if !isDigit(s[k]) {
			return 0
		}
	}
	k := j + 7
	if s[k] == '-' {
		k++
	}
	if k >= len(s) || !isUpper(s[k]) || !letterEnd(s, k+1) {
		return 0
	}
	digits := string([]byte{'0' + (p - 'X')}) + s[j:j+7]
	if !dniLetterOK(digits, s[k]) {
		return 0
	}
	return k + 1
}

// ninoAt: UK National Insurance number AB123456C / AB 12 34 56 C.
func ninoAt(s string, i int) int {
	if i+9 > len(s) || !isUpper(s[i]) || !isUpper(s[i+1]) {
		return 0
	}
	a, b := s[i], s[i+1]
	if bytesIn(a, "DFIQUV") || bytesIn(b, "DFIOQUV") {
		return 0
	}
	switch s[i : i+2] {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return 0
	}
	j := i + 2
	spaced := j < len(s) && s[j] == ' '
	for g := 0; g < 3; g++ {
		if spaced {
			if j >= len(s) || s[j] != ' ' {
				return 0
			}
			j++
		}
		if j+2 > len(s) || !isDigit(s[j]) || !isDigit(s[j+1]) {
			return 0
		}
		j += 2
	}
	if spaced {
		if j >= len(s) || s[j] != ' ' {
			return 0
		}
		j++
	}
	if j >= len(s) || s[j] < 'A' || s[j] > 'D' || !letterEnd(s, j+1) {
		return 0
	}
	return j + 1
}

func bytesIn(c byte, set string) bool {
	for k := 0; k < len(set); k++ {
		if set[k] == c {
			return true
		}
	}
	return false
}

// cpfFormatted: 123.456.789-09 with valid check digits.
func cpfFormatted(s string, i int) int {
	if i+14 > len(s) {
		return 0
	}
	for k := 0; k < 14; k++ {
		c := s[i+k]
		switch k {
		case 3, 7:
			if c != '.' {
				return 0
			}
		case 11:
			if c != '-' {
				return 0
			}
		default:
			if !isDigit(c) {
				return 0
			}
		}
	}
	if !numberEndBoundary(s, i+14) {
		return 0
	}
	var d [11]byte
	n := 0
	for k := 0; k < 14; k++ {
		if isDigit(s[i+k]) {
			d[n] = s[i+k]
			n++
		}
	}
	if !cpfOK(string(d[:])) {
		return 0
	}
	return i + 14
}

func cpfOK(v string) bool {
	if len(v) != 11 {
		return false
	}
	same := true
	for k := 1; k < 11; k++ {
		if v[k] != v[0] {
			same = false
		}
	}
	if same {
		return false
	}
	for _, n := range [2]int{9, 10} {
		sum := 0
		for k := 0; k < n; k++ {
			sum += int(v[k]-'0') * (n + 1 - k)
		}
		r := sum * 10 % 11
		if r == 10 {
			r = 0
		}
		if r != int(v[n]-'0') {
			return false
		}
	}
	return true
}

// elevenProofOK: the Dutch BSN 11-proof over 9 digits (separators skipped).
func elevenProofOK(v string) bool {
	var d [9]int
	n := 0
	for k := 0; k < len(v); k++ {
		if isDigit(v[k]) {
			if n == 9 {
				return false
			}
			d[n] = int(v[k] - '0')
			n++
		}
	}
	if n != 9 {
		return false
	}
	sum := 0
	for k := 0; k < 8; k++ {
		sum += d[k] * (9 - k)
	}
	sum -= d[8]
	return sum != 0 && sum%11 == 0
}

// steuerIDOK: German tax id, 11 digits, first not 0, ISO 7064 MOD 11,10
// check digit, and in the first ten one digit twice or thrice.
func steuerIDOK(v string) bool {
	var d [11]int
	n := 0
	for k := 0; k < len(v); k++ {
		if isDigit(v[k]) {
			if n == 11 {
				return false
			}
			d[n] = int(v[k] - '0')
			n++
		}
	}
	if n != 11 || d[0] == 0 {
		return false
	}
	var count [10]int
	for k := 0; k < 10; k++ {
		count[d[k]]++
	}
	multi := 0
	for _, c := range count {
		if c > 3 {
			return false
		}
		if c >= 2 {
			multi++
		}
	}
	if multi != 1 {
		return false
	}
	p := 10
	for k := 0; k < 10; k++ {
		sum := (d[k] + p) % 10
		if sum == 0 {
			sum = 10
		}
		p = sum * 2 % 11
	}
	check := 11 - p
	if check == 10 {
		check = 0
	}
	return check == d[10]
}

// nirFormatted: 1 85 05 78 006 084 36 (1-2-2-2-3-3-2, spaces) with a valid key.
func nirFormatted(s string, i int) int {
	lens := [...]int{1, 2, 2, 2, 3, 3, 2}
	var buf [15]byte
	n := 0
	j := i
	for g, l := range lens {
		if g > 0 {
			if j >= len(s) || s[j] != ' ' {
				return 0
			}
			j++
		}
		for k := 0; k < l; k++ {
			if j >= len(s) {
				return 0
			}
			c := s[j]
			// Corsica: département 2A / 2B.
			if !isDigit(c) && !(g == 3 && k == 1 && (c == 'A' || c == 'B')) {
				return 0
			}
			buf[n] = c
			n++
			j++
		}
	}
	if !numberEndBoundary(s, j) || !nirOK(string(buf[:])) {
		return 0
	}
	return j
}

// nirOK checks a French social security number: sex 1/2 (7/8 temporary),
// month, and the key 97 − (first 13 digits mod 97), Corsica's 2A/2B as 19/18.
func nirOK(v string) bool {
	if len(v) != 15 || !bytesIn(v[0], "1278") {
		return false
	}
	m := int(v[3]-'0')*10 + int(v[4]-'0')
	if !(m >= 1 && m <= 12 || m == 20 || m >= 30 && m <= 42 || m >= 50 && m <= 99) {
		return false
	}
	n := 0
	for k := 0; k < 13; k++ {
		c := v[k]
		switch {
		case isDigit(c):
			n = (n*10 + int(c-'0')) % 97
		// Corsica: "2A" counts as 19 and "2B" as 18; the 2 is already in,
		// so the second character adds -1 or -2.
		case k == 6 && c == 'A' && v[5] == '2':
			n = (n*10 + 97 - 1) % 97
		case k == 6 && c == 'B' && v[5] == '2':
			n = (n*10 + 97 - 2) % 97
		default:
			return false
		}
	}
	if !isDigit(v[13]) || !isDigit(v[14]) {
		return false
	}
	key := int(v[13]-'0')*10 + int(v[14]-'0')
	return key == 97-n
}

var (
	cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
		1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23} // A-Z
)

// codiceFiscaleAt: Italian tax code, 6 letters, 2 digits, month letter, 2
// digits, letter + 3 digits (municipality), check letter.
func codiceFiscaleAt(s string, i int) int {
	if i+16 > len(s) || !letterEnd(s, i+16) {
		return 0
	}
	v := s[i : i+16]
	for k := 0; k < 16; k++ {
		c := v[k]
		switch {
		case k < 6 || k == 8 || k == 11 || k == 15:
			if !isUpper(c) {
				return 0
			}
		default:
			// Omocodia replaces digits by letters; those codes are rare: digits only.
			if !isDigit(c) {
				return 0
			}
		}
	}
	if !bytesIn(v[8], "ABCDEHLMPRST") {
		return 0
	}
	day := int(v[9]-'0')*10 + int(v[10]-'0')
	if !(day >= 1 && day <= 31 || day >= 41 && day <= 71) {
		return 0
	}
	sum := 0
	for k := 0; k < 15; k++ {
		c := v[k]
		idx := 0
		if isDigit(c) {
			idx = int(c - '0')
		} else {
			idx = 10 + int(c-'A')
		}
		if k%2 == 0 { // 1st, 3rd, … (odd positions, 1-based)
			sum += cfOdd[idx]
		} else if isDigit(c) {
			sum += int(c - '0')
		} else {
			sum += int(c - 'A')
		}
	}
	if byte('A'+sum%26) != v[15] {
		return 0
	}
	return i + 16
}

// Verhoeff tables (dihedral group D5).
var (
	verD = [10][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
		{3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
		{9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verP = [8][10]byte{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
		{8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// verhoeffOK checks the Verhoeff check digit of the digits of v.
func verhoeffOK(v string) bool {
	c := byte(0)
	pos := 0
	for k := len(v) - 1; k >= 0; k-- {
		if !isDigit(v[k]) {
			continue
		}
		c = verD[c][verP[pos%8][v[k]-'0']]
		pos++
	}
	return c == 0
}
