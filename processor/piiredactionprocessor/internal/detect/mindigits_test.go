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
				if rb, ok := d.(RunBound); ok {
					if _, run := DigitFacts(s[p.Start:p.End]); run < rb.MinRun() {
						t.Errorf("%s: finding %q has no run of %d digits", d.Name(), s[p.Start:p.End], rb.MinRun())
					}
				}
			}
			if len(sp) > 0 && n < b.MinDigits() {
				t.Errorf("%s: findings in %q have %d digits < MinDigits %d", d.Name(), s, n, b.MinDigits())
			}
		}
	}
}

// digitBoundSamples are the shortest forms of each bounded detector.
var digitBoundSamples = map[string][]string{
	"card":          {"4222222222222", "card 4111 1111 1111 1111", "amex 3782 822463 10005"},
	"ssn":           {"ssn 123-45-6789"},
	"phone":         {"call +44 20 7946 0958", "(415) 555-2671", "020 7946 0958"},
	"geo":           {"driver at 40.7128,-74.0060"},
	"national_id":   {"passport AB123456"},
	"date_of_birth": {"born 1.2.85", "dob 1985-03-12"},
}

func TestDigitFactsRun(t *testing.T) {
	slow := func(s string) (int, int) {
		n, run, cur := 0, 0, 0
		for i := 0; i < len(s); i++ {
			if s[i] >= '0' && s[i] <= '9' {
				n, cur = n+1, cur+1
				run = max(run, cur)
			} else {
				cur = 0
			}
		}
		return min(n, MaxMinDigits), min(run, MaxMinRun)
	}
	// Runs at every offset and across every word boundary.
	for _, base := range []string{"abcdefghijklmnopqrstuvwxyzabcdefghijklmn", "a.b-c d/e:f_g1h2i3j4k5l6m7n8o9p0qrstuvwxyz"} {
		for start := 0; start < 20; start++ {
			for l := 1; l <= 9; l++ {
				b := []byte(base)
				for k := start; k < start+l && k < len(b); k++ {
					b[k] = '7'
				}
				s := string(b)
				gc, gr := DigitFacts(s)
				wc, wr := slow(s)
				if gc != wc || gr != wr {
					t.Fatalf("DigitFacts(%q) = %d, %d; want %d, %d", s, gc, gr, wc, wr)
				}
			}
		}
	}
	for _, s := range []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		"3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38", "4111 1111 1111 1111", "123-45-6789", "12345678901234567890"} {
		gc, gr := DigitFacts(s)
		wc, wr := slow(s)
		if gc != wc || gr != wr {
			t.Errorf("DigitFacts(%q) = %d, %d; want %d, %d", s, gc, gr, wc, wr)
		}
	}
}

func TestDigitRunAtLeast(t *testing.T) {
	slow := func(s string, n int) bool {
		cur := 0
		for i := 0; i < len(s); i++ {
			if s[i] >= '0' && s[i] <= '9' {
				if cur++; cur >= n {
					return true
				}
			} else {
				cur = 0
			}
		}
		return false
	}
	base := "a.b-c d/e:f_g1h2i3j4k5l6m7n8o9p0qrstuvwxyzabcdefghijklmnopqrst"
	for start := 0; start < 24; start++ {
		for l := 1; l <= 17; l++ {
			b := []byte(base)
			for k := start; k < start+l && k < len(b); k++ {
				b[k] = '5'
			}
			for n := 1; n <= 8; n++ {
				if got, want := digitRunAtLeast(string(b), n), slow(string(b), n); got != want {
					t.Fatalf("digitRunAtLeast(%q, %d) = %v, want %v", b, n, got, want)
				}
			}
		}
	}
}

// BenchmarkDigitFacts times the engine's one digit pass per string on the
// bench data's user agent and request id, the strings it lets card and ssn
// skip.
func BenchmarkDigitFacts(b *testing.B) {
	for _, s := range []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
		"3f2c7a9e-8d41-4b6f-a2c5-0e9b7d1f4a38",
	} {
		b.Run(s[:7], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DigitFacts(s)
			}
		})
	}
}
