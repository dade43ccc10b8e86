package piiredactionprocessor

import "testing"

// BenchmarkNameAddressCost measures what person_name and postal_address add
// to the strict processor on the project's bench batch (benchLogs: realistic
// attributes and bodies, 10 % with PII): the same batch with the two
// detectors on (the strict default) and switched off by actions.
func BenchmarkNameAddressCost(b *testing.B) {
	for _, on := range []bool{true, false} {
		name := "on"
		cfg := strictCfg()
		if !on {
			name = "off"
			cfg.Actions = map[string]Action{"person_name": ActionKeep, "postal_address": ActionKeep}
		}
		b.Run(name, func(b *testing.B) { benchProcessLogs(b, cfg) })
	}
}
