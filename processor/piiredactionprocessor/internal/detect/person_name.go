package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// PersonName finds people's names in free text. A capitalised word is a
// name only with evidence, in decreasing strength:
//   - a title before it (Mr, Mrs, Dr., Herr, Frau, M., Mme, Sr., Sra., Sig.,
//     Dhr., Pan ...): the capitalised words after it are the name;
//   - a cue word before it (customer, user, patient, Kunde, cliente, klant;
//     Dear, Hallo, Cher, Estimado; Regards, / Mit freundlichen Grüßen on the
//     line before; "called by", "spoke with"; name: / full_name= / Vorname:)
//     and at least one of its words in the given-name or surname lexicon;
//   - no cue: a given name followed by a capitalised surname, both in the
//     lexicon (or the surname recognised by its shape: McAllister,
//     Andersson, Kowalewski), neither an everyday word, not inside a Title
//     Case run; with one unknown word when the name is the whole value or
//     a verb of contact follows ("Jonathan Pryce called").
//
// Precision comes first: names that are products ("Jenkins build", "Alexa
// skill", "Victoria Metrics", "Ruby on Rails", "Mercedes-Benz"), brands
// named after people next to a product word ("Ralph Lauren SKU 1234",
// "Tommy Hilfiger jacket") and words after cues that are not people ("Dear
// Customer", "user Admin") are kept. Lower-case and all-caps names are
// reported only after a cue and with every word in the lexicon
// (person_name_folded.go).
type PersonName struct{}

// Name implements Detector.
func (PersonName) Name() string { return "person_name" }

// Candidate implements Detector: a name starts with a capital letter, ASCII
// or not.
func (PersonName) Candidate(c Class) bool {
	return c&(ClassUpper|ClassHigh|ClassSpace) != 0
}

// maxNameWords bounds the words of one name ("Juan Carlos de la Cruz").
const maxNameWords = 5

// nameWord is one word of a candidate name.
type nameWord struct {
	start, end int
	flags      uint16
	initial    bool // "J." of "John F. Kennedy"
	particle   bool // "van", "de", "la"
}

// Find implements Detector.
func (d PersonName) Find(s string, dst []Span) []Span {
	return d.FindClass(s, ClassSpace|ClassUpper|ClassHigh, dst)
}

// FindClass implements ClassFinder: the lower-case and all-caps pass needs
// white space, the capitalised pass a capital or a non-ASCII byte.
func (PersonName) FindClass(s string, c Class, dst []Span) []Span {
	if len(s) < 4 {
		return dst
	}
	d0 := len(dst)
	if c&(ClassUpper|ClassHigh) == 0 {
		if c&ClassSpace == 0 {
			return dst
		}
		return findFolded(s, dst, d0)
	}
	var words [maxNameWords]nameWord
	for i := 0; i < len(s); {
		i = skipToNameAnchor(s, i)
		if i == len(s) {
			break
		}
		if !nameStartBoundary(s, i) {
			i = skipWordBytes(s, i)
			continue
		}
		wend, ok := capWord(s, i)
		if !ok {
			// "M. Dupont": a one-letter title.
			if i+1 >= len(s) || s[i+1] != '.' {
				i = skipWordBytes(s, i)
				continue
			}
			if end, kind, ok := capCue(s, i, i+1, uint8(lookupEntry(s[i:i+1])>>cueShift)); ok {
				if sp, ok := nameAfterCue(s, end, kind, &words); ok {
					dst = append(dst, sp)
					i = sp.End
					continue
				}
			}
			i = skipWordBytes(s, i)
			continue
		}
		// A title or a capitalised cue ("Dear", "Customer") opens a name
		// right after it.
		e := lookupEntry(s[i:wend])
		if kind := uint8(e >> cueShift); kind != 0 {
			if end, kind, ok := capCue(s, i, wend, kind); ok {
				if sp, ok := nameAfterCue(s, end, kind, &words); ok {
					if !brandHit(s, sp, kind, &words) {
						dst = append(dst, sp)
					}
					i = sp.End
					continue
				}
				i = end
				continue
			}
		}
		cue := nameCueBefore(s, i)
		sp, ok, next := nameAt(s, i, cue, &words, e)
		if ok {
			if !brandHit(s, sp, cue, &words) {
				dst = append(dst, sp)
			}
			i = sp.End
			continue
		}
		i = max(next, wend)
	}
	if c&ClassSpace == 0 {
		return dst
	}
	return findFolded(s, dst, d0)
}

