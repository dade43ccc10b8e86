package consentprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor"

import (
	"errors"
	"fmt"
	"slices"

	"go.opentelemetry.io/collector/component"
)

// Actions for data whose user has not consented.
const (
	ActionDrop      = "drop"
	ActionAnonymize = "anonymize"
)

// Config of the consent processor.
type Config struct {
	// ConsentExtension is the consent extension holding the store. Default consent.
	ConsentExtension component.ID `mapstructure:"consent_extension"`
	// Enabled false drops every record (TELEMETRY_ENABLED=false), counted with reason disabled.
	// Default true.
	Enabled bool `mapstructure:"enabled"`
	// Action for records whose user has not consented: drop, or anonymize (remove user_id_keys and
	// anonymize_keys from the record, and from its resource when the user id is there; keep the
	// rest). Default drop.
	Action string `mapstructure:"action"`
	// UserIDKeys are the attributes holding the user id, tried in order on the record (span, data
	// point, log record) and then on its resource. A record without any is anonymous and passes.
	// Default [user.id, enduser.id] (user.id is what the events receiver sets).
	UserIDKeys []string `mapstructure:"user_id_keys"`
	// AnonymizeKeys are removed as well when anonymizing. Default [session.id, client.address,
	// user.email, user.name, user.full_name, enduser.pseudo.id].
	AnonymizeKeys []string `mapstructure:"anonymize_keys"`
	// Purposes maps records to consent purposes.
	Purposes PurposesConfig `mapstructure:"purposes"`
}

// PurposesConfig maps each record to one purpose of the consent extension.
type PurposesConfig struct {
	// Traces is the purpose of spans. Default performance.
	Traces string `mapstructure:"traces"`
	// Metrics is the purpose of data points. Default performance.
	Metrics string `mapstructure:"metrics"`
	// Logs is the purpose of log records without an event name. Default diagnostics.
	Logs string `mapstructure:"logs"`
	// Events is the purpose of log records with an event name (the EventName field or the
	// event.name attribute): product events. Default analytics.
	Events string `mapstructure:"events"`
	// EventPrefixes give events whose name starts with a prefix another purpose; the longest
	// matching prefix wins. Default none.
	EventPrefixes []EventPrefix `mapstructure:"event_prefixes"`
}

// EventPrefix maps event names starting with Prefix to Purpose.
type EventPrefix struct {
	Prefix  string `mapstructure:"prefix"`
	Purpose string `mapstructure:"purpose"`
}

func createDefaultConfig() *Config {
	return &Config{
		ConsentExtension: component.MustNewID("consent"),
		Enabled:          true,
		Action:           ActionDrop,
		UserIDKeys:       []string{"user.id", "enduser.id"},
		AnonymizeKeys:    []string{"session.id", "client.address", "user.email", "user.name", "user.full_name", "enduser.pseudo.id"},
		Purposes: PurposesConfig{
			Traces:  "performance",
			Metrics: "performance",
			Logs:    "diagnostics",
			Events:  "analytics",
		},
	}
}

// Validate reports every problem at once, naming the YAML key. Whether the purposes exist is
// checked at start against the consent extension.
func (c *Config) Validate() error {
	var errs []error
	if !slices.Contains([]string{ActionDrop, ActionAnonymize}, c.Action) {
		errs = append(errs, fmt.Errorf("action %q must be drop or anonymize", c.Action))
	}
	if len(c.UserIDKeys) == 0 {
		errs = append(errs, errors.New("user_id_keys must list at least one attribute key"))
	}
	for i, k := range c.UserIDKeys {
		if k == "" {
			errs = append(errs, fmt.Errorf("user_id_keys[%d] must not be empty", i))
		}
	}
	for i, k := range c.AnonymizeKeys {
		if k == "" {
			errs = append(errs, fmt.Errorf("anonymize_keys[%d] must not be empty", i))
		}
	}
	for _, p := range []struct{ key, v string }{
		{"purposes::traces", c.Purposes.Traces}, {"purposes::metrics", c.Purposes.Metrics},
		{"purposes::logs", c.Purposes.Logs}, {"purposes::events", c.Purposes.Events},
	} {
		if p.v == "" {
			errs = append(errs, fmt.Errorf("%s must name a purpose", p.key))
		}
	}
	seen := map[string]bool{}
	for i, ep := range c.Purposes.EventPrefixes {
		at := fmt.Sprintf("purposes::event_prefixes[%d]", i)
		if ep.Prefix == "" {
			errs = append(errs, fmt.Errorf("%s::prefix must not be empty", at))
		} else if seen[ep.Prefix] {
			errs = append(errs, fmt.Errorf("%s::prefix %q is listed twice", at, ep.Prefix))
		}
		seen[ep.Prefix] = true
		if ep.Purpose == "" {
			errs = append(errs, fmt.Errorf("%s::purpose must name a purpose", at))
		}
	}
	return errors.Join(errs...)
}
