package detect

import (
	"math/bits"
	"strings"
)

// DeviceID finds identifiers of a person's device in free text:
//   - MAC addresses: six groups of two hex digits joined by ':' or '-'
//     (one separator throughout) and the dotted xxxx.xxxx.xxxx form; the
//     all-zero and broadcast addresses are not a device;
//   - IMEIs: 15 digits whose Luhn sum is valid, written 2-6-6-1 (the
//     TAC/serial grouping) anywhere, as a bare run only next to a cue
//     (imei, device, …), since any 15-digit id passes Luhn one time in ten;
//   - advertising and device ids: a UUID (IDFA, IDFV, GAID/AAID) or a
//     16-hex Android id only next to a cue (idfa, gaid, advertising id,
//     device id, android_id, …): UUIDs without a cue are request and trace
//     ids.
type DeviceID struct{}

// Name implements Detector.
func (DeviceID) Name() string { return "device_id" }

// Candidate implements Detector: a MAC needs ':', '-' or '.', the other
// forms digits or '-'.
func (DeviceID) Candidate(c Class) bool {
	return c&(ClassDigit|ClassColon|ClassUnderDash) != 0
}

// deviceCues introduce a device or advertising id.
var deviceCues = newCueSet(
	"idfa", "idfv", "gaid", "aaid", "adid", "ad_id", "ad id", "ad-id", "ifa", "advertising id", "advertising_id",
	"advertisingid", "advertiser id", "identifierforadvertising", "identifierforvendor", "google ad id",
	"device id", "device_id", "deviceid", "device-id", "device uuid", "device", "udid", "android_id", "android id",
	"androidid", "ssaid", "imei", "imeisv", "handset", "phone serial",
	"geräte-id", "gerät", "identifiant publicitaire", "identifiant de l'appareil", "appareil", "id de publicidad",
	"dispositivo", "id dispositivo", "apparaat", "toestel",
)

// Find implements Detector.
func (DeviceID) Find(s string, dst []Span) []Span {
	if len(s) < 14 {
		return dst
	}
	// Every form but the Android id needs fifteen digits (IMEI), five ':'
	// or '-' (MAC, and four '-' for a UUID) or two '.' five bytes apart
	// (dotted MAC): a
	// string without them is only searched for Android ids, from its digits.
	if ok, digits := deviceShapes(s); !ok {
		// Every Android-id cue holds "id" (android_id, ssaid, device id):
		// a string with many digits to visit and no "id", as a user agent,
		// is done after two vectorised searches.
		if digits == 0 || digits >= 8 && !hasFoldID(s) {
			return dst
		}
		return androidIDs(s, dst)
	}
	// Only separators and digit runs can start
	// work: the hex run before a separator tells the form (2: MAC, 4: dotted
	// MAC, 8: UUID, 2 digits: grouped IMEI).
	last := 0
	add := func(st, end int) {
		dst = append(dst, Span{st, end})
		last = end
	}
	for k := nextNumberByte(s, 0); k < len(s); k = nextNumberByte(s, k+1) {
		c := s[k]
		switch {
		case c == ':' || c == '-' || c == '.':
			st := k
			for st > last && k-st < 8 && isHex(s[st-1]) {
				st--
			}
			n := k - st
			if n == 0 || !deviceTokenStart(s, st) {
				continue
			}
			if end := macAt(s, st, n); end > 0 {
				add(st, end)
				k = end - 1
				continue
			}
			if n == 8 && c == '-' {
				if end := uuidAt(s, st); end > 0 {
					if !allZeroHex(s[st:end]) && cueBefore(s, st, 40, deviceCues) {
						add(st, end)
					}
					k = end - 1
					continue
				}
			}
			if n == 2 && c == '-' && isDigit(s[st]) && isDigit(s[st+1]) {
				if end := imeiAt(s, st); end > 0 {
					add(st, end)
					k = end - 1
				}
			}
		case c == '/':
		default: // a digit
			// The hex run around the digit: a bare IMEI or an Android id.
			hs, he := k, k+1
			for hs > last && isHex(s[hs-1]) {
				hs--
			}
			digits := hs == k // hex letters before k: not all digits
			for he < len(s) && isHex(s[he]) {
				digits = digits && isDigit(s[he])
				he++
			}
			switch {
			case he-hs == 2 && digits && he < len(s) && s[he] == ' ' && deviceTokenStart(s, hs):
				// 35 209900 176148 1
				if end := imeiAt(s, hs); end > 0 {
					add(hs, end)
					he = end
				}
			case he-hs == 15 && digits && deviceTokenStart(s, hs):
				if end := imeiAt(s, hs); end > 0 {
					add(hs, end)
				}
			case he-hs == 16 && !digits && deviceTokenStart(s, hs) && hexEnd(s, he) && cueBefore(s, hs, 24, androidCues):
				add(hs, he)
			}
			k = he - 1
		}
	}
	return dst
}

// deviceShapes counts, a word at a time, what the MAC, UUID and IMEI forms
// need; it also returns the number of digits.
func deviceShapes(s string) (bool, int) {
	digits, colons, dashes, dots := 0, 0, 0, 0
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load8(s, i)
		digits += bits.OnesCount64(swarBetween(x, '0'-1, '9'+1))
		colons += bits.OnesCount64(swarBetween(x, ':'-1, ':'+1))
		dashes += bits.OnesCount64(swarBetween(x, '-'-1, '-'+1))
		dots += bits.OnesCount64(swarBetween(x, '.'-1, '.'+1))
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == ':':
			colons++
		case c == '-':
			dashes++
		case c == '.':
			dots++
		}
	}
	// An IMEI, bare or grouped 2-6-6-1, has six digits in a row: user
	// agents and version lists have fifteen digits but no such run.
	return colons >= 5 || dashes >= 4 || dots >= 2 && dottedMACShape(s) || digits >= 15 && digitRunAtLeast(s, 6), digits
}

