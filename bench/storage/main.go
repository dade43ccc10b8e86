// Command storage writes the same generated logs and spans through this project's telemetry_storage
// exporter and through contrib's clickhouse exporter into one ClickHouse, and prints the rows/s of
// each and their ratio. bench/storage/run.sh starts a fresh embedded engine and runs it.
//
//	go run ./bench/storage -endpoint http://127.0.0.1:8123 [-logs 200000] [-spans 200000] [-batch 5000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:8123", "ClickHouse HTTP endpoint both exporters write to")
	logs := flag.Int("logs", 200000, "log records per exporter (half of them events)")
	spans := flag.Int("spans", 200000, "spans per exporter")
	batch := flag.Int("batch", 5000, "records per ConsumeLogs/ConsumeTraces call")
	rounds := flag.Int("rounds", 20, "the data is written in this many rounds, each exporter in turn, the one going first alternating; many short rounds spread load changes on a busy machine over both exporters")
	writers := flag.Int("writers", 1, "concurrent ConsumeX calls per exporter")
	async := flag.Bool("async-insert", false, "async_insert for both exporters")
	flag.Parse()
	if err := run(*endpoint, *logs, *spans, *batch, *rounds, *writers, *async); err != nil {
		fmt.Fprintln(os.Stderr, "bench/storage:", err)
		os.Exit(1)
	}
}

type result struct {
	rows    int
	elapsed time.Duration
}

func (r result) rate() float64 { return float64(r.rows) / r.elapsed.Seconds() }

func run(endpoint string, logs, spans, batch, rounds, writers int, async bool) error {
	ctx := context.Background()
	now := time.Now()
	logBatches := genLogs(logs, batch, now)
	spanBatches := genTraces(spans, batch, now)
	warmLogs, warmSpans := genLogs(batch, batch, now), genTraces(batch, batch, now)

	// A fresh database each run, so the row counts checked at the end are this run's.
	for _, db := range []string{oursDatabase, contribDatabase} {
		if err := execSQL(endpoint, "DROP DATABASE IF EXISTS `"+db+"`"); err != nil {
			return err
		}
	}
	cands, err := newCandidates(ctx, endpoint, async)
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range cands {
			c.shutdown(ctx)
		}
	}()
	// One batch each before timing: connections, schema caches and the engine's first-insert
	// work are not part of the steady state.
	for _, c := range cands {
		if err := c.logs.ConsumeLogs(ctx, warmLogs[0]); err != nil {
			return fmt.Errorf("%s warm-up: %w", c.name, err)
		}
		if err := c.traces.ConsumeTraces(ctx, warmSpans[0]); err != nil {
			return fmt.Errorf("%s warm-up: %w", c.name, err)
		}
	}

	logRes := make([]result, len(cands))
	spanRes := make([]result, len(cands))
	for r := range rounds {
		lb, sb := part(logBatches, r, rounds), part(spanBatches, r, rounds)
		for k := range cands {
			i := (k + r) % len(cands) // alternate who goes first
			c := cands[i]
			res, err := consume(lb, writers, func(ld plog.Logs) error { return c.logs.ConsumeLogs(ctx, ld) },
				func(ld plog.Logs) int { return ld.LogRecordCount() })
			if err != nil {
				return fmt.Errorf("%s logs: %w", c.name, err)
			}
			logRes[i].rows += res.rows
			logRes[i].elapsed += res.elapsed
			res, err = consume(sb, writers, func(td ptrace.Traces) error { return c.traces.ConsumeTraces(ctx, td) },
				func(td ptrace.Traces) int { return td.SpanCount() })
			if err != nil {
				return fmt.Errorf("%s traces: %w", c.name, err)
			}
			spanRes[i].rows += res.rows
			spanRes[i].elapsed += res.elapsed
		}
	}

	// Every record written must be in the tables: a fast exporter that drops rows would win.
	var errs []error
	for _, c := range cands {
		errs = append(errs,
			verify(endpoint, c.database, c.logTables, logs+batch),
			verify(endpoint, c.database, c.spanTables, spans+batch))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	fmt.Printf("%d log records and %d spans per exporter, %d records per call, %d writer(s), %d round(s), async_insert=%t, lz4\n",
		logs, spans, batch, writers, rounds, async)
	fmt.Printf("%-8s %-22s %9s %9s %11s\n", "signal", "exporter", "rows", "seconds", "rows/s")
	for _, s := range []struct {
		name string
		res  []result
	}{{"logs", logRes}, {"spans", spanRes}} {
		for i, c := range cands {
			fmt.Printf("%-8s %-22s %9d %9.2f %11.0f\n", s.name, c.name, s.res[i].rows, s.res[i].elapsed.Seconds(), s.res[i].rate())
		}
	}
	total := func(i int) float64 {
		return float64(logRes[i].rows+spanRes[i].rows) / (logRes[i].elapsed + spanRes[i].elapsed).Seconds()
	}
	fmt.Printf("ratio %s / %s: logs %.2fx, spans %.2fx, all %.2fx\n", cands[0].name, cands[1].name,
		logRes[0].rate()/logRes[1].rate(), spanRes[0].rate()/spanRes[1].rate(), total(0)/total(1))
	return nil
}

// part is the r-th of n consecutive slices of all.
func part[T any](all []T, r, n int) []T {
	return all[r*len(all)/n : (r+1)*len(all)/n]
}

// consume sends every batch through send with the given number of concurrent writers and returns
// the rows sent and the wall time until the last call returned.
func consume[T any](batches []T, writers int, send func(T) error, rows func(T) int) (result, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan T)
	)
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				if err := send(b); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	n := 0
	for _, b := range batches {
		next <- b
		n += rows(b)
	}
	close(next)
	wg.Wait()
	return result{rows: n, elapsed: time.Since(start)}, first
}

// query runs q over the HTTP interface and returns the plain-text answer.
func query(endpoint, q string) (string, error) {
	resp, err := http.Post(strings.TrimRight(endpoint, "/")+"/", "text/plain", strings.NewReader(q))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", q, body)
	}
	return strings.TrimSpace(string(body)), nil
}

func execSQL(endpoint, q string) error {
	_, err := query(endpoint, q)
	return err
}

// verify checks that tables of database hold want rows in total.
func verify(endpoint, database string, tables []string, want int) error {
	var parts []string
	for _, t := range tables {
		parts = append(parts, fmt.Sprintf("(SELECT count() FROM `%s`.`%s`)", database, t))
	}
	q := "SELECT " + strings.Join(parts, " + ")
	body, err := query(endpoint, q)
	if err != nil {
		return err
	}
	got, err := strconv.Atoi(body)
	if err != nil {
		return fmt.Errorf("%s: %q: %w", q, body, err)
	}
	if got != want {
		return fmt.Errorf("%s.%v holds %d rows, want %d", database, tables, got, want)
	}
	return nil
}
