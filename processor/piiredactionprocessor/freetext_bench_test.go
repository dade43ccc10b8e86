package piiredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

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
			p := newTestProcessor(b, cfg)
			src := benchLogs()
			ld := plog.NewLogs()
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				src.CopyTo(ld)
				b.StartTimer()
				if _, err := p.processLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatch), "ns/record")
		})
	}
}
