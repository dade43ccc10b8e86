package detect

import (
	"strings"
	"testing"
)

// fuzzDetector checks, for any input, that Find does not panic, returns
// well-formed spans, and that replacing the spans with a placeholder leaves
// no reported value in the output except where the same text also occurs
// wholly inside kept (unreported) text or wholly inside a placeholder.
func fuzzDetector(f *testing.F, d Detector) {
	for _, c := range commonNegatives {
		f.Add(c)
	}
	for _, c := range []string{
		"bob@example.com +1 415 555 2671 123-45-6789 4111111111111111 DE89370400440532013000",
		"10.0.0.1 2001:db8::1 " + testJWT + " Bearer abc123def456ghi sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"https://u:p@h/?token=x&email=a%40b.c password=hunter2 Basic dXNlcjpwYXNzd29yZA==",
	} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := d.Find(s, nil)
		prev := 0
		for _, sp := range spans {
			if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
				t.Fatalf("%s: bad span %+v (prev end %d) in %q", d.Name(), sp, prev, s)
			}
			prev = sp.End
		}
		if len(spans) > 0 && !d.Candidate(Classify(s)) {
			t.Fatalf("%s: Candidate false but Find reported %v in %q", d.Name(), spans, s)
		}
		checkNoLeak(t, s, spans, "[REDACTED:"+d.Name()+"]")
	})
}

// checkNoLeak replaces spans with repl and verifies that every reported value
// occurring in the output lies wholly in kept text or wholly in a placeholder.
func checkNoLeak(t *testing.T, s string, spans []Span, repl string) {
	t.Helper()
	var b strings.Builder
	type region struct{ start, end int }
	var repls []region
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.Start])
		st := b.Len()
		b.WriteString(repl)
		repls = append(repls, region{st, b.Len()})
		last = sp.End
	}
	b.WriteString(s[last:])
	out := b.String()
	for _, sp := range spans {
		v := s[sp.Start:sp.End]
		for off := 0; ; {
			k := strings.Index(out[off:], v)
			if k < 0 {
				break
			}
			st, end := off+k, off+k+len(v)
			for _, r := range repls {
				inside := st >= r.start && end <= r.end
				overlaps := st < r.end && r.start < end
				if overlaps && !inside {
					t.Fatalf("reported %q leaks across a placeholder in %q", v, out)
				}
			}
			off = st + 1
		}
	}
}

func FuzzEmail(f *testing.F)          { fuzzDetector(f, Email{}) }
func FuzzPhone(f *testing.F)          { fuzzDetector(f, Phone{}) }
func FuzzSSN(f *testing.F)            { fuzzDetector(f, SSN{}) }
func FuzzCard(f *testing.F)           { fuzzDetector(f, Card{}) }
func FuzzIBAN(f *testing.F)           { fuzzDetector(f, IBAN{}) }
func FuzzIP(f *testing.F)             { fuzzDetector(f, IP{}) }
func FuzzJWT(f *testing.F)            { fuzzDetector(f, JWT{}) }
func FuzzBearer(f *testing.F)         { fuzzDetector(f, Bearer{}) }
func FuzzSecret(f *testing.F)         { fuzzDetector(f, Secret{}) }
func FuzzURLCredentials(f *testing.F) { fuzzDetector(f, URLCredentials{}) }
func FuzzQueryParam(f *testing.F)     { fuzzDetector(f, QueryParam{}) }

func FuzzCardInt(f *testing.F) {
	f.Add(int64(4111111111111111))
	f.Add(int64(-1))
	f.Fuzz(func(t *testing.T, v int64) { _ = IsCardInt(v) })
}
