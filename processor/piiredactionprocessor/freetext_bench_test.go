package piiredactionprocessor

import "testing"

// BenchmarkLogsFreeTextShare: the strict logs batch of BenchmarkLogs with all detectors, with each
// free-text corpus detector (issue 25) turned off in turn, and with all of them off, so the cost
// of each one on realistic records is the difference to "all".
func BenchmarkLogsFreeTextShare(b *testing.B) {
	seen := map[string]bool{}
	var dets []string
	for _, c := range loadFreeText(b) {
		if !seen[c.detector] {
			seen[c.detector] = true
			dets = append(dets, c.detector)
		}
	}
	variants := []struct {
		name string
		off  []string
	}{{"all", nil}, {"without_all_freetext", dets}}
	for _, d := range dets {
		variants = append(variants, struct {
			name string
			off  []string
		}{"without_" + d, []string{d}})
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			cfg := benchCfg(ModeStrict)
			cfg.Actions = map[string]Action{}
			for _, d := range v.off {
				cfg.Actions[d] = ActionKeep
			}
			benchProcessLogs(b, cfg)
		})
	}
}
