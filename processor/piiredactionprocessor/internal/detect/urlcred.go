package detect

import "strings"

// URLCredentials finds the userinfo of URLs that carry a password
// (scheme://user:password@host, also scheme://:password@host). The whole
// user:password part is reported because the user name is often an e-mail
// address or an account id.
type URLCredentials struct{}

// Name implements Detector.
func (URLCredentials) Name() string { return "url_credentials" }

// Candidate implements Detector.
func (URLCredentials) Candidate(c Class) bool {
	return c.Has(ClassColon | ClassSlash | ClassAt)
}

// Find implements Detector.
func (URLCredentials) Find(s string, dst []Span) []Span {
	off := 0
	for {
		k := strings.Index(s[off:], "://")
		if k < 0 {
			return dst
		}
		st := off + k + 3
		off = st
		colon := false
		j := st
		for j < len(s) && j-st < 256 {
			c := s[j]
			if c == '@' || c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' {
				break
			}
			if c == ':' {
				colon = true
			}
			j++
		}
		if j < len(s) && s[j] == '@' && colon && j > st && !alreadyRedacted(s[st:]) {
			dst = append(dst, Span{st, j})
			off = j + 1
		}
	}
}