// nameAnchor marks the bytes a name can start with: ASCII capitals and the
// lead bytes of multi-byte characters.
var nameAnchor = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 0xC0; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

// skipToNameAnchor returns the index of the next ASCII capital or
// non-ASCII byte at or after i (len(s) if none), eight bytes at a time.
func skipToNameAnchor(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		if x&0x8080808080808080 != 0 {
			break
		}
		ge := (x + 0x3f3f3f3f3f3f3f3f) & 0x8080808080808080 // byte >= 'A'
		gt := (x + 0x2525252525252525) & 0x8080808080808080 // byte > 'Z'
		if ge&^gt != 0 {
			break
		}
	}
	for i < len(s) && !nameAnchor[s[i]] {
		i++
	}
	return i
}

// cueCapital marks, in the kind passed to nameAt, a cue written with a
// capital ("Customer", "Dear"), which may be the start of a Title Case
// label rather than a cue.
const cueCapital uint8 = 0x80

// Cue kinds.
const (
	cueTitle     uint8 = iota + 1 // Mr, Dr., Herr: any capitalised words after it
	cueTitleD                     // M., Hr., Sr.: a title only with its dot
	cueSubject                    // customer, patient, Kunde: lexicon needed
	cueSalute                     // Dear, Hallo, Cher
	cueSignoff                    // Regards, Grüßen, Cordialement (then ',' or a line break)
	cueKey                        // name, full_name, Vorname: then ':' or '='
	cueKeyStrong                  // first_name, surname, Nachname: the value is a name
	cueBy                         // by/with/to/von after a verb of contact ("called by")
	cueVerb                       // the verbs before cueBy
	cueIntro                      // heiße, llamo, chiamo: the name follows ("ich heiße hans")
)

