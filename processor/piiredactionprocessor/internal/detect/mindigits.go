package detect

import "math/bits"

// DigitBound is a Detector whose every finding holds at least MinDigits
// ASCII digits. The engine counts a string's digits once (CountDigits) and
// skips such detectors on strings with fewer: short values ("v1.14.3",
// "eu-west-1", "/api/v1/orders/{id}") then cost no call at all for the
// number detectors that cannot match them.
type DigitBound interface {
	MinDigits() int
}

// MaxMinDigits is the largest MinDigits of any detector: counting stops
// there.
const MaxMinDigits = 13

// MinDigits implements DigitBound: 13 to 19 digits (IsCardDigits).
func (Card) MinDigits() int { return 13 }

// MinDigits implements DigitBound: AAA-GG-SSSS.
func (SSN) MinDigits() int { return 9 }

// MinDigits implements DigitBound: '+' numbers have 9 to 15 digits, North
// American ones 10, national trunk ones 10 to 12 (phoneShapeOK).
func (Phone) MinDigits() int { return 9 }

// MinDigits implements DigitBound: the gate at the top of Find.
func (Geo) MinDigits() int { return 8 }

// MinDigits implements DigitBound: the gate at the top of Find.
func (NationalID) MinDigits() int { return 4 }

// MinDigits implements DigitBound: the gate at the top of Find.
func (DateOfBirth) MinDigits() int { return 4 }

// MinRun implements RunBound: a card starts with a group of four digits or
// is one run of 13 to 19 (cardGroupsOK).
func (Card) MinRun() int { return 4 }

// MinRun implements RunBound: the serial SSSS.
func (SSN) MinRun() int { return 4 }

// RunBound is a Detector whose every finding holds a run of at least
// MinRun (<= MaxMinRun) consecutive ASCII digits: UUIDs and user agents
// ("537.36", "8d41") have none of four and skip them.
type RunBound interface {
	MinRun() int
}

// MaxMinRun is the largest MinRun: runs are measured up to it.
const MaxMinRun = 4

// CountDigits returns the number of ASCII digits in s, or MaxMinDigits when
// there are at least that many (it stops counting there), a word at a time.
func CountDigits(s string) int {
	n, _ := DigitFacts(s)
	return n
}

// DigitFacts returns the number of ASCII digits in s (up to MaxMinDigits)
// and the length of its longest run of digits (up to MaxMinRun), a word at
// a time; it stops once both reach their maximum.
func DigitFacts(s string) (count, run int) {
	tail := 0 // digits that end the bytes read so far
	i := 0
	for ; i+8 <= len(s); i += 8 {
		m := swarBetween(load8(s, i), '0'-1, '9'+1)
		if m == 0 {
			tail = 0
			continue
		}
		count += bits.OnesCount64(m)
		if m == swarMSB {
			tail += 8
			run = max(run, tail)
		} else {
			// The run continuing from the last word, the runs inside this
			// one (k digits in a row: m & m>>8 & … & m>>8(k-1)), and the run
			// this one ends with.
			non := ^m & swarMSB
			run = max(run, tail+bits.TrailingZeros64(non)>>3)
			if run < MaxMinRun {
				r := m & (m >> 8)
				switch {
				case r&(m>>16)&(m>>24) != 0:
					run = MaxMinRun
				case r&(m>>16) != 0:
					run = max(run, 3)
				case r != 0:
					run = max(run, 2)
				default:
					run = max(run, 1)
				}
			}
			tail = bits.LeadingZeros64(non) >> 3
		}
		if count >= MaxMinDigits && run >= MaxMinRun {
			return MaxMinDigits, MaxMinRun
		}
	}
	for ; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			count++
			tail++
			run = max(run, tail)
		} else {
			tail = 0
		}
	}
	return min(count, MaxMinDigits), min(run, MaxMinRun)
}
