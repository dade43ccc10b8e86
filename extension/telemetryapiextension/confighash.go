package telemetryapiextension

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/confmap"
)

const redacted = "[REDACTED]"

// secretKey matches configuration keys whose string values are secrets even when the component
// did not type them configopaque.
var secretKey = regexp.MustCompile(`(?i)(password|passwd|secret|token|api_?key|bootstrap_key|^key$|credential)`)

// configHash is the SHA-256 of this extension's configuration, secrets redacted.
func configHash(cfg *Config) (string, error) {
	conf := confmap.New()
	if err := conf.Marshal(cfg); err != nil {
		return "", fmt.Errorf("marshal configuration for its hash: %w", err)
	}
	return hashConfMap(conf.ToStringMap())
}

// hashConfMap hashes a configuration without its secrets: configopaque values (already
// "[REDACTED]" in a marshaled configuration), values of secret-looking keys and passwords in
// URLs are replaced before hashing, so the hash changes with the configuration but rotating a
// secret does not change it and the hash cannot be used to guess a secret. JSON encoding sorts
// map keys, so equal configurations hash equally.
func hashConfMap(m map[string]any) (string, error) {
	b, err := json.Marshal(scrub("", m))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func scrub(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = scrub(k, val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = scrub(key, val)
		}
		return out
	case string:
		if t != "" && secretKey.MatchString(key) {
			return redacted
		}
		if strings.Contains(t, "@") && strings.Contains(t, "://") {
			if u, err := url.Parse(t); err == nil && u.User != nil {
				return u.Redacted()
			}
		}
		return t
	}
	return v
}