// dottedMACShape: two dots five bytes apart after four bytes (xxxx.xxxx.xxxx),
// visiting the dots only.
func dottedMACShape(s string) bool {
	for k := strings.IndexByte(s, '.'); k >= 0; {
		if k >= 4 && k+10 <= len(s) && s[k+5] == '.' {
			return true
		}
		n := strings.IndexByte(s[k+1:], '.')
		if n < 0 {
			return false
		}
		k += 1 + n
	}
	return false
}

// androidIDs finds 16-hex Android ids after their cue, starting from digits.
func androidIDs(s string, dst []Span) []Span {
	for k := nextDigit(s, 0); k < len(s); k = nextDigit(s, k) {
		hs, he := k, k+1
		for hs > 0 && isHex(s[hs-1]) {
			hs--
		}
		digits := hs == k
		for he < len(s) && isHex(s[he]) {
			digits = digits && isDigit(s[he])
			he++
		}
		if he-hs == 16 && !digits && deviceTokenStart(s, hs) && hexEnd(s, he) && cueBefore(s, hs, 24, androidCues) {
			dst = append(dst, Span{hs, he})
		}
		k = he
	}
	return dst
}

// hasFoldID reports whether s holds "id" in any ASCII case.
func hasFoldID(s string) bool {
	for _, d := range [2]byte{'d', 'D'} {
		for from := 1; from < len(s); {
			k := strings.IndexByte(s[from:], d)
			if k < 0 {
				break
			}
			if k += from; s[k-1]|0x20 == 'i' {
				return true
			}
			from = k + 1
		}
	}
	return false
}

var androidCues = newCueSet("android_id", "android id", "androidid", "ssaid", "device id", "device_id", "deviceid")

// deviceTokenStart: the value is not the tail of a longer word or number.
// After ':' or '-' it may start only when what precedes is not itself a
// two-hex group (that would make it the middle of a longer chain).
func deviceTokenStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	p := s[i-1]
	if isAlnum(p) || p == '_' || p == '.' || p >= 0x80 {
		return false
	}
	if p == ':' || p == '-' {
		if i >= 3 && isHex(s[i-2]) && isHex(s[i-3]) && (i == 3 || !isAlnum(s[i-4])) {
			return false
		}
	}
	return true
}

// hexEnd: the run ending at j is not followed by more of a word.
func hexEnd(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	if isAlnum(c) || c == '_' || c >= 0x80 {
		return false
	}
	if (c == ':' || c == '-' || c == '.') && j+1 < len(s) && isAlnum(s[j+1]) {
		return false
	}
	return true
}

// macAt returns the end of a MAC address starting at i (whose hex run is n
// long), or 0.
func macAt(s string, i, n int) int {
	switch n {
	case 2:
		if i+17 > len(s) {
			return 0
		}
		sep := s[i+2]
		if sep != ':' && sep != '-' {
			return 0
		}
		for g := 0; g < 6; g++ {
			o := i + 3*g
			if !isHex(s[o]) || !isHex(s[o+1]) {
				return 0
			}
			if g < 5 && s[o+2] != sep {
				return 0
			}
		}
		end := i + 17
		if !hexEnd(s, end) {
			return 0
		}
		if v := s[i:end]; allSameHexPair(v, '0') || allSameHexPair(v, 'f') {
			return 0
		}
		return end
	case 4:
		// Cisco's xxxx.xxxx.xxxx: with both a digit and a hex letter, so
		// dotted numbers (2024.0115.1030) stay.
		if i+14 > len(s) || s[i+4] != '.' || s[i+9] != '.' {
			return 0
		}
		digit, letter := false, false
		for k := 0; k < 14; k++ {
			if k == 4 || k == 9 {
				continue
			}
			c := s[i+k]
			if !isHex(c) {
				return 0
			}
			if isDigit(c) {
				digit = true
			} else {
				letter = true
			}
		}
		if !digit || !letter || !hexEnd(s, i+14) {
			return 0
		}
		return i + 14
	}
	return 0
}

func allSameHexPair(v string, c byte) bool {
	for k := 0; k < len(v); k++ {
		if v[k] != ':' && v[k] != '-' && lower(v[k]) != c {
			return false
		}
	}
	return true
}

// uuidAt returns the end of an 8-4-4-4-12 hex UUID starting at i, or 0.
func uuidAt(s string, i int) int {
	if i+36 > len(s) {
		return 0
	}
	for k := 0; k < 36; k++ {
		c := s[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return 0
			}
		default:
			if !isHex(c) {
				return 0
			}
		}
	}
	if !hexEnd(s, i+36) {
		return 0
	}
	return i + 36
}

func allZeroHex(v string) bool {
	for k := 0; k < len(v); k++ {
		if v[k] != '0' && v[k] != '-' {
			return false
		}
	}
	return true
}

func allDigits(v string) bool {
	for k := 0; k < len(v); k++ {
		if !isDigit(v[k]) {
			return false
		}
	}
	return true
}

// imeiAt returns the end of an IMEI starting at digit i, or 0.
func imeiAt(s string, i int) int {
	if !numberStartBoundary(s, i) {
		return 0
	}
	var g [5]int
	end, digits, n, sep := digitGroups(s, i, "- ", g[:])
	if digits != 15 || !numberEndBoundary(s, end) {
		return 0
	}
	grouped := sep != 0 && n == 4 && g[0] == 2 && g[1] == 6 && g[2] == 6 && g[3] == 1
	if !grouped && (n != 1 || !cueBefore(s, i, 32, deviceCues)) {
		return 0
	}
	if !luhnDigits(s[i:end]) {
		return 0
	}
	return end
}
