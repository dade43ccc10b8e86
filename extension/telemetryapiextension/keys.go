package telemetryapiextension

import (
	"crypto/sha256"
	"strings"
	"sync/atomic"
	"time"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// keyring holds the SHA-256 of every key, never the key: a memory dump or a debug print of the
// extension shows digests only. The YAML keys (the bootstrap set) are fixed; the keys created by
// API arrive from the fleet store and replace the dynamic map as a whole, so lookups take no lock.
//
// Lookup is one map access by digest: O(1) however many keys a fleet has. Looking up a digest
// (not the key) keeps the time independent of which key, or how much of one, matched: an attacker
// controls the key but cannot choose its SHA-256.
type keyring struct {
	static  map[[32]byte]*keyEntry
	ids     map[string]bool // ids of the YAML keys, which API keys may not take
	dynamic atomic.Pointer[map[[32]byte]*keyEntry]
	now     func() time.Time
}

type keyEntry struct {
	principal telemetryapi.Principal
	// notAfter (unix ms, 0 = never) ends a rotated-out secret's overlap period.
	notAfter int64
	// lastUsed (unix ms) is when this collector last accepted the key.
	lastUsed *atomic.Int64
}

func digestOf(key string) [32]byte { return sha256.Sum256([]byte(key)) }

func newKeyring(cfg AuthConfig) *keyring {
	kr := &keyring{static: map[[32]byte]*keyEntry{}, ids: map[string]bool{}, now: time.Now}
	empty := map[[32]byte]*keyEntry{}
	kr.dynamic.Store(&empty)
	if cfg.BootstrapKey != "" {
		kr.static[digestOf(string(cfg.BootstrapKey))] = &keyEntry{
			principal: telemetryapi.Principal{
				KeyID: BootstrapKeyID, TenantID: telemetryapi.DefaultTenant,
				Roles: []telemetryapi.Role{telemetryapi.RoleAdmin, telemetryapi.RoleOperator},
			},
			lastUsed: new(atomic.Int64),
		}
		kr.ids[BootstrapKeyID] = true
	}
	for _, k := range cfg.APIKeys {
		kr.ids[k.ID] = true
		d, ok := k.digest()
		if !ok {
			continue // Validate reports it
		}
		kr.static[d] = &keyEntry{
			principal: telemetryapi.Principal{KeyID: k.ID, TenantID: k.Tenant, Roles: append([]telemetryapi.Role(nil), k.Roles...)},
			lastUsed:  new(atomic.Int64),
		}
	}
	return kr
}

// size is the number of digests accepted (YAML and API keys).
func (kr *keyring) size() int { return len(kr.static) + len(*kr.dynamic.Load()) }

// lookup returns the principal of a presented key.
func (kr *keyring) lookup(key string) (telemetryapi.Principal, bool) {
	d := digestOf(key)
	e, ok := kr.static[d]
	if !ok {
		e, ok = (*kr.dynamic.Load())[d]
	}
	if !ok {
		return telemetryapi.Principal{}, false
	}
	now := kr.now().UnixMilli()
	if e.notAfter != 0 && now >= e.notAfter {
		return telemetryapi.Principal{}, false
	}
	// Coarse, so a busy key does not make every request write a shared cache line.
	if now-e.lastUsed.Load() >= 1000 {
		e.lastUsed.Store(now)
	}
	return e.principal, true
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
