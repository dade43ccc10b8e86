package detect

import (
	"encoding/base64"
	"strings"
)

// JWT finds JSON Web Tokens (JWS compact form header.payload.signature,
// signature possibly empty for alg "none") whose header decodes to JSON
// naming "alg" or "typ".
type JWT struct{}

// Name implements Detector.
func (JWT) Name() string { return "jwt" }

func isB64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// Candidate implements Detector.
func (JWT) Candidate(c Class) bool {
	return c.Has(ClassJ | ClassDot)
}

// Find implements Detector.
func (JWT) Find(s string, dst []Span) []Span {
	off := 0
	for {
		k := strings.Index(s[off:], "eyJ")
		if k < 0 {
			return dst
		}
		i := off + k
		off = i + 3
		if i > 0 && (isB64URL(s[i-1]) || s[i-1] == '.') {
			continue
		}
		end, ok := jwtAt(s, i)
		if ok {
			dst = append(dst, Span{i, end})
			off = end
		}
	}
}

func jwtAt(s string, i int) (int, bool) {
	var parts [3][2]int
	j := i
	for p := 0; p < 3; p++ {
		st := j
		for j < len(s) && isB64URL(s[j]) {
			j++
		}
		parts[p] = [2]int{st, j}
		if p < 2 {
			if j >= len(s) || s[j] != '.' {
				return 0, false
			}
			j++
		}
	}
	// A fourth segment means JWE or something else; a '.' that ends the
	// sentence does not.
	if j < len(s) && (s[j] == '=' || (s[j] == '.' && j+1 < len(s) && isB64URL(s[j+1]))) {
		return 0, false
	}
	header := s[parts[0][0]:parts[0][1]]
	payload := s[parts[1][0]:parts[1][1]]
	if len(header) < 10 || len(payload) < 4 || !strings.HasPrefix(payload, "ey") || len(header) > 680 {
		return 0, false
	}
	var buf [512]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(header))
	if err != nil {
		return 0, false
	}
	h := string(buf[:n])
	if !strings.Contains(h, `"alg"`) && !strings.Contains(h, `"typ"`) {
		return 0, false
	}
	return j, true
}
