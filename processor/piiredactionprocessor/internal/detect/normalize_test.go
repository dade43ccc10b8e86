package detect

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Tel: ４１５-５５５-２６７１", "Tel: 415-555-2671"},
		{"415\u00a0555\u20092671", "415 555 2671"},
		{"415\u2013555\u22122671", "415-555-2671"},
		{"jane%40example.com", "jane@example.com"},
		{"jane [at] example [dot] com", "jane@example.com"},
		{"bob(AT)example.org", "bob@example.org"},
		{"bob\u200b@example.com", "bob@example.com"},
		{"ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "jane@example.com"},
		{"caf%C3%A9 50%", "caf%C3%A9 50%"}, // non-ASCII bytes stay encoded; "50%" is not an escape
	}
	var n Normalizer
	for _, c := range cases {
		got, _ := n.Normalize(c.in)
		if got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, s := range []string{"plain ascii 415-555-2671", "a@b.com", "josé"} {
		if _, changed := n.Normalize(s); changed {
			t.Errorf("Normalize(%q) changed it", s)
		}
	}
	// Spans map back to the original bytes.
	s := "call ４１５-５５５-２６７１ now"
	ns, _ := n.Normalize(s)
	sp := Phone{}.Find(ns, nil)
	if len(sp) != 1 {
		t.Fatalf("phone in %q: %v", ns, sp)
	}
	if o := n.Orig(sp[0]); s[o.Start:o.End] != "４１５-５５５-２６７１" {
		t.Errorf("Orig = %q", s[o.Start:o.End])
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("jane [at] example [dot] com ４１５ %40 \u200b")
	f.Fuzz(func(t *testing.T, s string) {
		var n Normalizer
		ns, changed := n.Normalize(s)
		if !changed {
			return
		}
		prev := 0
		for i := 0; i <= len(ns); i++ {
			o := n.offs[i]
			if o < prev || o > len(s) {
				t.Fatalf("offset %d of %q -> %d out of order/bounds", i, s, o)
			}
			prev = o
		}
		if utf8.ValidString(s) && !utf8.ValidString(ns) {
			t.Fatalf("valid %q normalised to invalid %q", s, ns)
		}
	})
}
