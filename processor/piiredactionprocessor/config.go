package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// Mode is a privacy mode; see the modes table in README.md.
type Mode string

// Privacy modes.
const (
	ModeStrict   Mode = "strict"
	ModeBalanced Mode = "balanced"
	ModeMinimal  Mode = "minimal"
)

// UnmarshalText accepts the mode case-insensitively, so the value of
// TELEMETRY_PRIVACY_MODE may be written STRICT.
func (m *Mode) UnmarshalText(b []byte) error {
	v := Mode(strings.ToLower(strings.TrimSpace(string(b))))
	switch v {
	case ModeStrict, ModeBalanced, ModeMinimal:
		*m = v
		return nil
	}
	return fmt.Errorf("mode: %q is not one of strict, balanced, minimal", string(b))
}

// Action is what happens to a detected value.
type Action string

// Actions.
const (
	// ActionRedact replaces the value with [REDACTED:<detector>].
	ActionRedact Action = "redact"
	// ActionHash replaces the value with hmac:<32 hex digits>, a keyed
	// HMAC-SHA256 of the value (stable for the same value and hash_key).
	ActionHash Action = "hash"
	// ActionMask keeps a non-identifying shape (last four digits of a card,
	// phone or IBAN; first letter and domain of an e-mail address).
	ActionMask Action = "mask"
	// ActionAnonymize truncates an IP address to its /24 (IPv4) or /48
	// (IPv6) network, or a coordinate to 1 decimal (strict) or 2; only valid for the ip and geo detectors.
	ActionAnonymize Action = "anonymize"
	// ActionKeep disables the detector.
	ActionKeep Action = "keep"
	// ActionRemove deletes the attribute; only valid for pii_fields_action.
	ActionRemove Action = "remove"
)

// Summary selects the summary attributes added to records that were changed.
type Summary string

// Summary levels.
const (
	SummarySilent Summary = "silent"
	SummaryInfo   Summary = "info"
	SummaryDebug  Summary = "debug"
)

// minHashKeyLen is the HMAC-SHA256 block-independent minimum that keeps
// enumeration of low-entropy values (phone numbers, IPs) infeasible.
const minHashKeyLen = 32

