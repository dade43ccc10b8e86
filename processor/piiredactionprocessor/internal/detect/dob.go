package detect

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// DateOfBirth finds a date written next to a birth cue (dob, born, date of
// birth, geb., Geburtsdatum, né(e) le, fecha de nacimiento, data di nascita,
// data de nascimento, geboortedatum, födelsedatum, data urodzenia, 生年月日,
// …) before it (within 48 bytes, no digit between, at most four words of gap
// and none of them an event word like "sale" or "party"), or right after it
// ("12.03.1985 (DOB)"). Dates: 1985-03-12, 1985/03/12, 12.03.1985,
// 12/03/1985, 03/12/1985, 12-03-1985, 12.03.85, 19850312, 12 March 1985,
// 12. März 1985, 12 de marzo de 1985, March 12, 1985, 1985年3月12日, with a
// plausible year (1900 up to this year). The same dates without a cue —
// timestamps, release dates, log line prefixes — are not reported.
type DateOfBirth struct{}

// Name implements Detector.
func (DateOfBirth) Name() string { return "date_of_birth" }

// Candidate implements Detector.
func (DateOfBirth) Candidate(c Class) bool { return c.Has(ClassDigit) }

var dobCues = newCueSet(
	// en
	"dob", "d.o.b", "d.o.b.", "date of birth", "date_of_birth", "date-of-birth", "dateofbirth", "birth date", "birth_date",
	"birthdate", "birthday", "birth", "born", "born on", "bday", "b-day",
	// de
	"geb.", "geb", "geboren", "geburtsdatum", "geburtstag", "geb.-datum", "geb.datum", "geburts-datum",
	// fr
	"né", "née", "né(e)", "né le", "née le", "date de naissance", "naissance", "ddn",
	// es
	"fecha de nacimiento", "f. nacimiento", "f. nac.", "fecha nac.", "fecha de nac.", "f. de nac.", "fec. nac.", "nacido", "nacida", "nacimiento",
	// it
	"data di nascita", "nato il", "nata il", "nato a", "nata a", "nato/a", "nascita",
	// pt
	"data de nascimento", "nascido", "nascida", "nascimento", "dt. nasc.", "dt nasc",
	// nl, nordic, pl, tr, ru, ja, zh
	"geboortedatum", "geb. datum", "födelsedatum", "född", "født", "fødselsdato", "syntymäaika", "data urodzenia",
	"urodzony", "urodzona", "urodzon", "doğum tarihi", "дата рождения", "родился", "родилась", "生年月日", "誕生日", "出生日期", "生日",
)

// dobGapStop are words that make the date an event's, not a birth: "birthday
// sale 2024-05-01", "birthday party on 12.06.2024".
var dobGapStop = newCueSet("sale", "sales", "promo", "promotion", "campaign", "party", "discount", "coupon", "offer",
	"reminder", "card", "cake", "event", "voucher", "email", "mail", "newsletter", "greeting", "greetings", "bonus",
	"aktion", "rabatt", "gutschein", "feier", "soldes", "fête", "oferta", "fiesta", "festa", "sconto", "promoção")

var monthNames = newCueSet(
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"januar", "jänner", "februar", "märz", "maerz", "mai", "juni", "juli", "oktober", "dezember",
	"janvier", "février", "fevrier", "mars", "avril", "juin", "juillet", "août", "aout", "septembre", "octobre", "novembre", "décembre", "decembre",
	"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre",
	"gennaio", "febbraio", "aprile", "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
	"janeiro", "fevereiro", "março", "marco", "maio", "junho", "julho", "setembro", "outubro", "dezembro",
	"januari", "februari", "maart", "mei", "augustus",
)

var maxBirthYear = time.Now().Year()

// Find implements Detector.
func (DateOfBirth) Find(s string, dst []Span) []Span {
	// A date has at least four digits (a year, or D.M.YY).
	if len(s) < 6 || !atLeastDigits(s, 4) {
		return dst
	}
	for i := nextDigit(s, 0); i < len(s); i = nextDigit(s, i) {
		if !numberStartBoundary(s, i) && !(i > 0 && s[i-1] >= 0x80) {
			i = skipDigits(s, i)
			continue
		}
		st, end := dateAt(s, i)
		if end == 0 {
			i = skipDigits(s, i)
			continue
		}
		if dobCueOK(s, st) || dobCueAfter(s, end) {
			dst = append(dst, Span{st, end})
		}
		i = end
	}
	return dst
}

