package detect

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The word lists of person_name and postal_address come from the locale data
// of @faker-js/faker (MIT; lexicon/LICENSE, lexicon/SOURCE), vendored by
// scripts/vendor-pii-lexicon.sh. They are folded into one set of ASCII-folded
// lower-case words the first time a detector needs them, so a lookup is one
// map probe on a stack buffer and never allocates.

var (
	//go:embed lexicon/given.txt
	givenList string
	//go:embed lexicon/surname.txt
	surnameList string
	//go:embed lexicon/street.txt
	streetList string
	//go:embed lexicon/city.txt
	cityList string
	//go:embed lexicon/city_en.txt
	cityEnList string
	//go:embed lexicon/everyday_en.txt
	everydayList string
)

// Word flags of the lexicon.
const (
	lexGiven   uint16 = 1 << iota // a given name (faker person.first_name)
	lexSurname                    // a surname (faker person.last_name)
	lexStreet                     // a street type (faker location.street_suffix)
	lexCity                       // a city (faker location.city_name)
	// lexCommon marks a name that is also an everyday word ("Will", "May",
	// "Brown", "Page"): alone it is no evidence of a person (names.go).
	lexCommon
	// lexProduct marks a name that is also a product or project ("Jenkins",
	// "Alexa", "Django"): never a name without a title cue.
	lexProduct
	// lexNotName marks capitalised words that end a name ("Team", "Support",
	// "Metrics", "Build"): what follows a cue but is not a person.
	lexNotName
	// lexProductNext marks words that make the name before them a product
	// or a place ("Jenkins build", "Alexa skill", "Victoria Metrics").
	lexProductNext
	lexStreetStrong // a street type in the curated vocabulary (address.go)
	lexStreetFirst  // a street type written before the name ("rue", "Via", "ul.")
	lexParticle     // a lower-case particle inside names and streets ("van", "de", "la")
	// lexPlace marks English-speaking cities (faker en, en_AU, en_CA): many
	// are everyday words ("Mobile", "Normal"), so they are no postcode's
	// city, but a first name that is one is not read alone as a person
	// ("Austin Texas").
	lexPlace
	// lexEveryday marks names that are also common lower-case English
	// words (lexicon/everyday_en.txt: "will", "grant", "summer"): written
	// in lower case or all caps they are words, not names.
	lexEveryday
	// lexBrand marks the key of a given name and surname pair that is a
	// brand ("ralph lauren", person_name_words.go): a product next to it
	// makes it the brand.
	lexBrand
	// lexBrandContext marks product and shop words (brandContextWords).
	lexBrandContext
)

// maxWord bounds the bytes of a word looked up: longer tokens are never in
// the lexicon.
const maxWord = 48

// lexKey is the FNV-1a hash of a folded word, the lexicon's key.
func lexKey(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// A lexicon entry holds the word flags in its low 16 bits and the cue
// kind of person_name (nameCues) above them, so one probe answers both.
const cueShift = 16

// The map is keyed by a 64-bit hash of the folded word, not by the word: a
// map without pointers is not scanned by the garbage collector, whereas
// 30,000 string keys were 2 MB of pointers marked in every GC cycle of a
// collector that uses the detector (runtime.GC took 0.7 ms before the map was
// built and 2.0 ms after; with hashed keys the difference is gone).
// Collisions among the words, or of another word with one, are ~1e-11 likely.
var lexicon = sync.OnceValue(func() map[uint64]uint32 {
	m := make(map[uint64]uint32, 32768)
	var buf [maxWord]byte
	add := func(list string, flag uint16) {
		for w := range strings.FieldsSeq(list) {
			if k, ok := foldWord(&buf, w); ok && len(k) > 1 {
				m[lexKey(k)] |= uint32(flag)
			}
		}
	}
	for kind := uint8(1); kind <= cueIntro; kind++ { // in order: a word has one kind
		for _, w := range nameCues[kind] {
			if k, ok := foldWord(&buf, w); ok {
				m[lexKey(k)] = m[lexKey(k)]&^(0xff<<cueShift) | uint32(kind)<<cueShift
			}
		}
	}
	add(givenList, lexGiven)
	add(surnameList, lexSurname)
	add(extraSurnames, lexSurname)
	add(extraGivenNames, lexGiven)
	add(streetList, lexStreet)
	add(cityList, lexCity)
	add(majorCities, lexCity)
	add(cityEnList, lexPlace)
	add(commonNameWords, lexCommon)
	add(productNames, lexProduct)
	add(notNameWords, lexNotName)
	add(productNextWords, lexProductNext)
	add(strongStreetTypes, lexStreetStrong)
	add(streetFirstTypes, lexStreetFirst)
	add(nameParticles, lexParticle)
	add(everydayList, lexEveryday)
	add(brandContextWords, lexBrandContext)
	for pair := range strings.SplitSeq(brandNames, ",") {
		if k, ok := foldWord(&buf, strings.Join(strings.Fields(pair), " ")); ok && len(k) > 1 {
			m[lexKey(k)] |= uint32(lexBrand)
		}
	}
	return m
})

// lookup returns the lexicon flags of a word (any case, any Latin
// diacritics).
func lookup(w string) uint16 { return uint16(lookupEntry(w)) }

// lookupEntry returns the whole lexicon entry of a word: flags and cue kind.
func lookupEntry(w string) uint32 {
	var buf [maxWord]byte
	k, ok := foldWord(&buf, w)
	if !ok {
		return 0
	}
	return lexicon()[lexKey(k)]
}

// foldWord lower-cases w into buf, folding Latin letters with diacritics to
// ASCII ("Müller" → "muller", "Łukasz" → "lukasz", "Straße" → "strasse");
// other scripts are lower-cased. It fails when the result does not fit.
func foldWord(buf *[maxWord]byte, w string) ([]byte, bool) {
	n := 0
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if n == maxWord {
				return nil, false
			}
			buf[n] = lower(c)
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		i += size
		if r == '\u2019' { // typographic apostrophe: O’Brien = O'Brien
			if n == maxWord {
				return nil, false
			}
			buf[n] = '\''
			n++
			continue
		}
		if r >= 0xC0 && r < 0x250 {
			f := latinFold[r-0xC0]
			if n+len(f) > maxWord {
				return nil, false
			}
			n += copy(buf[n:], f)
			continue
		}
		r = unicode.ToLower(r)
		if n+utf8.RuneLen(r) > maxWord {
			return nil, false
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	return buf[:n], true
}

// latinFold maps U+00C0..U+024F to lower-case ASCII (Unicode decomposition
// without its marks, plus ß, æ, œ, ø, ł, đ, þ ...).
var latinFold = [0x250 - 0xC0]string{
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "", "", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "", "", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	"o", "o", "", "", "", "", "", "", "", "", "", "", "", "", "", "u",
	"u", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "a", "a", "i",
	"i", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "", "a", "a",
	"a", "a", "", "", "", "", "g", "g", "k", "k", "o", "o", "o", "o", "", "",
	"j", "", "", "", "g", "g", "", "", "n", "n", "a", "a", "", "", "", "",
	"a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
	"r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h",
	"", "", "", "", "", "", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o",
	"o", "o", "y", "y", "", "", "", "", "", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""}
