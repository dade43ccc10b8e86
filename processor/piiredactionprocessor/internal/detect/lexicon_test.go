package detect

import "testing"

func TestFoldWord(t *testing.T) {
	for in, want := range map[string]string{
		"Müller":     "muller",
		"Łukasz":     "lukasz",
		"Straße":     "strasse",
		"O’Brien":    "o'brien",
		"ÉLODIE":     "elodie",
		"Иван":       "иван",
		"Ærøskøbing": "aeroskobing",
		"São":        "sao",
	} {
		var buf [maxWord]byte
		got, ok := foldWord(&buf, in)
		if !ok || string(got) != want {
			t.Errorf("foldWord(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	var buf [maxWord]byte
	if _, ok := foldWord(&buf, "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); ok {
		t.Error("foldWord accepted a word longer than maxWord")
	}
}

func TestLexicon(t *testing.T) {
	for _, c := range []struct {
		word string
		want uint16
	}{
		{"John", lexGiven},
		{"JOHN", lexGiven},
		{"Smith", lexSurname},
		{"Müller", lexSurname},
		{"José", lexGiven},
		{"Jose", lexGiven},
		{"Avenue", lexStreet | lexStreetStrong},
		{"rue", lexStreetFirst},
		{"Berlin", lexCity},
		{"Will", lexCommon},
		{"Jenkins", lexProduct},
		{"Support", lexNotName},
		{"build", lexProductNext},
		{"van", lexParticle},
		{"Austin", lexPlace},
	} {
		if got := lookup(c.word); got&c.want != c.want {
			t.Errorf("lookup(%q) = %b, want the bits %b", c.word, got, c.want)
		}
	}
	if k := uint8(lookupEntry("Dear") >> cueShift); k != cueSalute {
		t.Errorf("cue kind of Dear = %d, want %d", k, cueSalute)
	}
	if lookup("Xyzzyqux") != 0 {
		t.Error("an unknown word has flags")
	}
	if n := len(lexicon()); n < 30000 {
		t.Errorf("lexicon has %d words; the vendored lists hold more than 30,000", n)
	}
}

func TestLexiconLookupDoesNotAllocate(t *testing.T) {
	lexicon()
	if a := testing.AllocsPerRun(100, func() { _ = lookup("Kowalczyk") + lookup("Łukasz") }); a != 0 {
		t.Fatalf("lookup allocates %.1f times", a)
	}
}
