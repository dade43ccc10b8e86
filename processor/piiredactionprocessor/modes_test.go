package piiredactionprocessor

import (
	"os"
	"strings"
	"testing"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// TestModesTableInReadme keeps the README's modes table equal to the code.
func TestModesTableInReadme(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) != 4 {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[0]), "`")
		// The modes table comes first; later four-column tables that name
		// detectors (figures) are not it.
		if _, seen := rows[name]; !seen {
			if _, ok := detect.ByName(name); ok {
				rows[name] = cells[1:]
			}
		}
	}
	modes := []Mode{ModeStrict, ModeBalanced, ModeMinimal}
	for _, name := range detect.Names() {
		cells, ok := rows[name]
		if !ok {
			t.Errorf("README modes table has no row for %s", name)
			continue
		}
		for i, m := range modes {
			cfg := createDefaultConfig()
			cfg.Mode = m
			want := string(ruleAction(cfg, name))
			got := strings.Fields(strings.TrimSpace(cells[i]))[0]
			if got != want {
				t.Errorf("README %s/%s = %q, code says %q", name, m, got, want)
			}
		}
	}
	// The ip row documents the anonymize_ips: false fallback.
	cfg := createDefaultConfig()
	cfg.AnonymizeIPs = false
	if a := ruleAction(cfg, "ip"); a != ActionRedact {
		t.Errorf("strict ip without anonymize_ips = %s, README says redact", a)
	}
}
