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
		// The userinfo ends at the last '@' of the authority, as net/url
		// reads it: a user name that is an unescaped e-mail address
		// (https://bob@example.com:pw@host) belongs to it.
		colon, colonBeforeAt := false, false
		at := -1
		j := st
		for j < len(s) && j-st < 256 {
			c := s[j]
			if c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>' {
				break
			}
			switch c {
			case '@':
				at, colonBeforeAt = j, colon
			case ':':
				colon = true
			}
			j++
		}
		if at > st && colonBeforeAt && !alreadyRedacted(s[st:]) {
			dst = append(dst, Span{st, at})
			off = at + 1
		}
	}
}
