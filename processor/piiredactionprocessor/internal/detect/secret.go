package detect

import "strings"

// Secret finds API keys and passwords in text:
//   - keys with a vendor prefix: sk_live_/sk_test_/rk_live_/rk_test_ (Stripe),
//     AKIA/ASIA + 16 (AWS access key ids), ghp_/gho_/ghu_/ghs_/ghr_ and
//     github_pat_ (GitHub), glpat- (GitLab), xoxb-/xoxp-/xoxa-/xoxr-/xoxs-
//     (Slack), AIza + 35 (Google), npm_ (npm);
//   - the value of a credential assignment key=value or key: value (also
//     quoted, as in JSON) whose key's last dotted segment, ignoring '-' and
//     '_', is a password name (any non-empty value) or a token/secret/api key
//     name (value of 8+ characters mixing at least two of lower, upper,
//     digits, i.e. not a plain word).
type Secret struct{}

// Name implements Detector.
func (Secret) Name() string { return "secret" }

type keyPrefix struct {
	p      string
	minLen int // minimum length of the body after the prefix
	upper  bool
}

var secretPrefixes = [...]keyPrefix{
	{"sk_live_", 16, false}, {"sk_test_", 16, false}, {"rk_live_", 16, false}, {"rk_test_", 16, false},
	{"ghp_", 30, false}, {"gho_", 30, false}, {"ghu_", 30, false}, {"ghs_", 30, false}, {"ghr_", 30, false},
	{"github_pat_", 30, false}, {"glpat-", 20, false},
	{"xoxb-", 10, false}, {"xoxp-", 10, false}, {"xoxa-", 10, false}, {"xoxr-", 10, false}, {"xoxs-", 10, false},
	{"AKIA", 16, true}, {"ASIA", 16, true}, {"AIza", 35, false}, {"npm_", 36, false},
}

const (
	keyNone = iota
	keyPassword
	keyToken
)

// credentialKeys maps normalised key names (lower case, '-' and '_'
// removed) to their kind; notSecret entries end like a token key but carry
// opaque non-credential values such as pagination cursors.
var credentialKeys = map[string]uint8{
	"password": keyPassword, "passwd": keyPassword, "pwd": keyPassword, "pass": keyPassword,
	"passphrase": keyPassword, "pin": keyPassword,
	"secret": keyToken, "clientsecret": keyToken, "apikey": keyToken, "xapikey": keyToken,
	"apisecret": keyToken, "apitoken": keyToken, "accesskey": keyToken, "secretkey": keyToken,
	"privatekey": keyToken, "accesskeyid": keyToken, "secretaccesskey": keyToken, "token": keyToken,
	"accesstoken": keyToken, "authtoken": keyToken, "refreshtoken": keyToken, "idtoken": keyToken,
	"sessiontoken": keyToken, "bearertoken": keyToken, "authorization": keyToken,
	"credentials": keyToken, "signingkey": keyToken,
	"pagetoken": keyNone, "nextpagetoken": keyNone, "nexttoken": keyNone, "continuationtoken": keyNone,
	"cursortoken": keyNone, "synctoken": keyNone, "resumetoken": keyNone,
}

var prefixStart = func() (t [256]bool) {
	for _, kp := range secretPrefixes {
		t[kp.p[0]] = true
	}
	return t
}()

