package consentextension

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chschema"
)

// Privacy modes (TELEMETRY_PRIVACY_MODE) and the default policy each implies.
const (
	ModeStrict   = "strict"   // opt-in
	ModeBalanced = "balanced" // opt-out
	ModeMinimal  = "minimal"  // opt-out
)

// Default policies, overriding the mode's.
const (
	DefaultPolicyOptIn  = "opt_in"
	DefaultPolicyOptOut = "opt_out"
)

// Default purposes: analytics (custom events), performance (traces, metrics), diagnostics (logs).
const (
	PurposeAnalytics   = "analytics"
	PurposePerformance = "performance"
	PurposeDiagnostics = "diagnostics"
)

// maxPurposes keeps the purpose index in a byte.
const maxPurposes = 64

// Config of the consent extension.
type Config struct {
	// APIExtension is the telemetry API extension the consent endpoints are added to.
	// Default telemetry_api.
	APIExtension component.ID `mapstructure:"api_extension"`
	// Purposes that consent is given for. Default [analytics, performance, diagnostics].
	Purposes []string `mapstructure:"purposes"`
	// Mode is the privacy mode: strict (opt-in), balanced or minimal (opt-out). Default balanced.
	Mode string `mapstructure:"mode"`
	// DefaultPolicy overrides the mode's policy for users without a record: opt_in or opt_out.
	// Default "" (from mode).
	DefaultPolicy string `mapstructure:"default_policy"`
	// Storage is the ClickHouse holding telemetry_consents and telemetry_consent_history. Default:
	// none, consents live in memory only and are lost on restart (development only).
	Storage StorageConfig `mapstructure:"storage"`
	// Sync bounds how fast collectors sharing one database converge.
	Sync SyncConfig `mapstructure:"sync"`
	// MaxEntries bounds the (tenant, user, purpose) entries held in memory. Beyond it the store
	// stops adding entries, updates answer 507 and users without a cached record are treated as
	// not consented (fail closed) until a full reload fits again. Default 5000000.
	MaxEntries int `mapstructure:"max_entries"`
}

// StorageConfig selects the ClickHouse; same keys as the telemetry_storage exporter. The extension
// runs no DDL: the exporter's schema migration creates the consent tables.
type StorageConfig = chschema.StorageConfig

// SyncConfig tunes the refresh from ClickHouse.
type SyncConfig struct {
	// RefreshInterval between reads of recent changes; a change made through another collector is
	// enforced here within this interval (plus one query). Default 2s.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// Lookback re-reads changes this far behind the last read, so rows that became visible late
	// or were stamped by a collector whose clock lags are not missed. Must exceed the clock skew
	// between collectors. Default 1m.
	Lookback time.Duration `mapstructure:"lookback"`
	// FullReloadInterval between complete reloads, which also drop consents deleted in ClickHouse
	// (TTL, erasure). 0 disables. Default 10m.
	FullReloadInterval time.Duration `mapstructure:"full_reload_interval"`
}

func createDefaultConfig() *Config {
	return &Config{
		APIExtension: component.MustNewID("telemetry_api"),
		Purposes:     []string{PurposeAnalytics, PurposePerformance, PurposeDiagnostics},
		Mode:         ModeBalanced,
		Storage:      chschema.DefaultStorageConfig(),
		Sync: SyncConfig{
			RefreshInterval:    2 * time.Second,
			Lookback:           time.Minute,
			FullReloadInterval: 10 * time.Minute,
		},
		MaxEntries: 5_000_000,
	}
}

var purposePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Validate reports every problem at once, naming the YAML key.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Purposes) == 0 {
		errs = append(errs, errors.New("purposes must list at least one purpose"))
	}
	if len(c.Purposes) > maxPurposes {
		errs = append(errs, fmt.Errorf("purposes lists %d purposes, at most %d are supported", len(c.Purposes), maxPurposes))
	}
	for i, p := range c.Purposes {
		switch {
		case !purposePattern.MatchString(p):
			errs = append(errs, fmt.Errorf("purposes[%d] %q must be 1-64 lowercase letters, digits or '_', starting with a letter", i, p))
		case slices.Index(c.Purposes, p) != i:
			errs = append(errs, fmt.Errorf("purposes[%d] %q is listed twice", i, p))
		}
	}
	if !slices.Contains([]string{ModeStrict, ModeBalanced, ModeMinimal}, c.Mode) {
		errs = append(errs, fmt.Errorf("mode %q must be strict, balanced or minimal", c.Mode))
	}
	if !slices.Contains([]string{"", DefaultPolicyOptIn, DefaultPolicyOptOut}, c.DefaultPolicy) {
		errs = append(errs, fmt.Errorf("default_policy %q must be opt_in, opt_out or empty (from mode)", c.DefaultPolicy))
	}
	if c.MaxEntries <= 0 {
		errs = append(errs, errors.New("max_entries must be positive"))
	}
	errs = append(errs, c.Storage.Validate(), c.Sync.validate())
	return errors.Join(errs...)
}

// policy is the effective default policy.
func (c *Config) policy() Policy {
	switch {
	case c.DefaultPolicy == DefaultPolicyOptIn:
		return PolicyOptIn
	case c.DefaultPolicy == DefaultPolicyOptOut:
		return PolicyOptOut
	case c.Mode == ModeStrict:
		return PolicyOptIn
	}
	return PolicyOptOut
}

func (s *SyncConfig) validate() error {
	var errs []error
	if s.RefreshInterval <= 0 {
		errs = append(errs, errors.New("sync::refresh_interval must be positive"))
	}
	if s.Lookback < 0 {
		errs = append(errs, errors.New("sync::lookback must not be negative"))
	}
	if s.FullReloadInterval < 0 {
		errs = append(errs, errors.New("sync::full_reload_interval must not be negative (0 disables)"))
	} else if s.FullReloadInterval > 0 && s.FullReloadInterval < s.RefreshInterval {
		errs = append(errs, fmt.Errorf("sync::full_reload_interval (%s) must not be shorter than sync::refresh_interval (%s)", s.FullReloadInterval, s.RefreshInterval))
	}
	return errors.Join(errs...)
}
