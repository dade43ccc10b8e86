package main

import (
	"context"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

const benchBatch = 5000

// The same comparison as the load program as Go benchmarks, for ns/op and allocs/op of each
// exporter per 5000-record call (conversion, encoding and the INSERT round trip):
//
//	BENCH_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123 go test ./bench/storage -bench . -benchmem
//
// bench/storage/run.sh runs them against the engine it starts.
func BenchmarkExporters(b *testing.B) {
	endpoint := os.Getenv("BENCH_CLICKHOUSE_ENDPOINT")
	if endpoint == "" {
		b.Skip("BENCH_CLICKHOUSE_ENDPOINT is not set (bench/storage/run.sh sets it)")
	}
	ctx := context.Background()
	for _, db := range []string{oursDatabase, contribDatabase} {
		if err := execSQL(endpoint, "DROP DATABASE IF EXISTS `"+db+"`"); err != nil {
			b.Fatal(err)
		}
	}
	cands, err := newCandidates(ctx, endpoint, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		for _, c := range cands {
			c.shutdown(ctx)
		}
	})
	const batch = benchBatch
	now := time.Now()
	logs, spans := genLogs(10*batch, batch, now), genTraces(10*batch, batch, now)
	for _, c := range cands {
		b.Run("logs/"+c.name, func(b *testing.B) {
			benchSend(b, logs, func(ld plog.Logs) error { return c.logs.ConsumeLogs(ctx, ld) })
		})
		b.Run("spans/"+c.name, func(b *testing.B) {
			benchSend(b, spans, func(td ptrace.Traces) error { return c.traces.ConsumeTraces(ctx, td) })
		})
	}
}

func benchSend[T any](b *testing.B, batches []T, send func(T) error) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := send(batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i*benchBatch)/b.Elapsed().Seconds(), "rows/s")
}
