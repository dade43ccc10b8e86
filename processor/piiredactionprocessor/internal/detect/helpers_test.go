package detect

import (
	"strings"
	"testing"
)

// run checks a detector against cases written with the expected findings
// between « and »; a case without markers is a look-alike that must not be
// reported.
func run(t *testing.T, d Detector, cases []string) {
	t.Helper()
	for _, c := range cases {
		text, want := unmark(c)
		got := d.Find(text, nil)
		var gotVals []string
		for _, sp := range got {
			gotVals = append(gotVals, text[sp.Start:sp.End])
		}
		if strings.Join(gotVals, "|") != strings.Join(want, "|") {
			t.Errorf("%s.Find(%q) = %q, want %q", d.Name(), text, gotVals, want)
		}
	}
}

func unmark(c string) (string, []string) {
	var b strings.Builder
	var want []string
	for {
		i := strings.Index(c, "«")
		if i < 0 {
			b.WriteString(c)
			return b.String(), want
		}
		j := strings.Index(c, "»")
		b.WriteString(c[:i])
		v := c[i+len("«") : j]
		b.WriteString(v)
		want = append(want, v)
		c = c[j+len("»"):]
	}
}

// commonNegatives are look-alikes that no detector may report.
var commonNegatives = []string{
	"",
	"GET /api/v1/users/12345/orders",
	"trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7",
	"550e8400-e29b-41d4-a716-446655440000",
	"2024-01-15T10:30:45.123Z",
	"2024-01-15 10:30:45",
	"1700000000000",
	"1700000000123456789",
	"version 2.14.3 build 20240115",
	"order ORD-2024-000123 total $1,234.56",
	"price 19.99 EUR, qty 3",
	"released 15/01/2024 at 10:30",
	"/var/log/app/2024/01/15/app.log",
	"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"duration=1.234s retries=3 status=200",
	"the quick brown fox jumps over the lazy dog",
	"processed 1234567 records in 89 ms",
	"k8s.pod.name=checkout-7d9f8b6c5-x2x9z",
	"user agent Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
}

func TestCommonNegatives(t *testing.T) {
	for _, d := range All() {
		run(t, d, commonNegatives)
	}
}

func TestNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range Names() {
		if seen[n] {
			t.Fatalf("duplicate detector name %q", n)
		}
		seen[n] = true
		if _, ok := ByName(n); !ok {
			t.Fatalf("ByName(%q) not found", n)
		}
	}
	if _, ok := ByName("nope"); ok {
		t.Fatal("ByName(nope) found")
	}
}