// nameCues lists the cue words by kind; they are folded into the lexicon
// (lexicon.go), one kind per word.
var nameCues = map[uint8][]string{
	cueTitle: {"Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Herr", "Frau", "Mme", "Mlle",
		"Mademoiselle", "Sra", "Srta", "Señor", "Señora", "Señorita", "Signor", "Signora",
		"Signorina", "Dott", "Dottssa", "Dottoressa", "Dhr", "Mevr", "Mevrouw"},
	cueTitleD: {"M", "Hr", "Fr", "Sr", "Sig", "Mons", "Sres", "Gosp"},
	cueSubject: {"customer", "customers", "user", "patient", "client", "contact", "member", "employee",
		"guest", "passenger", "subscriber", "caller", "recipient", "sender", "buyer", "cardholder",
		"applicant", "candidate", "driver", "tenant", "student", "agent", "rep", "representative",
		"kunde", "kundin", "nutzer", "nutzerin", "benutzer", "benutzerin", "patientin", "mitarbeiter",
		"mitarbeiterin", "ansprechpartner", "empfanger", "absender",
		"cliente", "utilisateur", "utilisatrice", "patiente", "destinataire", "expediteur",
		"usuario", "usuaria", "paciente", "destinatario", "remitente", "titular",
		"utente", "paziente", "mittente",
		"klant", "gebruiker", "patient", "ontvanger", "afzender",
		"klient", "klientka", "pacjent", "pacjentka", "uzytkownik", "odbiorca", "nadawca",
		"utilizador", "usuário", "paciente",
		"клиент", "клиентка", "пользователь", "пациент", "пациентка", "получатель", "отправитель",
		"kund", "anvandare", "bruger", "asiakas", "kayttaja", "potilas", "ugyfel", "felhasznalo", "beteg",
		"zakaznik", "zakaznice", "uzivatel", "pacient", "musteri", "kullanici", "hasta", "pelanggan",
		"pengguna", "pasien"},
	cueSalute: {"dear", "hi", "hello", "hey", "greetings", "liebe", "lieber", "hallo", "geehrte",
		"geehrter", "cher", "chere", "bonjour", "salut", "estimado", "estimada", "hola", "gentile",
		"caro", "cara", "gentilissimo", "gentilissima", "buongiorno", "ciao", "beste", "geachte",
		"szanowny", "szanowna", "drogi", "droga", "ola", "prezado", "prezada", "querido", "querida",
		"уважаемый", "уважаемая", "здравствуйте",
		"hej", "hei", "kaere", "kare", "tisztelt", "vazeny", "vazena", "sayin", "bay", "bayan", "bapak", "ibu",
		// titles that are also words or brands ("Pan Am", "Sir Speedy"): lexicon needed
		"miss", "pan", "pani", "sir", "dame", "senhor", "senhora", "madame", "monsieur"},
	cueSignoff: {"regards", "thanks", "cheers", "sincerely", "best", "yours", "grussen", "grusse", "gruss",
		"cordialement", "salutations", "saludos", "atentamente", "saluti", "cordiali", "groet", "groeten",
		"pozdrawiam", "pozdrowienia", "atenciosamente", "abracos", "uvazhenie", "уважением",
		"halsningar", "hilsen", "terveisin", "udvozlettel", "pozdravem", "saygilarimla", "salam",
		"gracias", "merci", "danke", "grazie", "obrigado", "obrigada", "bedankt", "dziekuje", "tack", "takk",
		"kiitos", "saluto", "bises", "vous"},
	cueKey: {"name", "naam", "nom", "nombre", "nome", "imie", "holder", "signed", "signature",
		"author", "owner", "assignee", "reporter", "requester", "addressee", "cc", "bcc", "attn", "attention"},
	cueKeyStrong: {"fullname", "firstname", "lastname", "surname", "givenname", "familyname",
		"displayname", "customername", "contactname", "patientname", "holdername", "cardholdername",
		"recipientname", "sendername", "username", "vorname", "nachname", "prenom", "apellido",
		"apellidos", "cognome", "voornaam", "achternaam", "nazwisko", "sobrenome", "имя", "фамилия"},
	cueBy: {"by", "with", "to", "von", "par", "por", "da", "door", "przez", "from", "for", "fur", "pour", "para", "per", "voor", "dla"},
	cueVerb: {"called", "reported", "requested", "submitted", "approved", "contacted",
		"handled", "escalated", "opened", "filed", "raised", "placed", "ordered", "booked", "spoke",
		"talked", "spoken", "assigned", "forwarded", "sent", "emailed", "phoned", "visited", "referred",
		"complaint", "call", "message", "email", "mail", "letter", "note", "ticket", "request",
		"angerufen", "gemeldet", "anruf", "nachricht", "appel", "appele", "llamada", "llamado",
		"chiamata", "chiamato", "gebeld", "gesprek", "delivery", "order", "parcel", "package", "shipment",
		"refund", "invoice", "booking", "reservation", "appointment", "prescription", "receipt", "approved",
		"issued", "created", "registered", "lieferung", "bestellung", "paket", "rechnung", "termin", "livraison",
		"commande", "colis", "facture", "pedido", "paquete", "factura", "cita", "ordine", "pacco", "fattura"},
	cueIntro: {"heisse", "heisst", "llamo", "llama", "chiamo", "chiama", "appelle", "appelles", "nazywam", "nazywa",
		"heet", "chamo", "chama", "зовут"},
}

// cueWord returns the cue kind of the word s[i:j].
func cueWord(s string, i, j int) uint8 {
	if j-i < 1 || j-i > 24 {
		return 0
	}
	return uint8(lookupEntry(s[i:j]) >> cueShift)
}

// capCue reports whether the capitalised word s[i:j], of the given cue
// kind, is a title or a capitalised salutation/subject/sign-off cue, and
// returns where the name may start.
func capCue(s string, i, j int, kind uint8) (int, uint8, bool) {
	if j >= len(s) {
		return 0, 0, false
	}
	dot := s[j] == '.'
	switch kind {
	case cueTitle:
		// "12 Oak Dr Springfield": Dr of an address, not a title.
		if s[i:j] == "Dr" && afterHouseNumber(s, i) {
			return 0, 0, false
		}
		if dot {
			j++
		}
	case cueTitleD:
		if !dot {
			return 0, 0, false
		}
		j++
		kind = cueTitle
	case cueSalute, cueSubject, cueSignoff:
		// "Dear John", "Customer Jane Doe", "Regards,\nJohn"
	default:
		return 0, 0, false
	}
	return j, kind, true
}

// afterHouseNumber reports whether s[i] follows "<number> <Word> ".
func afterHouseNumber(s string, i int) bool {
	k := i - 1
	for k >= 0 && s[k] == ' ' {
		k--
	}
	for k >= 0 && isAlpha(s[k]) {
		k--
	}
	for k >= 0 && s[k] == ' ' {
		k--
	}
	return k >= 0 && isDigit(s[k])
}

