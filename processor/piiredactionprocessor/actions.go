package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/netip"
	"strings"
	"unicode/utf8"
)

const hashPrefix = "hmac:"

// hasher produces hmac:<hex of the first 16 bytes of HMAC-SHA256(key, v)>.
// It is owned by one batch at a time (see state).
type hasher struct {
	mac hash.Hash
	sum [sha256.Size]byte
	in  []byte
}

func newHasher(key []byte) *hasher {
	if len(key) == 0 {
		return nil
	}
	return &hasher{mac: hmac.New(sha256.New, key)}
}

func (h *hasher) appendToken(dst []byte, v string) []byte {
	h.mac.Reset()
	h.in = append(h.in[:0], v...)
	_, _ = h.mac.Write(h.in)
	sum := h.mac.Sum(h.sum[:0])
	dst = append(dst, hashPrefix...)
	return hex.AppendEncode(dst, sum[:16])
}

func (h *hasher) token(v string) string {
	var buf [len(hashPrefix) + 32]byte
	return string(h.appendToken(buf[:0], v))
}

// isHashToken reports whether v is exactly a token made by hasher, so an
// identifier hashed by an earlier pass is not hashed again while a raw value
// that merely starts with the prefix still is.
func isHashToken(v string) bool {
	if len(v) != len(hashPrefix)+32 || !strings.HasPrefix(v, hashPrefix) {
		return false
	}
	for i := len(hashPrefix); i < len(v); i++ {
		if c := v[i]; !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
			return false
		}
	}
	return true
}

// appendPlaceholder appends [REDACTED:name].
func appendPlaceholder(dst []byte, name string) []byte {
	dst = append(dst, "[REDACTED:"...)
	dst = append(dst, name...)
	return append(dst, ']')
}

// appendMask appends the masked form of v for a detector: e-mail keeps its
// first letter and domain, number-like values keep their last four
// alphanumerics and separators, anything else becomes ****.
func appendMask(dst []byte, name, v string) []byte {
	switch name {
	case "email":
		at := strings.LastIndexByte(v, '@')
		if at > 0 {
			_, n := utf8.DecodeRuneInString(v) // whole first character: output stays valid UTF-8
			dst = append(dst, v[:n]...)
			dst = append(dst, "***"...)
			return append(dst, v[at:]...)
		}
	case "card", "phone", "iban", "ssn":
		keep := 4
		alnum := 0
		for i := 0; i < len(v); i++ {
			if isAlnumByte(v[i]) {
				alnum++
			}
		}
		seen := 0
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !isAlnumByte(c) {
				dst = append(dst, c)
				continue
			}
			seen++
			if alnum-seen < keep && alnum > 2*keep {
				dst = append(dst, c)
			} else {
				dst = append(dst, '*')
			}
		}
		return dst
	}
	return append(dst, "****"...)
}

func isAlnumByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// anonymizeIP truncates an IP address (optionally with a port or in
// brackets) to its /24 (IPv4, also IPv4-mapped IPv6) or /48 (IPv6) network.
func anonymizeIP(v string) (string, bool) {
	if a, err := netip.ParseAddr(v); err == nil {
		return maskAddr(a).String(), true
	}
	if ap, err := netip.ParseAddrPort(v); err == nil {
		return netip.AddrPortFrom(maskAddr(ap.Addr()), ap.Port()).String(), true
	}
	return "", false
}

func maskAddr(a netip.Addr) netip.Addr {
	a = a.Unmap().WithZone("")
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.Addr()
}

// looksLikeIP is a cheap filter before netip parsing, whose error path
// allocates: an address value is digits, hex, '.', ':', '[', ']' only.
func looksLikeIP(v string) bool {
	if len(v) < 2 || len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}
