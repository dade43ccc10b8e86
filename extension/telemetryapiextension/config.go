package telemetryapiextension // import "github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension"

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// BootstrapKeyID is the key id of auth::bootstrap_key in logs and the audit trail.
const BootstrapKeyID = "bootstrap"

// Values of audit::log_output.
const (
	auditLogStderr    = "stderr"
	auditLogCollector = "collector"
)

// defaultReadHeaderTimeout is far above what a real client needs to send a header and far below
// confighttp's 1m, so slow-header connections cost little.
const defaultReadHeaderTimeout = 10 * time.Second

// minKeyLength keeps keys out of brute-force range even before the failed-attempt limit.
const minKeyLength = 16

// Config of the telemetry_api extension.
type Config struct {
	// HTTP is the API server: endpoint (default 127.0.0.1:8080), tls, cors, max_request_body_size
	// (default 20 MiB, also the limit after decompression), read_header_timeout (default 10s: a
	// client dribbling its header is cut off before authentication; must be positive),
	// keepalive::idle_timeout (default 60s), write_timeout (default 30s). Its `auth` block
	// is not supported (callers authenticate with the keys below), nor `compression_algorithms`
	// (default [], must stay empty: the router decompresses gzip, deflate and zstd after the key
	// check).
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// Auth holds the API keys and the failed-attempt limit.
	Auth AuthConfig `mapstructure:"auth"`
	// Audit tunes the audit writer.
	Audit AuditConfig `mapstructure:"audit"`
	// Storage is the ClickHouse holding telemetry_audit. Default: none, audit records only go to
	// the collector log and GET /audit answers 503.
	Storage StorageConfig `mapstructure:"storage"`
	// Admin tunes what tenants administer at run time through the API (keys, privacy policies),
	// kept in the storage's telemetry_admin_state and read by every collector of a fleet.
	Admin AdminConfig `mapstructure:"admin"`
}

// AdminConfig tunes the run-time administration.
type AdminConfig struct {
	// RefreshInterval is how often this collector reads changes made through other collectors of
	// the fleet: a change is in effect everywhere within it plus one storage query. Default 1s.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// MaxRotationOverlap bounds the overlap a key rotation may ask for. Default 168h.
	MaxRotationOverlap time.Duration `mapstructure:"max_rotation_overlap"`
	// MaxRetentionDays is the longest retention_days a tenant's policy may set per signal
	// (traces, logs, metrics, events): the operator's floor. Set it to the exporter's retention.
	// Default: none (any 1-36500).
	MaxRetentionDays map[string]int `mapstructure:"max_retention_days"`
	// AllowLoosening lets a tenant's privacy policy go below the operator's pii_redaction YAML
	// (a weaker mode, anonymize_ips or hash_identifiers off, a detector kept). Default false: a
	// tenant may only tighten.
	AllowLoosening bool `mapstructure:"allow_loosening"`
	// PurgeInterval is how often every collector deletes the rows of tenants older than their
	// policy's retention_days (a change is purged at once on the collector that accepted it).
	// Default 1h.
	PurgeInterval time.Duration `mapstructure:"purge_interval"`
}

// AuthConfig holds the API keys.
type AuthConfig struct {
	// Enabled requires a key on every API call and ingest request. When false every caller is an
	// operator acting for the default tenant: for local development only. Default true.
	Enabled bool `mapstructure:"enabled"`
	// BootstrapKey is the operator key (admin of every tenant; its own tenant is "default", key id
	// "bootstrap"), usually from TELEMETRY_API_KEY. Default: none.
	BootstrapKey configopaque.String `mapstructure:"bootstrap_key"`
	// APIKeys are the other keys. Default: none.
	APIKeys []APIKeyConfig `mapstructure:"api_keys"`
	// FailedAttempts throttles clients that present wrong keys.
	FailedAttempts RateLimitConfig `mapstructure:"failed_attempts"`
}

// APIKeyConfig is one key. Exactly one of Key and KeySHA256 is set.
type APIKeyConfig struct {
	// ID names the key in logs and the audit trail. Required, unique.
	ID string `mapstructure:"id"`
	// Key is the secret itself (at least 16 characters, no white space).
	Key configopaque.String `mapstructure:"key"`
	// KeySHA256 is the hex SHA-256 of the key, so the configuration need not hold the secret.
	KeySHA256 string `mapstructure:"key_sha256"`
	// Tenant the key acts for. Required.
	Tenant string `mapstructure:"tenant"`
	// Roles of the key: ingest, viewer, analyst, privacy, admin (all of these, in Tenant only),
	// operator (admin of every tenant). At least one.
	Roles []telemetryapi.Role `mapstructure:"roles"`
}

// RateLimitConfig limits failed authentications per client address.
type RateLimitConfig struct {
	// MaxFailures a client address may have within Window before it is refused with 429 until the
	// window ends. Default 10.
	MaxFailures int `mapstructure:"max_failures"`
	// Window of the count. Default 1m.
	Window time.Duration `mapstructure:"window"`
}

