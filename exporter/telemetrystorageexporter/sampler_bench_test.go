package telemetrystorageexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkSamplerRun is what one decision run of the in-ClickHouse sampler costs the collector
// (CPU of this process per run; the engine works in its own), with telemetry_spans_staging empty
// ("idle") and with a batch of 1000 spans staged before each run ("busy"). The runs happen every
// sampling::interval (1 s) whatever the load, so this is the sampler's fixed cost per second.
func BenchmarkSamplerRun(b *testing.B) {
	endpoint := requireClickHouse(b)
	td := genTraces(benchRecords)
	for _, busy := range []bool{false, true} {
		name := "idle"
		if busy {
			name = "busy"
		}
		b.Run(name, func(b *testing.B) {
			cfg := createDefaultConfig()
			cfg.Endpoint = endpoint
			cfg.Database = fmt.Sprintf("bench_sampler_%s_%d", name, time.Now().UnixNano()%1_000_000)
			cfg.Retention = 0
			cfg.Sampling.Enabled = true
			cfg.Sampling.Rate = 0.1
			cfg.Sampling.DecisionWait = time.Millisecond
			cfg.Sampling.Interval = time.Minute // runs only when the benchmark calls them
			cfg.Sampling.Instance = "bench"
			st := startBenchStorage(b, cfg)
			e := &signalExporter{st: st}
			s, err := newSampler(st)
			require.NoError(b, err)
			ctx := context.Background()
			require.NoError(b, s.run(ctx, true)) // the first run after a start reads the last decision
			var cpu time.Duration
			b.ReportAllocs()
			for b.Loop() {
				if busy {
					b.StopTimer()
					require.NoError(b, e.pushTraces(ctx, td))
					b.StartTimer()
				}
				c0 := processCPU(b)
				require.NoError(b, s.run(ctx, true))
				cpu += processCPU(b) - c0
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/run")
		})
	}
}