// nameCueBefore returns the kind of cue that ends right before the capitalised
// word at s[i] (0 if none), looking back over one separator.
func nameCueBefore(s string, i int) uint8 {
	k := i
	newline, sep := false, false
	for n := 0; k > 0 && n < 6; n++ {
		c := s[k-1]
		if c == ' ' || c == '\t' || c == '"' || c == '\'' {
			k--
			continue
		}
		if c == '\n' || c == '\r' {
			newline = true
			k--
			continue
		}
		if c == ':' || c == '=' || c == ',' || c == '#' {
			if sep {
				break
			}
			sep = true
			k--
			continue
		}
		break
	}
	j := k
	for k > 0 && (isAlpha(s[k-1]) || s[k-1] == '_' || s[k-1] == '-' || s[k-1] >= utf8.RuneSelf) {
		k--
	}
	if k == j {
		return 0
	}
	keyLike := false
	for x := k; x < j; x++ {
		if s[x] == '_' || s[x] == '-' {
			keyLike = true
			break
		}
	}
	var kind uint8
	if keyLike {
		// full_name=, first-name: — compare without the separators.
		var buf [maxWord]byte
		n := 0
		for x := k; x < j && n < maxWord; x++ {
			if s[x] != '_' && s[x] != '-' && s[x] < utf8.RuneSelf {
				buf[n] = lower(s[x])
				n++
			}
		}
		kind = uint8(lexicon()[lexKey(buf[:n])] >> cueShift)
		if kind != cueKey && kind != cueKeyStrong {
			return 0
		}
	} else {
		kind = cueWord(s, k, j)
	}
	switch kind {
	case cueKey, cueKeyStrong:
		if !sep || (s[j] != ':' && s[j] != '=' && s[j] != '"' && s[j] != '\'') {
			return 0
		}
	case cueSignoff:
		if !newline && !sep {
			return 0
		}
	case cueBy:
		if sep && j < len(s) && s[j] == ':' {
			break // "From: Jane Roe", "To: Jane Roe": a header
		}
		// "called by Jane", "spoke with Jane": a verb of contact before.
		m := k - 1
		for m > 0 && s[m] == ' ' {
			m--
		}
		e := m + 1
		for m >= 0 && isAlpha(s[m]) {
			m--
		}
		if v := cueWord(s, m+1, e); v != cueVerb && v != cueKey {
			return 0
		}
	case cueSubject, cueSalute:
	default:
		return 0
	}
	// "Assign Client Redirect Policy": a capitalised cue without a
	// separator may be part of a Title Case label.
	if isUpper(s[k]) && !sep && !newline {
		return kind | cueCapital
	}
	return kind
}

// nameAfterCue reads the name after a title or capitalised cue ending at
// s[j].
func nameAfterCue(s string, j int, kind uint8, words *[maxNameWords]nameWord) (Span, bool) {
	k := j
	broken := false // a comma or line break between cue and name
	for n := 0; k < len(s) && n < 4; n++ {
		c := s[k]
		if c == ' ' || (kind != cueTitle && (c == ',' || c == ':' || c == '\n' || c == '\r' || c == '\t')) {
			broken = broken || c == ',' || c == '\n' || c == '\r'
			k++
			continue
		}
		break
	}
	if k == j || k >= len(s) {
		return Span{}, false
	}
	// "Best regards,\nJane" but not "Best Practices Guide".
	if kind == cueSignoff && !broken {
		return Span{}, false
	}
	if _, ok := capWord(s, k); !ok && !isInitial(s, k) {
		return Span{}, false
	}
	if kind != cueTitle {
		kind |= cueCapital
	}
	sp, ok, _ := nameAt(s, k, kind, words, noEntry)
	return sp, ok
}

// noEntry tells nameAt that the first word has not been looked up yet.
const noEntry = ^uint32(0)