// AuditConfig tunes the audit writer.
type AuditConfig struct {
	// QueueSize bounds the records held in memory: waiting for their batch, or for ClickHouse when
	// the spool is absent or full. When it is reached, API requests are refused with 503 and
	// Retry-After rather than served without their record. Default 10000.
	QueueSize int `mapstructure:"queue_size"`
	// SpoolDirectory keeps records on disk (under telemetry_api_audit/) while ClickHouse is
	// unavailable; they are inserted once it is back, also after a restart. Default "" (memory
	// only). The shipped configs put it next to the persistent queue.
	SpoolDirectory string `mapstructure:"spool_directory"`
	// SpoolMaxBytes bounds the spool's files. Default 256 MiB (about 780,000 records).
	SpoolMaxBytes int64 `mapstructure:"spool_max_bytes"`
	// FullWait is how long an API request waits for a place when queue_size records are held
	// (a burst the writer is still moving to the spool) before it is refused. Default 1s; 0 refuses
	// at once.
	FullWait time.Duration `mapstructure:"full_wait"`
	// LogOutput is where the one log line per record goes: "stderr" (default), a JSON line on the
	// process's standard error that is never sampled; or "collector", the collector's logger
	// (service::telemetry::logs), whose sampling drops repeated messages under load.
	LogOutput string `mapstructure:"log_output"`
	// BatchSize is the most records per INSERT. Default 1000.
	BatchSize int `mapstructure:"batch_size"`
	// FlushInterval is the longest a record waits before its INSERT. Default 1s.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
}

// StorageConfig selects the ClickHouse of the audit table; same keys as the telemetry_storage
// exporter, whose migrations create the table.
type StorageConfig = chschema.StorageConfig

func createDefaultConfig() *Config {
	srv := confighttp.NewDefaultServerConfig()
	srv.NetAddr.Endpoint = "127.0.0.1:8080"
	srv.ReadHeaderTimeout = defaultReadHeaderTimeout
	// Non-nil and empty: confighttp does not decompress, the router does after the key check.
	srv.CompressionAlgorithms = []string{}
	return &Config{
		HTTP: srv,
		Auth: AuthConfig{
			Enabled:        true,
			FailedAttempts: RateLimitConfig{MaxFailures: 10, Window: time.Minute},
		},
		Audit:   AuditConfig{QueueSize: 10000, BatchSize: 1000, FlushInterval: time.Second, SpoolMaxBytes: 256 << 20, FullWait: time.Second, LogOutput: auditLogStderr},
		Storage: chschema.DefaultStorageConfig(),
		Admin:   AdminConfig{RefreshInterval: time.Second, MaxRotationOverlap: 7 * 24 * time.Hour, PurgeInterval: time.Hour},
	}
}

var (
	keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	hexDigest    = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

var knownRoles = []telemetryapi.Role{
	telemetryapi.RoleIngest, telemetryapi.RoleViewer, telemetryapi.RoleAnalyst,
	telemetryapi.RolePrivacy, telemetryapi.RoleAdmin, telemetryapi.RoleOperator,
}

// Validate reports every problem at once, naming the YAML key.
func (c *Config) Validate() error {
	var errs []error
	if c.HTTP.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New("http::endpoint must be set"))
	}
	if len(c.HTTP.CompressionAlgorithms) > 0 {
		errs = append(errs, errors.New("http::compression_algorithms is not supported: the API decompresses gzip, deflate and zstd itself, after the key check"))
	}
	if c.HTTP.ReadHeaderTimeout <= 0 {
		errs = append(errs, errors.New("http::read_header_timeout must be positive: without it a client that sends its header one byte at a time holds a connection forever"))
	}
	if c.HTTP.Auth.HasValue() {
		errs = append(errs, errors.New("http::auth is not supported: callers authenticate with auth::api_keys"))
	}
	if c.Admin.RefreshInterval <= 0 {
		errs = append(errs, errors.New("admin::refresh_interval must be positive"))
	}
	for sig, d := range c.Admin.MaxRetentionDays {
		if !slices.Contains(privacypolicy.Signals, sig) {
			errs = append(errs, fmt.Errorf("admin::max_retention_days::%s: unknown signal, use %v", sig, privacypolicy.Signals))
		} else if d < 0 {
			errs = append(errs, fmt.Errorf("admin::max_retention_days::%s must not be negative", sig))
		}
	}
	if c.Admin.PurgeInterval <= 0 {
		errs = append(errs, errors.New("admin::purge_interval must be positive"))
	}
	if c.Admin.MaxRotationOverlap < 0 {
		errs = append(errs, errors.New("admin::max_rotation_overlap must not be negative"))
	}
	errs = append(errs, c.Auth.validate(), c.Audit.validate(), c.Storage.Validate())
	return errors.Join(errs...)
}

