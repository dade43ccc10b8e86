package detect

// Geo finds precise coordinates of a person: latitude/longitude pairs whose
// two numbers have at least three decimals (≈ 110 m or better), in range
// (|lat| ≤ 90, |lon| ≤ 180), written
//   - as a pair "48.85837, 2.29448", "(48.8584,2.2945)", "48.8584 2.2945",
//     "48.8584° N, 2.2945° E", GeoJSON "[2.2945,48.8584]": after a location
//     cue (location, gps, coords, position, lat/lng, Standort, ubicación, …)
//     with three decimals, with hemisphere letters or degree signs, or with
//     four decimals and a comma without a cue;
//   - as two keyed numbers "lat=48.8584 lon=2.2945",
//     {"latitude":48.8584,"longitude":2.2945} (either order, within 64
//     bytes).
//
// Each number is its own span, so that the anonymize action can truncate it
// (see the processor's modes). Not reported: pairs after an infrastructure
// cue (datacenter, region, PoP, facility, …: the location of a building, not
// of a person), numbers with fewer decimals, lists of three or more numbers,
// pairs followed by a unit (ms, s, %, …), pairs of two numbers below 1
// (ratios, probabilities).
type Geo struct{}

// Name implements Detector.
func (Geo) Name() string { return "geo" }

// Candidate implements Detector.
func (Geo) Candidate(c Class) bool { return c.Has(ClassDigit | ClassDot) }

var geoCues = newCueSet(
	"location", "loc", "gps", "geo", "geolocation", "geo location", "coords", "coord", "coordinates", "coordinate",
	"position", "pos", "latlng", "lat_lng", "latlon", "lat/lng", "lat/lon", "lat,lng", "lat, lng", "lat,lon", "lat", "lng",
	"lon", "latitude", "longitude", "located at", "last seen at", "pin", "gps fix", "fix", "map", "geotag", "geopoint",
	"standort", "koordinaten", "position", "ubicación", "ubicacion", "coordenadas", "localisation", "posizione",
	"coordinate", "locatie", "localização", "localizacao", "posição", "lokalizacja", "położenie", "konum",
)

var latKeys = []string{"latitude", "lat", "breite", "breitengrad", "latitud", "latitudine"}
var lonKeys = []string{"longitude", "lng", "lon", "long", "laenge", "länge", "längengrad", "longitud", "longitudine"}

// infraCues name a building's location: coordinates after them are kept.
var infraCues = newCueSet(
	"datacenter", "data center", "data centre", "datacentre", "data-center", "dc", "region", "availability zone", "az",
	"pop", "edge location", "facility", "colo", "colocation", "rack", "cluster", "server room", "rechenzentrum",
	"centre de données", "centro de datos", "centro dati", "datacentrum", "headquarters", "hq", "warehouse",
)

// geoNum is a decimal number found in the text.
type geoNum struct {
	start, end int
	neg        bool
	intDigits  int
	frac       int
	intVal     int
}

// Find implements Detector.
func (Geo) Find(s string, dst []Span) []Span {
	// Two numbers with three decimals each: at least eight digits.
	if len(s) < 9 || !atLeastDigits(s, 8) {
		return dst
	}
	var prev geoNum // the last keyed number (lat or lon) and its kind
	prevKind := 0   // 1 lat, 2 lon
	for i := 0; i < len(s); {
		if d := nextDigit(s, i); d > i {
			i = d
			if s[d-1] == '-' || s[d-1] == '+' {
				i = d - 1
			}
			if i >= len(s) {
				break
			}
		}
		c := s[i]
		if !isDigit(c) && !((c == '-' || c == '+') && i+1 < len(s) && isDigit(s[i+1])) {
			i++
			continue
		}
		a, ok := geoNumAt(s, i)
		if !ok {
			i = skipNumber(s, i)
			continue
		}
		if a.frac < 3 {
			i = a.end
			continue
		}
		// A pair: a, separator, b.
		if j, sepComma, hemi := geoPairSep(s, a.end); j > 0 {
			if b, ok := geoNumAt(s, j); ok && b.frac >= 3 {
				end := b.end
				hemiB := false
				if k := geoHemisphere(s, b.end); k > b.end {
					hemiB, end = true, k
				}
				if geoPairOK(s, a, b, sepComma, hemi || hemiB, end) {
					dst = append(dst, Span{a.start, a.end}, Span{b.start, b.end})
					i = end
					prevKind = 0
					continue
				}
			}
		}
		// A keyed number: lat=…, "longitude": ….
		if kind := geoKeyBefore(s, a.start); kind != 0 && a.intVal <= 180 {
			if prevKind != 0 && prevKind != kind && a.start-prev.end <= 64 && !cueWithin(s, min(prev.start, a.start), 48, infraCues) &&
				(kind != 1 || a.intVal <= 90) && (prevKind != 1 || prev.intVal <= 90) {
				dst = append(dst, Span{prev.start, prev.end}, Span{a.start, a.end})
				prevKind = 0
				i = a.end
				continue
			}
			prev, prevKind = a, kind
		}
		i = a.end
	}
	return dst
}