// nameAt reads the capitalised words of a name at s[i] and decides, given
// the cue before it (0: none), whether they are a person's name. When not,
// next is where the scan goes on: past the run of capitalised words, or at
// a cue inside it ("Order From Mr Smith").
func nameAt(s string, i int, kind uint8, words *[maxNameWords]nameWord, first uint32) (sp Span, ok bool, next int) {
	capital := kind&cueCapital != 0
	kind &^= cueCapital
	n := 0
	j := i
	next = -1
	for n < maxNameWords && j < len(s) {
		if isInitial(s, j) {
			words[n] = nameWord{start: j, end: j + 2, initial: true}
			n++
		} else if end, ok := capWord(s, j); ok {
			e := first
			if j != i || e == noEntry {
				e = lookupEntry(s[j:end])
			}
			// After a known surname the name is over ("Herr Schneider
			// Termin": German capitalises every noun), and after two words
			// that the lexicon does not know ("Frau Holle Märchen
			// Kapitel"). A word goes on after a given name, an initial or
			// a particle, or when the lexicon knows it.
			if n > 0 {
				p := words[n-1]
				if !p.initial && !p.particle && p.flags&lexGiven == 0 && uint16(e)&(lexGiven|lexSurname) == 0 &&
					(p.flags&lexSurname != 0 || n >= 2) {
					break
				}
			}
			if n > 0 && e>>cueShift != 0 && next < 0 {
				next = j
			}
			words[n] = nameWord{start: j, end: end, flags: wordFlags(s[j:end], uint16(e))}
			n++
		} else if end, ok := lowerWord(s, j); ok && n > 0 && lookup(s[j:end])&lexParticle != 0 {
			words[n] = nameWord{start: j, end: end, particle: true}
			n++
		} else {
			break
		}
		j = words[n-1].end
		if j+1 < len(s) && s[j] == ' ' && s[j+1] != ' ' {
			j++
			continue
		}
		break
	}
	if next < 0 {
		next = j
	}
	// A name ends before a word that is not part of one ("Jane Doe
	// Support"); a product word after a name makes it a product
	// ("Victoria Metrics").
	for x := 0; x < n; x++ {
		// ("Ms. Ji-woo Park": after a title a surname stays one.)
		if words[x].flags&lexProductNext != 0 && x > 0 && !(words[x].flags&lexSurname != 0 && (kind == cueTitle || kind == cueKeyStrong)) {
			return Span{}, false, next
		}
		if words[x].flags&lexNotName != 0 {
			// "Client Peer Verification": after a weak cue, a name that
			// runs into a capitalised non-name is a Title Case label.
			if x > 0 && kind != cueTitle && kind != cueKeyStrong && !words[x].particle && !words[x].initial {
				return Span{}, false, next
			}
			n = x
			break
		}
	}
	// Trailing particles and initials are not part of the name.
	for n > 0 && (words[n-1].particle || (words[n-1].initial && n > 1 && !words[n-2].initial && kind == 0)) {
		n--
	}
	if n == 0 || words[0].particle {
		return Span{}, false, next
	}
	end := words[n-1].end
	// "Surname, Given" after a cue ("From: \"Doe, John\" <…>", "patient:
	// García López, María"): the given name after the comma, when nothing
	// but a quote, bracket or the end follows it.
	if kind != 0 && end+2 < len(s) && s[end] == ',' && s[end+1] == ' ' {
		if ge, ok := capWord(s, end+2); ok && lookup(s[end+2:ge])&lexGiven != 0 &&
			(ge == len(s) || strings.IndexByte("\"'<)]\n", s[ge]) >= 0 || (s[ge] == ' ' && ge+1 < len(s) && s[ge+1] == '<')) {
			end = ge
		}
	}
	if productAfter(s, end) {
		return Span{}, false, next
	}
	var nameish, strong, product, common int
	for x := 0; x < n; x++ {
		f := words[x].flags
		if f&(lexGiven|lexSurname) != 0 {
			nameish++
			if f&(lexCommon|lexProduct) == 0 {
				strong++
			}
		}
		if f&lexProduct != 0 {
			product++
		}
		if f&lexCommon != 0 {
			common++
		}
	}
	switch kind {
	case cueTitle, cueKeyStrong:
		if words[0].initial && n == 1 {
			return Span{}, false, next
		}
	case cueSubject, cueSalute, cueSignoff, cueKey, cueBy:
		// A product alone is a product ("user Alexa", "by Jenkins").
		if product > 0 && (n == 1 || words[n-1].flags&lexProduct != 0) {
			return Span{}, false, next
		}
		// Two unknown words only after a lower-case cue: a capitalised
		// one may open a Title Case label ("User Interface Guidelines").
		// Only after a subject or contact cue ("customer", "called by"): a
		// "name:" key or a greeting heads titles too ("name: Bug Report").
		if strong == 0 && !(n >= 2 && nameish > 0) && (capital || (kind != cueSubject && kind != cueBy) || !unknownPair(s, words, n, end)) {
			return Span{}, false, next
		}
	default:
		// No cue: given name + surname, neither an everyday word.
		if n < 2 || product > 0 || common > 0 || inTitleCaseRun(s, i, end) {
			return Span{}, false, next
		}
		last := words[n-1]
		// A value that is nothing but an unknown first name and a known
		// surname ("Hannelore Kowalewski" as an attribute).
		if n == 2 && words[0].flags == 0 && !words[0].initial && last.flags&lexSurname != 0 && last.flags&(lexStreet|lexStreetStrong) == 0 &&
			strong == 1 && wholeValue(s, i, end) {
			return Span{i, end}, true, next
		}
		if words[0].flags&lexGiven == 0 {
			return Span{}, false, next
		}
		// A surname the lexicon does not know still makes a name after a
		// given name when the value is nothing but the name (an attribute
		// or property "Jonathan Pryce") or a verb of contact follows
		// ("Jonathan Pryce called"); not after a city ("Austin Texas",
		// "Charlotte Hornets").
		if strong == 1 && words[0].flags&(lexCommon|lexProduct) == 0 && !last.initial && !last.particle &&
			last.flags&(lexNotName|lexProductNext|lexStreet|lexStreetStrong|lexCity) == 0 &&
			(wholeValue(s, i, end) && words[0].flags&(lexCity|lexPlace) == 0 || contactVerbAfter(s, end)) {
			return Span{i, end}, true, next
		}
		if strong < 2 {
			return Span{}, false, next
		}
		// Many surnames are listed as given names only ("Fletcher",
		// "Taylor"): a pair of names is a person either way.
		if last.initial || last.particle || last.flags&(lexSurname|lexGiven) == 0 || last.flags&lexStreetStrong != 0 {
			return Span{}, false, next
		}
		// Two given names where the first is also a surname are as often a
		// firm ("Morgan Stanley", "Harper Collins").
		if last.flags&lexSurname == 0 && words[0].flags&lexSurname != 0 {
			return Span{}, false, next
		}
	}
	return Span{i, end}, true, next
}