// dobCueOK: a birth cue before st, and between them at most four words,
// each a filler ("on", "am", "le", "el", "il", a date-format hint "dd/mm/yyyy")
// or capitalised (a place of birth: "nata a Roma il 15/06/1978"). "DOB field
// missing since 2024-01-15" and "birthday sale 2024-05-01" are not births.
func dobCueOK(s string, st int) bool {
	ce := cueEndBefore(s, st, 48, dobCues)
	if ce < 0 {
		return false
	}
	gap := s[ce:st]
	if dobGapStop.lastEnd(gap, 0, len(gap)) >= 0 {
		return false
	}
	words := 0
	for k := 0; k < len(gap); {
		if n := letterLen(gap, k); n == 0 {
			if gap[k] < 0x80 {
				k++
			} else {
				_, sz := utf8.DecodeRuneInString(gap[k:])
				k += sz
			}
			continue
		}
		e := k
		for e < len(gap) {
			n := letterLen(gap, e)
			if n == 0 {
				break
			}
			e += n
		}
		words++
		if words > 4 || !(isUpper(gap[k]) || dobFiller(gap[k:e])) {
			return false
		}
		k = e
	}
	return true
}

// letterLen is the byte length of the letter at k (ASCII or any script), 0
// if s[k] does not start a letter.
func letterLen(s string, k int) int {
	if s[k] < 0x80 {
		if isAlpha(s[k]) {
			return 1
		}
		return 0
	}
	r, sz := utf8.DecodeRuneInString(s[k:])
	if unicode.IsLetter(r) {
		return sz
	}
	return 0
}

var dobFillers = []string{"on", "the", "is", "was", "at", "of", "in", "a", "an", "am", "um", "den", "dem", "der", "des",
	"im", "le", "la", "les", "du", "de", "à", "el", "en", "il", "lo", "di", "da", "do", "em", "no", "na", "op", "te", "van",
	"ist", "war", "est", "es", "è", "och", "i", "w", "dnia", "r", "dd", "mm", "yyyy", "yy", "jj", "aaaa", "tt", "jjjj",
	"date", "datum", "fecha", "data", "e", "y", "und", "et", "and", "nel", "nella", "día", "to", "as", "set", "zu", "auf", "para", "per", "from", "von", "vom"}

func dobFiller(w string) bool {
	for _, f := range dobFillers {
		if equalFoldASCII(w, f) {
			return true
		}
	}
	return false
}

// dobCueAfter: "1985-03-12 (DOB)", "12.03.1985 [geb.]": a cue right inside
// brackets after the date.
func dobCueAfter(s string, end int) bool {
	j := skipSpaces(s, end)
	if j >= len(s) || (s[j] != '(' && s[j] != '[') {
		return false
	}
	j = skipSpaces(s, j+1)
	return j < len(s) && startsCue(s, j)
}

// startsCue reports whether a dob cue starts exactly at j.
func startsCue(s string, j int) bool {
	for _, c := range dobCues.byFirst[lower(s[j])] {
		if hasFoldPrefix(s[j:], c) {
			return true
		}
	}
	return false
}

// dateAt parses a date starting at digit i; it returns its span (the start
// moves back over a month name in "March 12, 1985") or end 0.
func dateAt(s string, i int) (int, int) {
	var g [4]int
	end, digits, n, sep := digitGroups(s, i, "-./", g[:])
	switch {
	case n == 3 && sep != 0:
		a, b, c := numAt(s, i, g[0]), numAt(s, i+g[0]+1, g[1]), numAt(s, i+g[0]+g[1]+2, g[2])
		ok := false
		switch {
		case g[0] == 4 && g[1] <= 2 && g[2] <= 2:
			ok = validYMD(a, b, c)
		case g[0] <= 2 && g[1] <= 2 && g[2] == 4:
			ok = validYMD(c, b, a) || validYMD(c, a, b)
		case g[0] <= 2 && g[1] <= 2 && g[2] == 2:
			ok = (b >= 1 && b <= 12 && a >= 1 && a <= 31) || (a >= 1 && a <= 12 && b >= 1 && b <= 31)
		}
		if ok && dateEnd(s, end) {
			return i, end
		}
	case n == 1 && digits == 8:
		y, m, d := numAt(s, i, 4), numAt(s, i+4, 2), numAt(s, i+6, 2)
		if (validYMD(y, m, d) || validYMD(numAt(s, i+4, 4), numAt(s, i+2, 2), numAt(s, i, 2))) && numberEndBoundary(s, end) {
			return i, end
		}
	case n == 1 && digits == 4:
		// 1985年3月12日
		if st, e := cjkDate(s, i, end); e > 0 {
			return st, e
		}
	case n == 1 && digits <= 2:
		d := numAt(s, i, digits)
		// 12 March 1985, 12. März 1985, 12th March 1985, 12 de marzo de 1985
		if e := dayMonthYear(s, end, d); e > 0 {
			return i, e
		}
		// March 12, 1985
		if st, e := monthDayYear(s, i, end, d); e > 0 {
			return st, e
		}
	}
	return i, 0
}

// dateEnd: a date may be followed by a time ("1985-03-12T00:00:00Z") but not
// by more of a number or identifier.
func dateEnd(s string, end int) bool {
	if end < len(s) && s[end] == 'T' && end+1 < len(s) && isDigit(s[end+1]) {
		return true
	}
	return numberEndBoundary(s, end)
}