// geoNumAt parses a decimal number at i: optional sign, 1–3 integer digits,
// '.', fraction digits, at a number boundary.
func geoNumAt(s string, i int) (geoNum, bool) {
	n := geoNum{start: i}
	if i > 0 {
		p := s[i-1]
		if isAlnum(p) || p == '.' || p == '_' || p == '-' || p == '/' || p == '#' || p == '$' {
			return n, false
		}
	}
	j := i
	if s[j] == '-' || s[j] == '+' {
		n.neg = s[j] == '-'
		j++
	}
	st := j
	for j < len(s) && isDigit(s[j]) {
		n.intVal = n.intVal*10 + int(s[j]-'0')
		j++
		if j-st > 3 {
			return n, false
		}
	}
	n.intDigits = j - st
	if n.intDigits == 0 || j >= len(s) || s[j] != '.' || j+1 >= len(s) || !isDigit(s[j+1]) {
		return n, false
	}
	j++
	fs := j
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	n.frac = j - fs
	n.end = j
	// Not a version or an address: no further '.digit', no letter glued on
	// (a hemisphere letter after is read by geoHemisphere), no ':' (times).
	if j < len(s) {
		c := s[j]
		if (c == '.' || c == ':' || c == '-' || c == '/') && j+1 < len(s) && isDigit(s[j+1]) {
			return n, false
		}
		if isAlpha(c) && c != 'N' && c != 'S' && c != 'E' && c != 'W' {
			return n, false
		}
		if c == '_' {
			return n, false
		}
	}
	return n, true
}

// skipNumber moves past the number-like run at i.
func skipNumber(s string, i int) int {
	i++
	for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == ':' || s[i] == '-' || s[i] == '_') {
		i++
	}
	return i
}

// geoHemisphere returns the end of a "°", "° N", " N", "N" after a number,
// or j when there is none.
func geoHemisphere(s string, j int) int {
	k := j
	if k+1 < len(s) && s[k] == 0xc2 && s[k+1] == 0xb0 { // °
		k += 2
	}
	m := k
	if m < len(s) && s[m] == ' ' {
		m++
	}
	if m < len(s) {
		switch s[m] {
		case 'N', 'S', 'E', 'W', 'O':
			if m+1 == len(s) || !isAlpha(s[m+1]) {
				return m + 1
			}
		}
	}
	return k
}

// geoPairSep reads what joins the two numbers of a pair after the first
// ends at j: a hemisphere marker, then ", ", ",", "; ", " " or " / ". It
// returns the start of the second number (0 if none), whether a comma or
// semicolon was used, and whether a hemisphere/degree marker was seen.
func geoPairSep(s string, j int) (int, bool, bool) {
	k := geoHemisphere(s, j)
	hemi := k > j
	for k < len(s) && s[k] == ' ' {
		k++
	}
	comma := false
	if k < len(s) && (s[k] == ',' || s[k] == ';' || s[k] == '/') {
		comma = s[k] != '/'
		k++
		for k < len(s) && s[k] == ' ' {
			k++
		}
	} else if k == j || k-j > 2 && !hemi {
		return 0, false, false // no separator at all, or a wide gap
	}
	if k >= len(s) || !(isDigit(s[k]) || (s[k] == '-' || s[k] == '+') && k+1 < len(s) && isDigit(s[k+1])) {
		return 0, false, false
	}
	return k, comma, hemi
}

// geoPairOK decides a candidate pair a, b (ending at end).
func geoPairOK(s string, a, b geoNum, comma, hemi bool, end int) bool {
	if a.intVal > 180 || b.intVal > 180 || (a.intVal > 90 && b.intVal > 90) {
		return false
	}
	if a.intVal == 0 && b.intVal == 0 {
		return false // ratios and probabilities
	}
	// A third number in the same list: a vector, not a position.
	if k, _, _ := geoPairSep(s, end); k > 0 {
		if _, ok := geoNumAt(s, k); ok {
			return false
		}
	}
	if a.start > 0 {
		p := a.start - 1
		for p >= 0 && s[p] == ' ' {
			p--
		}
		if p >= 1 && (s[p] == ',' || s[p] == ';') && isDigit(s[p-1]) {
			return false
		}
	}
	if geoUnitAfter(s, end) {
		return false
	}
	if cueWithin(s, a.start, 48, infraCues) {
		return false
	}
	if hemi || cueBefore(s, a.start, 40, geoCues) {
		return true
	}
	// Without a cue: four decimals each, as GPS fixes print them, not
	// rounded values ("1.2500, 1.7500").
	return comma && a.frac >= 4 && b.frac >= 4 && !(s[a.end-2:a.end] == "00" && s[b.end-2:b.end] == "00")
}

var geoUnits = []string{"ms", "s", "sec", "secs", "seconds", "min", "h", "%", "px", "em", "kb", "mb", "gb", "ns", "us", "µs", "x", "m", "km", "mi", "kg", "g", "eur", "usd"}

// geoUnitAfter reports a unit right after the pair ("1.2345, 2.3456 ms").
func geoUnitAfter(s string, j int) bool {
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) {
		return false
	}
	if s[j] == '%' {
		return true
	}
	for _, u := range geoUnits {
		if hasFoldPrefix(s[j:], u) && (j+len(u) == len(s) || !isAlpha(s[j+len(u)])) {
			return true
		}
	}
	return false
}

// geoKeyBefore reports whether the number at i is the value of a latitude
// (1) or longitude (2) key: the key, then only quotes, '=', ':', spaces.
func geoKeyBefore(s string, i int) int {
	j := i - 1
	for j >= 0 && i-j <= 4 && (s[j] == ' ' || s[j] == '"' || s[j] == '\'' || s[j] == '=' || s[j] == ':' || s[j] == '\\') {
		j--
	}
	if j < 0 || j == i-1 {
		return 0
	}
	end := j + 1
	for _, k := range latKeys {
		if geoKeyEndsAt(s, end, k) {
			return 1
		}
	}
	for _, k := range lonKeys {
		if geoKeyEndsAt(s, end, k) {
			return 2
		}
	}
	return 0
}

func geoKeyEndsAt(s string, end int, k string) bool {
	st := end - len(k)
	if st < 0 || !hasFoldPrefix(s[st:end], k) {
		return false
	}
	return st == 0 || !isAlpha(s[st-1])
}
