package detect

import (
	"math/bits"
	"unicode/utf8"
)

// Addresses without a house number or a postcode ("lives at Platz der
// Republik", "Adresse: Hauptstraße", "ship to ul. Nowy Świat", "wohnt Am
// Hafen") are reported only after an address cue: a key ("address:",
// "Adresse=") or a phrase ("lives at", "ship to", "wohnt in der", "habite",
// "abita in", "mieszka przy"), then a street phrase — a street type written
// first ("Platz der Republik", "ul. Nowy Świat", "rue de Rivoli"), a
// compound street ("Hauptstraße", "Kerkstraat"), capitalised words and a
// street type ("Baker Street", "Berliner Straße") or a German street named
// by a preposition ("Am Hafen", "An der Alster"). Without a cue a street
// name is a place, a title or a UI label ("Platz der Republik" in a log
// about a map view, "Wall Street Journal") and is kept.

// addressPhraseCues are the words that announce an address in prose; the
// connector after them ("at", "to", "in der") is skipped.
var addressPhraseCues = map[string]bool{}

const addressPhraseCueWords = `lives living lived reside resides residing resident residence ship shipped
shipping deliver delivered delivering delivery send sent mail mailed moved relocated domiciled
wohnt wohne wohnen wohnhaft wohnhafte lieferung liefern geliefert versand versenden zugestellt
habite habitent domicilie demeurant livraison livrer envoyer vive vivo viven reside residente residencia
entrega enviar abita abito residente consegna spedire woont woon woonachtig bezorgen bezorgd levering
mieszka mieszkam zamieszkaly zamieszkala dostawa mora moro morada entregar`

// addressConnectors are the short words between a phrase cue and the
// street ("lives at", "ship to", "wohnt in der", "vive en la").
const addressConnectors = `at to on in into the der die dem den des an am im auf a au aux en la el le les na no
em op aan de te in przy ul al pod nad bei zur zum`

// cueShapesAddr is the shape filter of addressPhraseCues (see cueShapes).
var cueShapesAddr [1 << 14 / 64]uint64

var addressConnectorSet = map[string]bool{}

func init() {
	for _, w := range splitWords(addressPhraseCueWords) {
		addressPhraseCues[w] = true
		if len(w) <= maxCueLen {
			h := cueShapeHash(w[0], w[1], w[len(w)-1], len(w))
			cueShapesAddr[h>>6] |= 1 << (h & 63)
		}
	}
	for _, w := range splitWords(addressConnectors) {
		addressConnectorSet[w] = true
	}
}

func splitWords(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\n') {
			i++
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\n' {
			j++
		}
		if j > i {
			out = append(out, s[i:j])
		}
		i = j
	}
	return out
}

// foldedIn reports whether the ASCII-folded word s[b:e] is in set.
func foldedIn(s string, b, e int, set map[string]bool) bool {
	var buf [maxWord]byte
	f, ok := foldWord(&buf, s[b:e])
	return ok && set[string(f)]
}

// findNumberless appends the number-less addresses after a phrase cue to
// dst, skipping spans that overlap dst[d0:], and keeps dst[d0:] in order.
func findNumberless(s string, dst []Span, d0 int) []Span {
	wb := 0 // where the word before the next white space starts
	for base := 0; base < len(s); base += 8 {
		for spaces := spaceMask(s, base); spaces != 0; spaces &= spaces - 1 {
			p := base + bits.TrailingZeros64(spaces)>>3
			if p < wb {
				continue
			}
			b := wb
			wb = p + 1
			if sp, ok := addressAfterPhrase(s, b, p); ok {
				dst = insertSpan(dst, d0, sp)
				wb = max(wb, sp.End+1)
			}
		}
	}
	return dst
}

// addressAfterPhrase reads the number-less street after the word s[b:p]
// when that word is an address phrase cue.
func addressAfterPhrase(s string, b, p int) (Span, bool) {
	{
		n := p - b
		// The shape filter first (length, first, second and last byte),
		// then the word's letters and the cue list.
		if n < 3 || n > maxCueLen || p+1 >= len(s) || !isAlpha(s[p-1]) {
			return Span{}, false
		}
		if h := cueShapeHash(s[b], s[b+1], s[p-1], n); cueShapesAddr[h>>6]&(1<<(h&63)) == 0 {
			return Span{}, false
		}
		letters := true
		for x := b; x < p; x++ {
			if !isAlpha(s[x]) {
				letters = false
				break
			}
		}
		if !letters || !foldedIn(s, b, p, addressPhraseCues) {
			return Span{}, false
		}
		// Up to three connectors: "lives at", "wohnt in der", "vive en la".
		k := p + 1
		c := 0
		for ; c < 3 && k < len(s); c++ {
			we, ok := anyWord(s, k)
			if !ok || we >= len(s) || (s[we] != ' ' && s[we] != ':') || !isLower(s[k]) || !foldedIn(s, k, we, addressConnectorSet) {
				break
			}
			k = we + 1 // "ship to: …"
			for k < len(s) && s[k] == ' ' {
				k++
			}
		}
		if end, ok := streetPhraseAt(s, k, c == 0); ok {
			return Span{k, extendAddress(s, end)}, true
		}
	}
	return Span{}, false
}

