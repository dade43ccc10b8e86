// Package idhash is the keyed identifier hash of the Telemetry Module: pii_redaction replaces
// identifiers (user.id, session.id, ...) with its tokens, and the data-rights extension recomputes
// the token of a raw user id to find, delete and export that user's rows. One definition, so the two
// can never disagree on the stored form of an id.
package idhash // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// Prefix starts every token.
const Prefix = "hmac:"

// TokenLen is the length of a token: Prefix and 32 hex digits.
const TokenLen = len(Prefix) + 32

// Hasher produces hmac:<hex of the first 16 bytes of HMAC-SHA256(key, v)>. It is not safe for
// concurrent use: each goroutine (or batch) owns one.
type Hasher struct {
	mac hash.Hash
	sum [sha256.Size]byte
	in  []byte
}

// New returns a Hasher for key, nil when key is empty (nothing is hashed).
func New(key []byte) *Hasher {
	if len(key) == 0 {
		return nil
	}
	return &Hasher{mac: hmac.New(sha256.New, key)}
}

// AppendToken appends the token of v to dst.
func (h *Hasher) AppendToken(dst []byte, v string) []byte {
	h.mac.Reset()
	h.in = append(h.in[:0], v...)
	_, _ = h.mac.Write(h.in)
	sum := h.mac.Sum(h.sum[:0])
	dst = append(dst, Prefix...)
	return hex.AppendEncode(dst, sum[:16])
}

// Token returns the token of v.
func (h *Hasher) Token(v string) string {
	var buf [TokenLen]byte
	return string(h.AppendToken(buf[:0], v))
}

// IsToken reports whether v is exactly a token made by a Hasher, so an identifier hashed by an
// earlier pass is not hashed again while a raw value that merely starts with the prefix still is.
func IsToken(v string) bool {
	if len(v) != TokenLen || !strings.HasPrefix(v, Prefix) {
		return false
	}
	for i := len(Prefix); i < len(v); i++ {
		if c := v[i]; !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
			return false
		}
	}
	return true
}
