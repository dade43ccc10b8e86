package piiredactionprocessor

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/configtest"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := configtest.Unmarshal(t, metadata.Type, name, cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func TestConfigStruct(t *testing.T) {
	if err := componenttest.CheckConfigStruct(createDefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if err := createDefaultConfig().Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
}

func TestLoadConfig(t *testing.T) {
	cfg, err := loadConfig(t, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != ModeStrict || cfg.HashIdentifiers || !cfg.AnonymizeIPs || cfg.Summary != SummarySilent || cfg.PIIFieldsAction != ActionRemove {
		t.Fatalf("defaults: %+v", cfg)
	}

	cfg, err = loadConfig(t, "spec")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.PIIFields, ",") != "email,phone,ssn" || !cfg.HashIdentifiers || string(cfg.HashKey) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("spec: %+v", cfg)
	}

	cfg, err = loadConfig(t, "balanced")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mode != ModeBalanced || cfg.PIIFieldsAction != ActionHash || cfg.Actions["ip"] != ActionAnonymize ||
		cfg.Summary != SummaryDebug || len(cfg.AllowedKeys) != 2 || len(cfg.AttributeAllowlist) != 2 {
		t.Fatalf("balanced: %+v", cfg)
	}

	// minimal ignores hash_identifiers, so no key is needed.
	if _, err = loadConfig(t, "minimal"); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	f := func(name string, wants ...string) {
		t.Helper()
		_, err := loadConfig(t, name)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", name, err, w)
			}
		}
	}
	f("bad_mode", "mode:", "paranoid")
	f("short_key", "hash_key:", "TELEMETRY_HASH_KEY")
	f("bad_actions", "actions.email: anonymize is only valid", `actions: unknown detector "nope"`,
		`actions.jwt: "shred"`, "summary:", "pii_fields_action:", "pii_fields[1]: empty key",
		"attribute_allowlist[1]: empty key")
}

func TestConfigHashKeyNeverPrinted(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.HashIdentifiers = true
	cfg.HashKey = "short-secret-value"
	err := cfg.Validate()
	if err == nil || strings.Contains(err.Error(), "short-secret-value") {
		t.Fatalf("want an error that does not print the key, got %v", err)
	}
}