// streetPhraseAt reads a street without a house number at s[k] and returns
// where it ends. bare tells that no connector stands before it: then a
// lower-case type that is also an English word is a word ("sent via Kafka").
func streetPhraseAt(s string, k int, bare bool) (int, bool) {
	if k >= len(s) {
		return 0, false
	}
	wend, ok := anyWord(s, k)
	if !ok {
		return 0, false
	}
	w := s[k:wend]
	f := lookup(w)
	dot := wend < len(s) && s[wend] == '.'
	// A type first: "Platz der Republik", "ul. Nowy Świat", "rue de
	// Rivoli", "Via Roma", "Calle Mayor".
	if f&lexStreetFirst != 0 || germanTypeFirst(w) {
		if bare && !startsUpper(w) && !dot && englishWordType(w) {
			return 0, false
		}
		if end, ok := streetNameWords(s, skipAbbrevDot(s, wend), true); ok {
			return end, true
		}
		return 0, false
	}
	if !startsUpper(w) {
		return 0, false
	}
	// A compound street: "Hauptstraße", "Kerkstraat", "Schillerstr.".
	if compoundStreet(w, dot) {
		return skipAbbrevDot(s, wend), true
	}
	// A German street named by a preposition: "Am Hafen", "An der Alster".
	if end, ok := prepositionStreetAt(s, k); ok {
		return end, true
	}
	// Capitalised words, then a type: "Baker Street", "Berliner Straße".
	j := k
	for words := 0; words < 4; words++ {
		we, ok := anyWord(s, j)
		if !ok {
			return 0, false
		}
		fw := lookup(s[j:we])
		if words > 0 && (fw&lexStreetStrong != 0 && startsUpper(s[j:we]) || lastType(s[j:we])) {
			end := skipDirection(s, skipAbbrevDot(s, we))
			// "Main Street Bistro", "Baker Street Irregulars": a name.
			if end+1 < len(s) && s[end] == ' ' && isUpper(s[end+1]) {
				return 0, false
			}
			return end, true
		}
		if !startsUpper(s[j:we]) || fw&lexNotName != 0 {
			return 0, false
		}
		j = skipAbbrevDot(s, we)
		if j+1 >= len(s) || s[j] != ' ' {
			return 0, false
		}
		j++
	}
	return 0, false
}

// germanTypeFirst reports German street types written first ("Platz der
// Republik", "Straße des 17. Juni", "Allee der Kosmonauten").
func germanTypeFirst(w string) bool {
	var buf [maxWord]byte
	f, _ := foldWord(&buf, w)
	switch string(f) {
	case "platz", "strasse", "allee", "ring", "ufer", "damm", "weg", "gasse", "markt":
		return true
	}
	return false
}

// prepositionStreetAt reads a German street named by a preposition at s[k]:
// "Am Hafen", "Im Winkel", "Zum Sportplatz", "An der Alster", "Auf dem
// Berg", "In der Au", "Unter den Linden" (the preposition capitalised, as
// in the street's name), and returns where its name ends.
func prepositionStreetAt(s string, k int) (int, bool) {
	we, ok := anyWord(s, k)
	if !ok || we+1 >= len(s) || s[we] != ' ' {
		return 0, false
	}
	j := we + 1
	switch s[k:we] {
	case "Am", "Im", "Zum", "Zur", "Beim", "Vom", "Hinterm", "Unterm", "Überm":
	case "An", "Auf", "In", "Unter", "Hinter", "Vor", "Bei", "Über", "Neben", "Zwischen", "Aan", "Op":
		ae, ok := anyWord(s, j)
		if !ok || ae+1 >= len(s) || s[ae] != ' ' {
			return 0, false
		}
		switch s[j:ae] {
		case "der", "dem", "den", "die", "das", "de", "het":
		default:
			return 0, false
		}
		j = ae + 1
	default:
		return 0, false
	}
	// One or two capitalised words ("Am Hafen", "Am Alten Markt").
	end := 0
	for n := 0; n < 2; n++ {
		ne, ok := anyWord(s, j)
		if !ok || !startsUpper(s[j:ne]) || utf8.RuneCountInString(s[j:ne]) < 2 {
			break
		}
		if n == 0 && prepositionProse(s[j:ne]) {
			return 0, false
		}
		end = ne
		if ne+1 < len(s) && s[ne] == ' ' && isUpper(s[ne+1]) {
			j = ne + 1
			continue
		}
		break
	}
	return end, end > 0
}

// prepositionProse reports nouns that follow "Am", "Im", "Zum", "In der"
// in German prose rather than in street names ("Im Jahr", "Am Ende", "Zum
// Beispiel", "In der Regel", "Am Montag").
func prepositionProse(w string) bool {
	var buf [maxWord]byte
	f, _ := foldWord(&buf, w)
	switch string(f) {
	case "jahr", "jahre", "tag", "tage", "ende", "anfang", "beginn", "beispiel", "schnitt", "durchschnitt",
		"mittel", "moment", "augenblick", "prinzip", "grunde", "grund", "allgemeinen", "regel", "fall", "falle",
		"test", "rahmen", "zuge", "laufe", "vergleich", "gegensatz", "wesentlichen", "einzelnen", "ganzen",
		"folgenden", "voraus", "schluss", "abend", "morgen", "mittag", "nachmittag", "vormittag", "wochenende",
		"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "januar", "februar",
		"marz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember",
		"stuck", "mal", "punkt", "stand", "platz", "rang", "minute", "minuten", "sekunde", "sekunden", "stunde",
		"stunden", "uhr", "grad", "prozent", "kapitel", "seite", "abschnitt", "version", "system", "betrieb",
		"warteschlange", "speicher", "cache", "log", "fehler", "browser", "netz", "internet", "menu", "bereich",
		"auftrag", "namen", "sinne", "hinblick", "bezug", "zusammenhang", "bild", "feld", "formular", "dialog":
		return true
	}
	return false
}

// englishWordType reports the street types written first that are also
// English words ("via", "place", "route").
func englishWordType(w string) bool {
	switch w {
	case "via", "place", "route", "square", "passage", "avenue", "boulevard", "court", "plaza", "way", "road", "street":
		return true
	}
	return false
}
