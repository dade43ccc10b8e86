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

// CountDigits returns the number of ASCII digits in s, or MaxMinDigits when
// there are at least that many (it stops counting there), a word at a time.
func CountDigits(s string) int {
	n, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		n += bits.OnesCount64(swarBetween(load8(s, i), '0'-1, '9'+1))
		if n >= MaxMinDigits {
			return MaxMinDigits
		}
	}
	for ; i < len(s); i++ {
		if s[i]-'0' <= 9 {
			n++
		}
	}
	return min(n, MaxMinDigits)
}