// surnameShape reports a surname the lexicon does not list by its shape:
// Mc/Mac/O'/Fitz before a capital ("McAllister", "O'Hara"), or an ending
// that family names of many languages share and everyday words rarely
// have ("Andersson", "Kowalczyk"-like -ski/-cki/-wicz, "Petrović",
// "Ionescu", "Papadopoulos", "Hovhannisyan", "Yılmazoğlu").
func surnameShape(w string) bool {
	if len(w) < 5 {
		return false
	}
	if (w[:2] == "Mc" && isUpper(w[2])) || (len(w) > 4 && w[:3] == "Mac" && isUpper(w[3])) ||
		((w[0] == 'O' || w[0] == 'D') && w[1] == '\'' && isUpper(w[2])) || (w[:4] == "Fitz" && isUpper(w[4])) {
		return true
	}
	var buf [maxWord]byte
	f, ok := foldWord(&buf, w)
	if !ok {
		return false
	}
	for _, suf := range surnameSuffixes {
		if len(f) >= len(suf)+3 && string(f[len(f)-len(suf):]) == suf {
			return true
		}
	}
	return false
}

// notNameShape reports words whose ending makes them nouns or adjectives
// rather than names ("Verification", "Management", "Availability").
func notNameShape(w string) bool {
	if len(w) < 6 {
		return false
	}
	var buf [maxWord]byte
	f, ok := foldWord(&buf, w)
	if !ok {
		return false
	}
	for _, suf := range notNameSuffixes {
		if len(f) >= len(suf)+3 && string(f[len(f)-len(suf):]) == suf {
			return true
		}
	}
	return false
}

var notNameSuffixes = [...]string{
	"tion", "sion", "ment", "ness", "ity", "ance", "ence", "able", "ible", "ics", "ogy", "ism", "ship",
	"ware", "ung", "heit", "keit", "schaft", "ique", "isme", "dad", "ción", "cion", "zione", "mente",
}

var surnameSuffixes = [...]string{
	"sson", "ssen", "ski", "ska", "cki", "cka", "wicz", "owicz", "ewicz", "vic", "vych", "enko", "escu", "eanu",
	"opoulos", "akis", "idis", "yan", "oglu", "ishvili", "adze", "ssohn", "ucci", "ovsky", "evsky", "ovski", "yev", "yeva", "kova", "kov", "nova", "sova",
}