func (a *AuthConfig) validate() error {
	var errs []error
	if a.Enabled && a.BootstrapKey == "" && len(a.APIKeys) == 0 {
		errs = append(errs, errors.New("auth::enabled is true but neither auth::bootstrap_key nor auth::api_keys is set (set a key, or auth::enabled: false for local development)"))
	}
	if a.BootstrapKey != "" {
		errs = append(errs, validateSecret("auth::bootstrap_key", string(a.BootstrapKey)))
	}
	ids := map[string]bool{}
	digests := map[[32]byte]string{}
	if a.BootstrapKey != "" {
		ids[BootstrapKeyID] = true
		digests[digestOf(string(a.BootstrapKey))] = BootstrapKeyID
	}
	for i, k := range a.APIKeys {
		at := fmt.Sprintf("auth::api_keys[%d]", i)
		switch {
		case k.ID == "":
			errs = append(errs, fmt.Errorf("%s::id must be set", at))
		case !keyIDPattern.MatchString(k.ID):
			errs = append(errs, fmt.Errorf("%s::id %q must be 1-64 letters, digits, '.', '_' or '-'", at, k.ID))
		case ids[k.ID]:
			errs = append(errs, fmt.Errorf("%s::id %q is used twice (%q is reserved for auth::bootstrap_key)", at, k.ID, BootstrapKeyID))
		}
		ids[k.ID] = true
		switch {
		case k.Key != "" && k.KeySHA256 != "":
			errs = append(errs, fmt.Errorf("%s: set key or key_sha256, not both", at))
		case k.Key == "" && k.KeySHA256 == "":
			errs = append(errs, fmt.Errorf("%s: key or key_sha256 must be set", at))
		case k.KeySHA256 != "" && !hexDigest.MatchString(k.KeySHA256):
			errs = append(errs, fmt.Errorf("%s::key_sha256 must be 64 hex digits", at))
		case k.Key != "":
			errs = append(errs, validateSecret(at+"::key", string(k.Key)))
		}
		if d, ok := k.digest(); ok {
			if other, dup := digests[d]; dup {
				errs = append(errs, fmt.Errorf("%s is the same key as %q", at, other))
			}
			digests[d] = k.ID
		}
		if !telemetryapi.ValidTenant(k.Tenant) {
			errs = append(errs, fmt.Errorf("%s::tenant %q must be 1-128 letters, digits, '.', '_' or '-'", at, k.Tenant))
		}
		if len(k.Roles) == 0 {
			errs = append(errs, fmt.Errorf("%s::roles must list at least one of %v", at, knownRoles))
		}
		for _, r := range k.Roles {
			if !slices.Contains(knownRoles, r) {
				errs = append(errs, fmt.Errorf("%s::roles: unknown role %q, use %v", at, r, knownRoles))
			}
		}
	}
	if a.FailedAttempts.MaxFailures <= 0 {
		errs = append(errs, errors.New("auth::failed_attempts::max_failures must be positive"))
	}
	if a.FailedAttempts.Window <= 0 {
		errs = append(errs, errors.New("auth::failed_attempts::window must be positive"))
	}
	return errors.Join(errs...)
}

// validateSecret never puts the secret in the message.
func validateSecret(key, secret string) error {
	if len(secret) < minKeyLength {
		return fmt.Errorf("%s must be at least %d characters", key, minKeyLength)
	}
	if strings.IndexFunc(secret, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%s must not contain white space", key)
	}
	return nil
}

// digest is the SHA-256 the key is compared by.
func (k APIKeyConfig) digest() ([32]byte, bool) {
	if k.Key != "" {
		return digestOf(string(k.Key)), true
	}
	var d [32]byte
	if _, err := hex.Decode(d[:], []byte(k.KeySHA256)); err != nil || len(k.KeySHA256) != 64 {
		return d, false
	}
	return d, true
}

func (a *AuditConfig) validate() error {
	var errs []error
	if a.QueueSize <= 0 {
		errs = append(errs, errors.New("audit::queue_size must be positive"))
	}
	if a.BatchSize <= 0 {
		errs = append(errs, errors.New("audit::batch_size must be positive"))
	} else if a.QueueSize > 0 && a.BatchSize > a.QueueSize {
		errs = append(errs, fmt.Errorf("audit::batch_size (%d) must not exceed audit::queue_size (%d)", a.BatchSize, a.QueueSize))
	}
	if a.FlushInterval <= 0 {
		errs = append(errs, errors.New("audit::flush_interval must be positive"))
	}
	if a.SpoolMaxBytes <= 0 {
		errs = append(errs, errors.New("audit::spool_max_bytes must be positive"))
	}
	if a.FullWait < 0 {
		errs = append(errs, errors.New("audit::full_wait must not be negative"))
	}
	if a.LogOutput != auditLogStderr && a.LogOutput != auditLogCollector {
		errs = append(errs, fmt.Errorf("audit::log_output %q must be %q or %q", a.LogOutput, auditLogStderr, auditLogCollector))
	}
	return errors.Join(errs...)
}
