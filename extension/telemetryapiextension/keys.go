package telemetryapiextension

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// keyring holds the SHA-256 of every key, never the key: a memory dump or a debug print of the
// extension shows digests only.
type keyring struct {
	entries []keyEntry
}

type keyEntry struct {
	digest    [32]byte
	principal telemetryapi.Principal
}

func digestOf(key string) [32]byte { return sha256.Sum256([]byte(key)) }

func newKeyring(cfg AuthConfig) *keyring {
	kr := &keyring{}
	if cfg.BootstrapKey != "" {
		kr.entries = append(kr.entries, keyEntry{
			digest: digestOf(string(cfg.BootstrapKey)),
			principal: telemetryapi.Principal{
				KeyID: BootstrapKeyID, TenantID: telemetryapi.DefaultTenant,
				Roles: []telemetryapi.Role{telemetryapi.RoleAdmin, telemetryapi.RoleOperator},
			},
		})
	}
	for _, k := range cfg.APIKeys {
		d, ok := k.digest()
		if !ok {
			continue // Validate reports it
		}
		kr.entries = append(kr.entries, keyEntry{
			digest:    d,
			principal: telemetryapi.Principal{KeyID: k.ID, TenantID: k.Tenant, Roles: append([]telemetryapi.Role(nil), k.Roles...)},
		})
	}
	return kr
}

// lookup compares the presented key's digest with every configured digest in constant time and
// without stopping at a match, so the time taken says nothing about which key (or how much of
// one) matched. Comparing digests rather than keys also makes the time independent of length.
func (kr *keyring) lookup(key string) (telemetryapi.Principal, bool) {
	d := digestOf(key)
	found := -1
	for i := range kr.entries {
		if subtle.ConstantTimeCompare(d[:], kr.entries[i].digest[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return telemetryapi.Principal{}, false
	}
	return kr.entries[found].principal, true
}

// anonymous is every caller when auth::enabled is false: nothing is protected then, so it may do
// what the bootstrap key may.
var anonymous = telemetryapi.Principal{
	KeyID: "anonymous", TenantID: telemetryapi.DefaultTenant, Roles: []telemetryapi.Role{telemetryapi.RoleAdmin, telemetryapi.RoleOperator},
}

// Header names of a key.
const (
	headerAuthorization = "Authorization"
	headerAPIKey        = "X-API-Key"
)

// credential returns the key of a request: `Authorization: Bearer <key>`, else `X-API-Key: <key>`.
// get looks a header up case-insensitively. An Authorization header of another scheme is ignored
// so Basic auth in front of the collector does not hide an X-API-Key.
func credential(get func(string) string) (string, bool) {
	if v := strings.TrimSpace(get(headerAuthorization)); v != "" {
		if scheme, key, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
			if key = strings.TrimSpace(key); key != "" {
				return key, true
			}
		}
	}
	if v := strings.TrimSpace(get(headerAPIKey)); v != "" {
		return v, true
	}
	return "", false
}

// sourceGetter reads gRPC metadata (lower-case keys) and HTTP headers (canonical keys) alike.
func sourceGetter(sources map[string][]string) func(string) string {
	return func(name string) string {
		for k, v := range sources {
			if len(v) > 0 && strings.EqualFold(k, name) {
				return v[0]
			}
		}
		return ""
	}
}
