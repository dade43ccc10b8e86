package piiredactionprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

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
		b.Run(name, func(b *testing.B) {
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