// Config is the configuration of the pii_redaction processor.
type Config struct {
	// Mode is the privacy mode: strict, balanced or minimal. Default strict.
	// Map TELEMETRY_PRIVACY_MODE to it with ${env:TELEMETRY_PRIVACY_MODE:-strict}.
	Mode Mode `mapstructure:"mode"`

	// PIIFields are attribute/map key names (case-insensitive, '_' and '-'
	// ignored: phone_number also matches phoneNumber) whose values
	// are PII whatever they contain. A key matches when its full dotted name,
	// its last dotted segment or its path of nested map keys joined with '.'
	// equals an entry, at any depth. Default: email, email_address, phone,
	// phone_number, ssn, password, passwd, credit_card, card_number, cvv,
	// date_of_birth.
	PIIFields []string `mapstructure:"pii_fields"`

	// PIIFieldsAction is what happens to pii_fields values: remove (delete
	// the key), redact ([REDACTED:pii_field]) or hash. Default remove.
	PIIFieldsAction Action `mapstructure:"pii_fields_action"`

	// HashIdentifiers replaces the values of IdentifierFields with a keyed
	// HMAC-SHA256 token (hmac:<hex>) so per-user analytics keep working.
	// Not applied in minimal mode. Default false.
	HashIdentifiers bool `mapstructure:"hash_identifiers"`

	// IdentifierFields are the identifier keys hashed when HashIdentifiers is
	// set, matched on the full key or nested path (case-insensitive, '_' and
	// '-' ignored: session_id also matches sessionId).
	// Default: user.id, user_id, userid, enduser.id, session.id, session_id,
	// customer.id, customer_id, account.id, account_id, device.id.
	IdentifierFields []string `mapstructure:"identifier_fields"`

	// HashKey is the HMAC key, at least 32 bytes; required when anything is
	// hashed. Set it from the environment: ${env:TELEMETRY_HASH_KEY}.
	HashKey configopaque.String `mapstructure:"hash_key"`

	// AnonymizeIPs truncates IP addresses in AddressFields to /24 (IPv4) or
	// /48 (IPv6) and, in strict mode, IPs found in free text. Not applied in
	// minimal mode. Default true.
	AnonymizeIPs bool `mapstructure:"anonymize_ips"`

	// AddressFields are the keys holding a client address. Default:
	// client.address, source.address, net.peer.ip, net.sock.peer.addr,
	// network.peer.address, http.client_ip, client.ip, ip, ip_address.
	AddressFields []string `mapstructure:"address_fields"`

	// AllowedKeys are keys (full key or nested path, case-insensitive) that
	// are never touched nor scanned. Setting it replaces the default list
	// (trace and span ids, HTTP method/status/route, service.*, telemetry.sdk.*,
	// see defaultAllowedKeys).
	AllowedKeys []string `mapstructure:"allowed_keys"`

	// RouteFields are keys (full key or nested path, case-insensitive) whose
	// value is a route, a URL, a path or a query string. They are checked
	// structurally in every mode, even when also listed in allowed_keys: path
	// segments and query values that are e-mails, card/phone/social security
	// numbers, identifiers or tokens become {email}, {card}, {phone}, {ssn},
	// {id} or {token}; values of identifier query parameters (user_id, uid,
	// ...) become the identifier token, of credential parameters a
	// placeholder; then the free-text detectors run. Route templates pass
	// unchanged. Span names and metric names get the same check. Default:
	// http.route, http.target, http.url, url.full, url.path, url.query,
	// url.original, url.template, http.request.header.referer, referer,
	// endpoint. Setting it replaces the defaults; [] turns the check off.
	RouteFields []string `mapstructure:"route_fields"`

	// AttributeAllowlist, when set, are the only attribute keys (case-insensitive) kept on spans,
	// span events, log records and data points: every other attribute is removed, counted as
	// detector attribute_allowlist, and not scanned (identifier, pii_fields and cookie keys are still
	// hashed first, so their values are replaced where the record's other strings mention them).
	// Resource, scope and link attributes are left alone. A tenant policy's attribute_allowlist
	// narrows it: a key must be in both. Default: empty (every key kept).
	AttributeAllowlist []string `mapstructure:"attribute_allowlist"`

	// Actions overrides the mode's action per detector (email, phone, ssn,
	// card, iban, ip, jwt, bearer, secret, url_credentials, query_param,
	// query_id, person_name, postal_address, date_of_birth, national_id,
	// device_id, geo): redact, hash, mask, anonymize (ip and geo only) or
	// keep (detector off).
	Actions map[string]Action `mapstructure:"actions"`

	// Summary adds pii_redaction.* summary attributes to changed spans, log
	// records and data points: silent (none), info (count) or debug (count,
	// keys and detectors). Default silent.
	Summary Summary `mapstructure:"summary"`
}

var defaultPIIFields = []string{
	"email", "email_address", "phone", "phone_number", "ssn", "password", "passwd",
	"credit_card", "card_number", "cvv", "date_of_birth",
}

var defaultIdentifierFields = []string{
	"user.id", "user_id", "userid", "enduser.id", "session.id", "session_id",
	"customer.id", "customer_id", "account.id", "account_id", "device.id", "device_id",
}

var defaultAddressFields = []string{
	"client.address", "source.address", "net.peer.ip", "net.sock.peer.addr",
	"network.peer.address", "http.client_ip", "client.ip", "ip", "ip_address",
}

var defaultAllowedKeys = []string{
	"trace_id", "span_id", "parent_span_id", "traceid", "spanid",
	"http.request.method", "http.method", "http.response.status_code", "http.status_code", "http.route",
	"url.scheme", "rpc.system", "rpc.service", "rpc.method", "db.system",
	"service.name", "service.namespace", "service.version", "service.instance.id",
	"deployment.environment", "deployment.environment.name",
	"telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version",
	"otel.scope.name", "otel.scope.version", "otel.status_code",
}