// wordFlags looks a capitalised word up; a hyphenated word ("Anne-Marie",
// "Müller-Lüdenscheidt") counts as a name when all its parts are.
func wordFlags(w string, f uint16) uint16 {
	if f != 0 {
		return f
	}
	if surnameShape(w) {
		return lexSurname
	}
	if notNameShape(w) {
		return lexNotName
	}
	var all uint16 = lexGiven | lexSurname
	var any uint16
	parts := 0
	for st := 0; st < len(w); {
		e := st
		for e < len(w) && w[e] != '-' {
			e++
		}
		if e == len(w) && st == 0 {
			return 0
		}
		pf := lookup(w[st:e])
		if pf&(lexGiven|lexSurname) == 0 {
			all = 0
		}
		any |= pf & (lexCommon | lexProduct | lexNotName)
		parts++
		st = e + 1
	}
	if all == 0 {
		return 0
	}
	return lexSurname | any
}

// unknownPair reports two capitalised words the lexicon does not know,
// after a cue, shaped like a first and a last name: plain capitalised words
// of three letters or more, then no further capitalised word ("customer
// Gareth Pemberton re: …", but not "user Interface Designer Tools").
func unknownPair(s string, words *[maxNameWords]nameWord, n, end int) bool {
	if n != 2 {
		return false
	}
	for x := 0; x < 2; x++ {
		w := words[x]
		if w.initial || w.particle || w.flags != 0 || w.end-w.start < 3 {
			return false
		}
		for k := w.start + 1; k < w.end; k++ {
			if isUpper(s[k]) || s[k] == '-' || s[k] == '\'' {
				return false // camel humps and compounds: not the plain shape
			}
		}
	}
	return end+1 >= len(s) || s[end] != ' ' || !isUpper(s[end+1])
}

// wholeValue reports whether s[i:end] is all of s but quotes and spaces.
func wholeValue(s string, i, end int) bool {
	for k := 0; k < i; k++ {
		if s[k] != ' ' && s[k] != '"' && s[k] != '\'' {
			return false
		}
	}
	for k := end; k < len(s); k++ {
		if s[k] != ' ' && s[k] != '"' && s[k] != '\'' && s[k] != '.' {
			return false
		}
	}
	return true
}

// contactVerbAfter reports a verb of contact right after a name ("Jane
// Roe called", "Jane Roe hat angerufen").
func contactVerbAfter(s string, end int) bool {
	if end+1 >= len(s) || s[end] != ' ' {
		return false
	}
	e := end + 1
	for e < len(s) && isLower(s[e]) {
		e++
	}
	switch s[end+1 : e] {
	case "called", "phoned", "rang", "emailed", "wrote", "complained", "requested", "asked", "said", "reported",
		"replied", "confirmed", "cancelled", "canceled", "paid", "ordered", "visited", "disputes", "disputed",
		"complains", "calls", "writes", "says", "asks", "requests", "wants", "needs", "lives", "moved",
		"hat", "ruft", "rief", "schrieb", "meldet", "llamó", "llamo", "escribió", "ha", "chiamato", "belde",
		"zadzwonił", "zadzwonil", "appelle", "écrit", "ecrit":
		return true
	}
	return false
}

// productAfter reports whether the word after a name makes it a product
// ("Jenkins build", "Alexa skill", "Django app", "Ruby on Rails").
func productAfter(s string, end int) bool {
	j := end
	if j < len(s) && (s[j] == '\'' || s[j] == '-') {
		return true // "Jenkins-CI", "Alexa's"? "Jenkins' queue": possessives of products are rare in names
	}
	if j >= len(s) || s[j] != ' ' {
		return false
	}
	j++
	e := j
	for e < len(s) && (isAlpha(s[e]) || s[e] >= utf8.RuneSelf) {
		e++
	}
	if e == j {
		return false
	}
	f := lookup(s[j:e])
	if f&lexProductNext != 0 {
		return true
	}
	// "Ruby on Rails", "Victoria on Kubernetes"
	if e-j == 2 && s[j:e] == "on" && e+1 < len(s) && s[e] == ' ' && isUpper(s[e+1]) {
		return true
	}
	return false
}

