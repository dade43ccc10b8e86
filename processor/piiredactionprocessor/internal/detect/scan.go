package detect

import "math/bits"

// Word-at-a-time scanning: most bytes of a log line are letters and spaces,
// and the number-bound detectors (national_id, date_of_birth, device_id,
// geo) only start work at digits or separators. Reading eight bytes at a
// time and testing them together skips the rest several times faster than a
// byte loop.

const (
	swarLSB = 0x0101010101010101
	swarMSB = 0x8080808080808080
)

// load8 reads s[i:i+8] little-endian (the compiler merges the loads).
func load8(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// swarBetween has the high bit of each byte of x set when m < byte < n
// (bytes >= 0x80 never match; m, n <= 127).
func swarBetween(x, m, n uint64) uint64 {
	return (swarLSB*(127+n) - (x & (swarLSB * 127))) & ^x & ((x & (swarLSB * 127)) + swarLSB*(127-m)) & swarMSB
}

// nextDigit returns the index of the first ASCII digit at or after i, or
// len(s).
func nextDigit(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if swarBetween(load8(s, i), '0'-1, '9'+1) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			return i
		}
	}
	return len(s)
}

// nextNumberByte returns the index of the first byte at or after i that is
// a digit or one of "-./:" (the bytes 0x2D-0x3A), or len(s).
func nextNumberByte(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if swarBetween(load8(s, i), '-'-1, ':'+1) != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= '-' && c <= ':' {
			return i
		}
	}
	return len(s)
}

// atLeastDigits reports whether s has at least n ASCII digits: the shared
// gate of detectors whose every form has that many ("okey-dokey-0", "v2",
// "http-nio-8080" cost a word or two).
func atLeastDigits(s string, n int) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		n -= bits.OnesCount64(swarBetween(load8(s, i), '0'-1, '9'+1))
		if n <= 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			n--
		}
	}
	return n <= 0
}

// digitRunAtLeast reports whether s has n (1..8) ASCII digits in a row, a
// word at a time: a run is inside one word (n digit flags in a row in its
// mask) or spans the end of one word and the start of the next.
func digitRunAtLeast(s string, n int) bool {
	tail, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		m := swarBetween(load8(s, i), '0'-1, '9'+1)
		if m == 0 {
			tail = 0
			continue
		}
		non := ^m & swarMSB
		if non == 0 { // eight digits
			if tail += 8; tail >= n {
				return true
			}
			continue
		}
		if tail+bits.TrailingZeros64(non)>>3 >= n {
			return true
		}
		r := m
		for k := 1; k < n && r != 0; k++ {
			r &= m >> (8 * k)
		}
		if r != 0 {
			return true
		}
		tail = bits.LeadingZeros64(non) >> 3
	}
	for ; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			tail++
			if tail >= n {
				return true
			}
		} else {
			tail = 0
		}
	}
	return false
}
