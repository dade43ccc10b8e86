package detect

import "strings"

// QueryParam finds the values of sensitive query-string parameters in URLs
// (after '?', parameters separated by '&' or ';'): credentials (token,
// access_token, password, api_key, client_secret, signature, ...) and
// personal data (email, phone, ssn). Parameter names are compared
// case-insensitively.
type QueryParam struct{}

// Name implements Detector.
func (QueryParam) Name() string { return "query_param" }

var sensitiveParams = [...]string{
	"token", "access_token", "refresh_token", "id_token", "auth", "auth_token", "authorization",
	"password", "passwd", "pwd", "pass", "secret", "client_secret", "api_key", "apikey", "api-key", "key",
	"sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
	"session", "sessionid", "session_id", "sid", "jwt", "otp", "pin",
	"email", "e-mail", "mail", "phone", "tel", "mobile", "ssn",
}

func isParamNameChar(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '[' || c == ']'
}

// Candidate implements Detector.
func (QueryParam) Candidate(c Class) bool {
	return c.Has(ClassQuestion | ClassEq)
}

// Find implements Detector.
func (QueryParam) Find(s string, dst []Span) []Span {
	return findParams(s, dst, isSensitiveParam)
}

// findParams appends the spans of the values of URL query parameters (after
// a '?') whose name satisfies want.
func findParams(s string, dst []Span, want func(string) bool) []Span {
	off := 0
	for {
		q := strings.IndexByte(s[off:], '?')
		if q < 0 {
			return dst
		}
		i := off + q + 1
		off = i
		for i < len(s) {
			ns := i
			for i < len(s) && isParamNameChar(s[i]) {
				i++
			}
			if i >= len(s) || s[i] != '=' || i == ns {
				break
			}
			name := s[ns:i]
			i++
			vs := i
			for i < len(s) && !isQueryStop(s[i]) {
				i++
			}
			i = trimSentenceEnd(s, vs, i)
			if vs < i && want(name) && !alreadyRedacted(s[vs:]) {
				dst = append(dst, Span{vs, i})
			}
			if i < len(s) && (s[i] == '&' || s[i] == ';') {
				i++
				continue
			}
			break
		}
		off = i
	}
}

func isQueryStop(c byte) bool {
	return c == '&' || c == ';' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')' || c == ']'
}

func isSensitiveParam(name string) bool {
	for _, p := range sensitiveParams {
		if equalFoldASCII(name, p) {
			return true
		}
	}
	return false
}

// IsSensitiveParam reports whether a query parameter name is one whose
// value QueryParam reports (credentials and contact data).
func IsSensitiveParam(name string) bool { return isSensitiveParam(name) }

// identifierParams are query parameter names (lower case, '_', '-' and '.'
// removed) whose value identifies a person: a URL's structural check
// replaces their value with the record's identifier token.
var identifierParams = [...]string{
	"userid", "uid", "user", "username", "login", "customerid", "customer", "accountid", "account",
	"memberid", "deviceid", "enduserid", "visitorid", "subscriberid", "profileid", "patientid",
	"personid", "clientuserid", "sessionid", "session", "sid",
}

// IsIdentifierParam reports whether a query parameter name (any case, '_',
// '-' and '.' ignored: user_id, userId, user.id) names a person's identifier.
func IsIdentifierParam(name string) bool {
	if len(name) > 32 {
		return false
	}
	var buf [32]byte
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '_' || c == '-' || c == '.' {
			continue
		}
		buf[n] = lower(c)
		n++
	}
	for _, p := range identifierParams {
		if string(buf[:n]) == p {
			return true
		}
	}
	return false
}