func numAt(s string, i, n int) int {
	v := 0
	for k := i; k < i+n && k < len(s); k++ {
		v = v*10 + int(s[k]-'0')
	}
	return v
}

func validYMD(y, m, d int) bool {
	return y >= 1900 && y <= maxBirthYear && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

// dayMonthYear reads "[.|st|nd|rd|th] [de] Month [de|,] YYYY" after the day.
func dayMonthYear(s string, j, d int) int {
	if d < 1 || d > 31 {
		return 0
	}
	if j < len(s) && s[j] == '.' {
		j++
	} else if j+2 <= len(s) && (hasFoldPrefix(s[j:], "st") || hasFoldPrefix(s[j:], "nd") || hasFoldPrefix(s[j:], "rd") || hasFoldPrefix(s[j:], "th")) {
		j += 2
	}
	j = skipSpaces(s, j)
	if hasFoldPrefix(s[j:], "de ") {
		j = skipSpaces(s, j+2)
	}
	me := monthAt(s, j)
	if me == 0 {
		return 0
	}
	j = me
	if j < len(s) && s[j] == '.' {
		j++
	}
	if j < len(s) && s[j] == ',' {
		j++
	}
	j = skipSpaces(s, j)
	if hasFoldPrefix(s[j:], "de ") {
		j = skipSpaces(s, j+2)
	}
	return yearAt(s, j)
}

// monthDayYear reads "Month D[,] YYYY" with the month before the day at i.
func monthDayYear(s string, i, j, d int) (int, int) {
	if d < 1 || d > 31 {
		return i, 0
	}
	// The month name ends before the space(s) before i.
	k := i
	for k > 0 && s[k-1] == ' ' {
		k--
	}
	if k == i || k == 0 {
		return i, 0
	}
	if s[k-1] == '.' {
		k--
	}
	st := k
	for st > 0 && (isAlpha(s[st-1]) || s[st-1] >= 0x80) {
		st--
	}
	if st == k || monthAt(s, st) != k {
		return i, 0
	}
	if j+2 <= len(s) && (hasFoldPrefix(s[j:], "st") || hasFoldPrefix(s[j:], "nd") || hasFoldPrefix(s[j:], "rd") || hasFoldPrefix(s[j:], "th")) {
		j += 2
	}
	if j < len(s) && s[j] == ',' {
		j++
	}
	j = skipSpaces(s, j)
	if e := yearAt(s, j); e > 0 {
		return st, e
	}
	return i, 0
}

// monthAt returns the end of the longest month name at j that is a word of
// its own, or 0.
func monthAt(s string, j int) int {
	if j >= len(s) {
		return 0
	}
	best := 0
	for _, m := range monthNames.byFirst[lower(s[j])] {
		e := j + len(m)
		if hasFoldPrefix(s[j:], m) && (e == len(s) || !isAlpha(s[e]) && s[e] < 0x80) && e > best {
			best = e
		}
	}
	return best
}

// yearAt returns the end of a plausible four-digit birth year at j, or 0.
func yearAt(s string, j int) int {
	if j+4 > len(s) {
		return 0
	}
	for k := j; k < j+4; k++ {
		if !isDigit(s[k]) {
			return 0
		}
	}
	y := numAt(s, j, 4)
	if y < 1900 || y > maxBirthYear || !numberEndBoundary(s, j+4) {
		return 0
	}
	return j + 4
}

func skipSpaces(s string, j int) int {
	for j < len(s) && s[j] == ' ' {
		j++
	}
	return j
}

// cjkDate reads 1985年3月12日 (年 E5 B9 B4, 月 E6 9C 88, 日 E6 97 A5).
func cjkDate(s string, i, j int) (int, int) {
	const nen, tsuki, nichi = "\u5e74", "\u6708", "\u65e5"
	y := numAt(s, i, 4)
	if y < 1900 || y > maxBirthYear || !cjkAt(s, j, nen) {
		return i, 0
	}
	j += len(nen)
	m, k := 0, j
	for k < len(s) && isDigit(s[k]) && k-j < 2 {
		m = m*10 + int(s[k]-'0')
		k++
	}
	if k == j || m < 1 || m > 12 || !cjkAt(s, k, tsuki) {
		return i, 0
	}
	k += len(tsuki)
	d, l := 0, k
	for l < len(s) && isDigit(s[l]) && l-k < 2 {
		d = d*10 + int(s[l]-'0')
		l++
	}
	if l == k || d < 1 || d > 31 || !cjkAt(s, l, nichi) {
		return i, 0
	}
	return i, l + len(nichi)
}

func cjkAt(s string, j int, p string) bool {
	return j+len(p) <= len(s) && s[j:j+len(p)] == p
}