// inTitleCaseRun reports whether the name s[i:end] without a cue is part of
// a longer run of capitalised words ("Grant Access Token", "Wall Street
// Journal"), which is a title or a product, not a person.
func inTitleCaseRun(s string, i, end int) bool {
	if end+1 < len(s) && s[end] == ' ' {
		if _, ok := capWord(s, end+1); ok {
			return true
		}
	}
	k := i - 1
	if k >= 0 && s[k] == ' ' {
		k--
		e := k + 1
		for k >= 0 && (isAlpha(s[k]) || s[k] >= utf8.RuneSelf) {
			k--
		}
		if e > k+1 {
			if _, ok := capWord(s, k+1); ok && capWordEnd(s, k+1) == e {
				return true
			}
		}
	}
	return false
}

func capWordEnd(s string, i int) int {
	e, _ := capWord(s, i)
	return e
}

// capWord reports whether a capitalised word (a capital letter, then at
// least one lower-case letter; letters, inner apostrophes and hyphens)
// starts at s[i], and where it ends. A word glued to digits, '_', '@', '/'
// or a dotted suffix is an identifier, not a name.
func capWord(s string, i int) (int, bool) {
	r, n := rune(s[i]), 1
	if r >= utf8.RuneSelf {
		r, n = utf8.DecodeRuneInString(s[i:])
	}
	if !unicode.IsUpper(r) {
		return 0, false
	}
	j := i + n
	lowers := 0
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if isLower(c) {
				lowers++
				j++
				continue
			}
			// A capital inside a name follows and precedes a lower-case
			// letter ("McDonald", "DeVito"); "CAs", "HTTPServer" are not
			// names.
			if isUpper(c) {
				if !(isLower(s[j-1]) || s[j-1] == '-' || s[j-1] == '\'') || j+1 >= len(s) || !isLower(s[j+1]) {
					return j, false
				}
				j++
				continue
			}
			if (c == '\'' || c == '-') && j+1 < len(s) && (isAlpha(s[j+1]) || s[j+1] >= utf8.RuneSelf) && (lowers > 0 || j == i+1) {
				j++
				continue
			}
			break
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if r == '\u2019' && j+n < len(s) && isAlpha(s[j+n]) {
			j += n
			continue
		}
		if !unicode.IsLetter(r) {
			break
		}
		if unicode.IsLower(r) {
			lowers++
		}
		j += n
	}
	if lowers == 0 || j-i > maxWord {
		return j, false
	}
	// At least as many lower-case letters as capitals: "McDonald" yes,
	// "JSON"/"HTTPServer" no.
	if gluedToIdentifier(s, j) {
		return j, false
	}
	return j, true
}

// gluedToIdentifier reports whether the word ending at s[j] goes on as an identifier: glued to
// digits, '_', '@', '/', '\\' or a dotted suffix ("smith.example", "anna_b", "john2").
func gluedToIdentifier(s string, j int) bool {
	if j >= len(s) {
		return false
	}
	c := s[j]
	if isDigit(c) || c == '_' || c == '@' || c == '/' || c == '\\' {
		return true
	}
	return (c == '.' || c == ':') && j+1 < len(s) && isAlnum(s[j+1])
}

// lowerWord reports an ASCII lower-case word at s[i] (name particles).
func lowerWord(s string, i int) (int, bool) {
	j := i
	for j < len(s) && isLower(s[j]) {
		j++
	}
	return j, j > i && j-i <= 4
}

// isInitial reports "J." followed by a space at s[i].
func isInitial(s string, i int) bool {
	return i+2 < len(s) && isUpper(s[i]) && s[i+1] == '.' && s[i+2] == ' ' && (i+3 >= len(s) || s[i+3] != ' ')
}

// nameStartBoundary rejects capitals inside identifiers, paths, domains
// and camelCase.
func nameStartBoundary(s string, i int) bool {
	if i == 0 {
		return true
	}
	p := s[i-1]
	if p >= utf8.RuneSelf {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}
	return !isAlnum(p) && p != '_' && p != '/' && p != '.' && p != '@' && p != '-' && p != '\\' && p != '$' && p != '#' && p != '&'
}

// skipWordBytes returns the index after the letters, digits and '_' run
// at s[i] (at least one byte).
func skipWordBytes(s string, i int) int {
	j := i + 1
	for j < len(s) && (isAlnum(s[j]) || s[j] == '_' || s[j] >= utf8.RuneSelf) {
		j++
	}
	return j
}