var defaultRouteFields = []string{
	"http.route", "http.target", "http.url", "url.full", "url.path", "url.query", "url.original",
	"url.template", "http.request.header.referer", "referer", "endpoint",
}

func createDefaultConfig() *Config {
	return &Config{
		Mode:             ModeStrict,
		PIIFields:        append([]string(nil), defaultPIIFields...),
		PIIFieldsAction:  ActionRemove,
		IdentifierFields: append([]string(nil), defaultIdentifierFields...),
		AnonymizeIPs:     true,
		AddressFields:    append([]string(nil), defaultAddressFields...),
		AllowedKeys:      append([]string(nil), defaultAllowedKeys...),
		RouteFields:      append([]string(nil), defaultRouteFields...),
		Summary:          SummarySilent,
	}
}

// Validate checks the configuration; independent problems are joined.
func (c *Config) Validate() error {
	var errs []error
	switch c.Mode {
	case ModeStrict, ModeBalanced, ModeMinimal:
	default:
		errs = append(errs, fmt.Errorf("mode: %q is not one of strict, balanced, minimal", c.Mode))
	}
	switch c.PIIFieldsAction {
	case ActionRemove, ActionRedact, ActionHash:
	default:
		errs = append(errs, fmt.Errorf("pii_fields_action: %q is not one of remove, redact, hash", c.PIIFieldsAction))
	}
	switch c.Summary {
	case SummarySilent, SummaryInfo, SummaryDebug:
	default:
		errs = append(errs, fmt.Errorf("summary: %q is not one of silent, info, debug", c.Summary))
	}
	errs = append(errs, checkKeys("pii_fields", c.PIIFields), checkKeys("identifier_fields", c.IdentifierFields),
		checkKeys("address_fields", c.AddressFields), checkKeys("allowed_keys", c.AllowedKeys), checkKeys("route_fields", c.RouteFields),
		checkKeys("attribute_allowlist", c.AttributeAllowlist))
	names := make([]string, 0, len(c.Actions))
	for name := range c.Actions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := c.Actions[name]
		if _, ok := detect.ByName(name); !ok {
			errs = append(errs, fmt.Errorf("actions: unknown detector %q (known: %s)", name, strings.Join(detect.Names(), ", ")))
			continue
		}
		switch a {
		case ActionRedact, ActionHash, ActionMask, ActionKeep:
		case ActionAnonymize:
			if name != "ip" && name != "geo" {
				errs = append(errs, fmt.Errorf("actions.%s: anonymize is only valid for the ip and geo detectors", name))
			}
		default:
			errs = append(errs, fmt.Errorf("actions.%s: %q is not one of redact, hash, mask, anonymize, keep", name, a))
		}
	}
	if c.usesHashing() && len(c.HashKey) < minHashKeyLen {
		errs = append(errs, fmt.Errorf("hash_key: must be at least %d bytes when hash_identifiers, pii_fields_action: hash or a hash action is in effect (got %d); set it from ${env:TELEMETRY_HASH_KEY}", minHashKeyLen, len(c.HashKey)))
	}
	return errors.Join(errs...)
}

func checkKeys(name string, keys []string) error {
	for i, k := range keys {
		if strings.TrimSpace(k) == "" {
			return fmt.Errorf("%s[%d]: empty key", name, i)
		}
	}
	return nil
}

// usesHashing reports whether the effective plan hashes anything.
func (c *Config) usesHashing() bool {
	if c.PIIFieldsAction == ActionHash {
		return true
	}
	if c.HashIdentifiers && c.Mode != ModeMinimal {
		return true
	}
	for _, a := range c.Actions {
		if a == ActionHash {
			return true
		}
	}
	return false
}