func isSecretBody(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// Candidate implements Detector.
func (Secret) Candidate(c Class) bool {
	// Lower-case vendor prefixes contain '_' or '-', the others start with
	// an upper-case letter; assignments need '=' or ':'.
	return c&(ClassEq|ClassColon|ClassUpper|ClassUnderDash) != 0
}

// Find implements Detector.
func (Secret) Find(s string, dst []Span) []Span {
	if len(s) < 4 {
		return dst
	}
	base := len(dst)
	dst = findPrefixed(s, dst)
	if strings.IndexByte(s, '=') >= 0 || strings.IndexByte(s, ':') >= 0 {
		dst = findAssignments(s, dst, base)
	}
	return dst
}

func findPrefixed(s string, dst []Span) []Span {
	// Every prefix contains '_' or '-' or starts with 'A'; skip the scan when
	// none of those is present.
	if strings.IndexByte(s, '_') < 0 && strings.IndexByte(s, '-') < 0 && strings.IndexByte(s, 'A') < 0 {
		return dst
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !prefixStart[c] || (i > 0 && isSecretBody(s[i-1])) {
			continue
		}
		for _, kp := range secretPrefixes {
			if kp.p[0] != c || !strings.HasPrefix(s[i:], kp.p) {
				continue
			}
			j := i + len(kp.p)
			for j < len(s) && isSecretBody(s[j]) {
				if kp.upper && !(isUpper(s[j]) || isDigit(s[j])) {
					break
				}
				j++
			}
			body := j - i - len(kp.p)
			if kp.upper && body != kp.minLen {
				break
			}
			if body >= kp.minLen && (j == len(s) || !isAlnum(s[j])) {
				dst = append(dst, Span{i, j})
				i = j - 1
			}
			break
		}
	}
	return dst
}

// findAssignments adds credential assignment values, keeping dst sorted and
// skipping values already covered by a prefixed key found before base..
func findAssignments(s string, dst []Span, base int) []Span {
	// Jump between '=' and ':' with the vectorised IndexByte, remembering
	// the next position of each so the text is scanned once per byte.
	nextEq, nextCo := -1, -1
	for i := 0; i < len(s); i++ {
		if nextEq < i && nextEq != len(s) {
			nextEq = indexFrom(s, i, '=')
		}
		if nextCo < i && nextCo != len(s) {
			nextCo = indexFrom(s, i, ':')
		}
		i = min(nextEq, nextCo)
		if i >= len(s) {
			return dst
		}
		c := s[i]
		// Key: the identifier before the separator, optionally quoted.
		// JSON inside a JSON string escapes its quotes (\"key\":\"v\"), once
		// per level of nesting: any number of backslashes before a quote is
		// part of the quoting.
		ke := i
		if ke > 0 && (s[ke-1] == '"' || s[ke-1] == '\'') {
			ke--
			for ke > 0 && s[ke-1] == '\\' {
				ke--
			}
		}
		for ke > 0 && s[ke-1] == ' ' && c == ':' {
			ke--
		}
		ks := ke
		for ks > 0 && (isAlnum(s[ks-1]) || s[ks-1] == '_' || s[ks-1] == '-') {
			ks--
		}
		if ks == ke {
			continue
		}
		pw, tok := classifyKey(s[ks:ke])
		if !pw && !tok {
			continue
		}
		if c == '=' && inURLQuery(s, ks) {
			continue // QueryParam reports parameters of URL query strings
		}
		// Value: skip spaces and one opening quote.
		j := i + 1
		if c == ':' && j < len(s) && s[j] == '/' {
			continue // a URL scheme, not an assignment
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		quote := byte(0)
		escaped := false
		for j < len(s) && s[j] == '\\' && j+1 < len(s) && (s[j+1] == '\\' || s[j+1] == '"') {
			j++
			escaped = true
		}
		if j < len(s) && (s[j] == '"' || s[j] == '\'') {
			quote = s[j]
			j++
		}
		vs := j
		for j < len(s) && !isValueStop(s[j], quote) && !(escaped && s[j] == '\\') {
			j++
		}
		if quote == 0 {
			j = trimSentenceEnd(s, vs, j)
		}
		if j == vs || alreadyRedacted(s[vs:]) {
			continue
		}
		v := s[vs:j]
		if tok && !pw && !looksRandom(v) {
			continue
		}
		if pw && (v == "null" || v == "true" || v == "false" || strings.Trim(v, "*") == "") {
			continue
		}
		sp := Span{vs, j}
		if overlapsAny(dst[base:], sp) {
			continue
		}
		dst = insertSorted(dst, base, sp)
		i = j - 1
	}
	return dst
}

// inURLQuery reports whether the key starting at ks is a parameter of a URL
// query string: preceded by '?' or '&' with a '?' earlier in the same
// white-space-delimited token.
func inURLQuery(s string, ks int) bool {
	if ks == 0 || (s[ks-1] != '?' && s[ks-1] != '&' && s[ks-1] != ';') {
		return false
	}
	for j := ks - 1; j >= 0; j-- {
		switch s[j] {
		case '?':
			return true
		case ' ', '\t', '\n', '"', '\'':
			return false
		}
	}
	return false
}

// indexFrom returns the index of the first c at or after i, or len(s).
func indexFrom(s string, i int, c byte) int {
	if k := strings.IndexByte(s[i:], c); k >= 0 {
		return i + k
	}
	return len(s)
}

func isValueStop(c, quote byte) bool {
	if quote != 0 {
		return c == quote
	}
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '&' || c == ',' || c == ';' ||
		c == '"' || c == '\'' || c == '}' || c == ')' || c == ']' || c == '>' || c == '<'
}

// classifyKey normalises the last dotted segment of a key (lower case, '-'
// and '_' dropped) and tells whether it names a password or a token. Keys
// ending in password, apikey, secret, token, accesskey, secretkey or
// privatekey (db_password, stripe_api_key, AWS_SECRET_ACCESS_KEY) count as well.
func classifyKey(k string) (pw, tok bool) {
	if len(k) < 3 || len(k) > 40 {
		return false, false
	}
	var buf [40]byte
	n := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c == '-' || c == '_' {
			continue
		}
		buf[n] = lower(c)
		n++
	}
	if n == 0 {
		return false, false
	}
	norm := buf[:n]
	// Most keys of a log line (id=, items=, route=) are no credential: the
	// (length, last byte) filter and the switch on the last byte answer
	// them without hashing the key.
	if credentialKeyFilter[min(n, 63)]&(1<<(norm[n-1]&63)) != 0 {
		if kind, ok := credentialKeys[string(norm)]; ok {
			return kind == keyPassword, kind == keyToken
		}
	}
	switch norm[n-1] {
	case 'd':
		return hasSuffix(norm, "password"), false
	case 't':
		return false, hasSuffix(norm, "secret")
	case 'n':
		return false, hasSuffix(norm, "token")
	case 'y':
		return false, hasSuffix(norm, "apikey") || hasSuffix(norm, "accesskey") ||
			hasSuffix(norm, "secretkey") || hasSuffix(norm, "privatekey")
	}
	return false, false
}

// credentialKeyFilter has bit (last byte & 63) of entry min(length, 63) set
// for every key of credentialKeys.
var credentialKeyFilter = func() (f [64]uint64) {
	for k := range credentialKeys {
		f[min(len(k), 63)] |= 1 << (k[len(k)-1] & 63)
	}
	return f
}()

func hasSuffix(b []byte, suf string) bool {
	return len(b) >= len(suf) && string(b[len(b)-len(suf):]) == suf
}

// looksRandom is the "not a plain word" test for token values: at least 8
// characters drawn from at least two of lower case, upper case and digits.
func looksRandom(v string) bool {
	if len(v) < 8 {
		return false
	}
	var up, lo, dig int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isUpper(c):
			up = 1
		case isLower(c):
			lo = 1
		case isDigit(c):
			dig = 1
		}
	}
	return up+lo+dig >= 2
}

func overlapsAny(spans []Span, sp Span) bool {
	for _, o := range spans {
		if o.Start < sp.End && sp.Start < o.End {
			return true
		}
	}
	return false
}

func insertSorted(dst []Span, base int, sp Span) []Span {
	dst = append(dst, sp)
	k := len(dst) - 1
	for k > base && dst[k-1].Start > sp.Start {
		dst[k] = dst[k-1]
		k--
	}
	dst[k] = sp
	return dst
}
