package detect

import (
	"strings"
	"testing"
)

func TestCountDigits(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 0}, {"v1.14.3", 4}, {"١٢٣ 12", 2},
		{"4111 1111 1111", 12}, {"4111 1111 1111 1", 13}, {strings.Repeat("12345 ", 20), MaxMinDigits},
	} {
		if got := CountDigits(tc.s); got != tc.want {
			t.Errorf("CountDigits(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

// The engine skips a DigitBound detector on strings with fewer digits than
// MinDigits: the findings of each shortest form must have at least that many.
func TestMinDigitsHoldOnFindings(t *testing.T) {
	for _, d := range All() {
		b, ok := d.(DigitBound)
		if !ok {
			continue
		}
		if b.MinDigits() > MaxMinDigits {
			t.Errorf("%s: MinDigits %d > MaxMinDigits", d.Name(), b.MinDigits())
		}
		for _, s := range digitBoundSamples[d.Name()] {
			sp := d.Find(s, nil)
			if len(sp) == 0 {
				t.Errorf("%s: sample %q not found", d.Name(), s)
			}
			// Geo reports a pair as two findings: the bound is on the string.
			n := 0
			for _, p := range sp {
				n += CountDigits(s[p.Start:p.End])
			}
			if len(sp) > 0 && n < b.MinDigits() {
				t.Errorf("%s: findings in %q have %d digits < MinDigits %d", d.Name(), s, n, b.MinDigits())
			}
		}
	}
}

// digitBoundSamples are the shortest forms of each bounded detector.
var digitBoundSamples = map[string][]string{
	"card":          {"4222222222222", "card 4111 1111 1111 1111"},
	"ssn":           {"ssn 123-45-6789"},
	"phone":         {"call +44 20 7946 0958", "(415) 555-2671", "020 7946 0958"},
	"geo":           {"driver at 40.7128,-74.0060"},
	"national_id":   {"passport AB123456"},
	"date_of_birth": {"born 1.2.85", "dob 1985-03-12"},
}
