package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
)

// hasher is the shared keyed identifier hash (internal/idhash), which the data-rights extension
// recomputes to find a user's rows; the names below keep this package's call sites.
type hasher struct{ idhash.Hasher }

func newHasher(key []byte) *hasher {
	h := idhash.New(key)
	if h == nil {
		return nil
	}
	return &hasher{*h}
}

func (h *hasher) appendToken(dst []byte, v string) []byte { return h.AppendToken(dst, v) }

func (h *hasher) token(v string) string { return h.Token(v) }

func isHashToken(v string) bool { return idhash.IsToken(v) }

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
	case "card", "phone", "iban", "ssn", "national_id", "device_id":
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

// appendTruncatedDecimal appends the decimal number v cut to keep decimals (toward zero, as text:
// "-74.00601" → "-74.0"), the coordinate's counterpart of an IP's network address.
func appendTruncatedDecimal(dst []byte, v string, keep int) []byte {
	dot := strings.IndexByte(v, '.')
	if dot < 0 {
		return append(dst, v...)
	}
	end := dot + 1 + keep
	if keep == 0 {
		end = dot
	}
	if end > len(v) {
		end = len(v)
	}
	return append(dst, v[:end]...)
}
