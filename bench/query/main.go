// Command query measures the query API of telemetry_query against the same queries written by
// hand in SQL, on the same engine and data: it loads -points metric points (and -events events) into
// the database of a running collector, then times each endpoint and its hand-written SQL
// (interleaved, median of -runs) and an export's rows/s and the collector's memory.
// bench/query/run.sh starts a fresh embedded engine and the built collector and runs it.
//
//	go run ./bench/query -engine http://127.0.0.1:8123 -api http://127.0.0.1:8080 -key KEY -database telemetry -pid PID
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	engine := flag.String("engine", "http://127.0.0.1:8123", "ClickHouse HTTP endpoint the collector reads")
	api := flag.String("api", "http://127.0.0.1:8080", "the collector's telemetry API")
	key := flag.String("key", "", "an API key with the analyst role (the bootstrap admin key will do)")
	database := flag.String("database", "telemetry", "the collector's database")
	points := flag.Int("points", 10_000_000, "metric points to load")
	events := flag.Int("events", 1_000_000, "events to load")
	runs := flag.Int("runs", 5, "timed runs of each query (median reported)")
	exportRows := flag.Int("export-rows", 1_000_000, "rows of the timed export")
	pid := flag.Int("pid", 0, "the collector's pid, to report its memory during the export")
	skipLoad := flag.Bool("skip-load", false, "the data is loaded already")
	flag.Parse()
	b := &bench{engine: *engine, api: strings.TrimSuffix(*api, "/") + "/api/v1/telemetry", key: *key, db: *database, pid: *pid}
	if err := b.run(*points, *events, *runs, *exportRows, *skipLoad); err != nil {
		fmt.Fprintln(os.Stderr, "bench/query:", err)
		os.Exit(1)
	}
}

type bench struct {
	engine, api, key, db string
	pid                  int
	start, end           time.Time
}

// The data spans 7 days ending at the last full hour; every query reads all of it.
const span = 7 * 24 * time.Hour

func (b *bench) run(points, events, runs, exportRows int, skipLoad bool) error {
	b.end = time.Now().UTC().Truncate(time.Hour)
	b.start = b.end.Add(-span)
	if !skipLoad {
		t0 := time.Now()
		if err := b.load(points, events); err != nil {
			return err
		}
		fmt.Printf("loaded %d points and %d events in %s\n", points, events, time.Since(t0).Round(time.Millisecond))
	}
	var n uint64
	if err := b.sqlScalar("SELECT count() FROM "+b.table("telemetry_metrics")+" WHERE tenant_id = 'default' AND metric_name = 'api_requests'", &n); err != nil {
		return err
	}
	fmt.Printf("telemetry_metrics: %d points of api_requests (5 services x 20 endpoints, %s)\n\n", n, span)

	s, e := b.start.UnixMilli(), b.end.UnixMilli()
	rangeSQL := fmt.Sprintf("tenant_id = 'default' AND timestamp >= fromUnixTimestamp64Milli(%d) AND timestamp < fromUnixTimestamp64Milli(%d)", s, e)
	metricSQL := rangeSQL + " AND metric_name = 'api_requests' AND metric_type = 'sum'"
	rng := fmt.Sprintf("&start_time=%d&end_time=%d", s, e)
	cases := []struct{ name, path, sql string }{
		{
			"aggregate sum by endpoint, 1h (20 groups, top 25)",
			"/metrics/aggregate?metric_name=api_requests&aggregation=sum&group_by=endpoint&interval=1h" + rng,
			"SELECT toInt64(toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL 1 HOUR, 'UTC'))) * 1000 AS b, attributes['endpoint'] AS g, sum(value) FROM " +
				b.table("telemetry_metrics") + " WHERE " + metricSQL + " GROUP BY b, g ORDER BY g, b",
		},
		{
			"aggregate rate, auto interval, no groups",
			"/metrics/aggregate?metric_name=api_requests&aggregation=rate&interval=auto" + rng,
			"SELECT toInt64(toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL 1 HOUR, 'UTC'))) * 1000 AS b, sum(value) / 3600 FROM " +
				b.table("telemetry_metrics") + " WHERE " + metricSQL + " GROUP BY b ORDER BY b",
		},
		{
			"aggregate sum by endpoint, top 5 + other, all",
			"/metrics/aggregate?metric_name=api_requests&aggregation=sum&group_by=endpoint&interval=all&limit=5" + rng,
			"WITH top AS (SELECT attributes['endpoint'] AS g FROM " + b.table("telemetry_metrics") + " WHERE " + metricSQL +
				" GROUP BY g ORDER BY sum(value) DESC LIMIT 5) SELECT if(attributes['endpoint'] IN top, attributes['endpoint'], '') AS g, sum(value) FROM " +
				b.table("telemetry_metrics") + " WHERE " + metricSQL + " GROUP BY g",
		},
		{
			"events unique users per event name, 1d",
			"/metrics/aggregate?source=events&aggregation=unique_users&group_by=event_name&interval=1d" + rng,
			"SELECT toInt64(toUnixTimestamp(toDateTime(toStartOfInterval(timestamp, INTERVAL 1 DAY, 'UTC'), 'UTC'))) * 1000 AS b, event_name AS g, uniqExactIf(user_id, user_id != '') FROM " +
				b.table("telemetry_events") + " WHERE " + rangeSQL + " GROUP BY b, g ORDER BY g, b",
		},
		{
			"raw points, one page of 10000",
			"/metrics?metric_names=api_requests&limit=10000" + rng,
			"SELECT metric_name, metric_type, temporality, metric_unit, service_name, attributes, cityHash64(attributes) AS ah, timestamp, value, count FROM " +
				b.table("telemetry_metrics") + " WHERE " + rangeSQL + " AND metric_name IN ('api_requests') ORDER BY metric_name, service_name, ah, timestamp, value LIMIT 10001",
		},
	}
	fmt.Printf("%-52s %12s %12s %7s\n", "query (median of "+strconv.Itoa(runs)+")", "API", "SQL", "ratio")
	for _, c := range cases {
		// One untimed run each: caches and connections warm.
		if _, err := b.get(c.path, nil); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if _, err := b.sql(c.sql); err != nil {
			return fmt.Errorf("%s SQL: %w", c.name, err)
		}
		var apiT, sqlT []time.Duration
		for range runs {
			t0 := time.Now()
			if _, err := b.get(c.path, nil); err != nil {
				return err
			}
			apiT = append(apiT, time.Since(t0))
			t0 = time.Now()
			if _, err := b.sql(c.sql); err != nil {
				return err
			}
			sqlT = append(sqlT, time.Since(t0))
		}
		a, q := median(apiT), median(sqlT)
		fmt.Printf("%-52s %12s %12s %6.2fx\n", c.name, a.Round(100*time.Microsecond), q.Round(100*time.Microsecond), a.Seconds()/q.Seconds())
	}
	return b.export(exportRows, rng)
}

// export times a CSV export of up to rows rows and samples the collector's resident memory.
func (b *bench) export(rows int, rng string) error {
	fmt.Println()
	for _, n := range []int{rows / 10, rows} {
		before := b.rss()
		peak := before
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			tk := time.NewTicker(20 * time.Millisecond)
			defer tk.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tk.C:
					peak = max(peak, b.rss())
				}
			}
		}()
		t0 := time.Now()
		var hdr http.Header
		lines, err := b.get("/metrics/export?metric_names=api_requests&format=csv&max_rows="+strconv.Itoa(n)+rng, &hdr)
		el := time.Since(t0)
		close(stop)
		<-done
		if err != nil {
			return err
		}
		fmt.Printf("export csv %8d rows: %6.0f rows/s (%s), truncated=%s of %s; collector RSS %d MiB before, peak %d MiB\n",
			lines-1, float64(lines-1)/el.Seconds(), el.Round(time.Millisecond), hdr.Get("X-Export-Truncated"),
			hdr.Get("X-Export-Total-Rows"), before>>20, peak>>20)
	}
	return nil
}

// rss is the collector's resident set in bytes (0 without -pid).
func (b *bench) rss() int64 {
	if b.pid == 0 {
		return 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", b.pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (b *bench) table(name string) string { return "`" + b.db + "`.`" + name + "`" }

// load inserts points (api_requests, delta sum) and events spread over the span, in chunks.
func (b *bench) load(points, events int) error {
	s, e := b.start.UnixMilli(), b.end.UnixMilli()
	const chunk = 2_000_000
	for off := 0; off < points; off += chunk {
		n := min(chunk, points-off)
		q := fmt.Sprintf(`INSERT INTO %s (tenant_id, timestamp, start_timestamp, metric_name, metric_type, temporality, is_monotonic,
			service_name, attributes, value)
			SELECT 'default', fromUnixTimestamp64Milli(toInt64(%d + intDiv((number + %d) * %d, %d))), fromUnixTimestamp64Milli(toInt64(%d)),
				'api_requests', 'sum', 'delta', true, concat('svc-', toString(number %% 5)),
				map('endpoint', concat('/api/e', toString(number %% 20))), toFloat64(number %% 100)
			FROM numbers(%d)`, b.table("telemetry_metrics"), s, off, e-s, points, s, n)
		if _, err := b.sql(q); err != nil {
			return fmt.Errorf("load points: %w", err)
		}
	}
	if events > 0 {
		q := fmt.Sprintf(`INSERT INTO %s (tenant_id, timestamp, observed_timestamp, event_name, user_id, service_name, attributes)
			SELECT 'default', fromUnixTimestamp64Milli(toInt64(%d + intDiv(number * %d, %d))), now64(9),
				concat('event_', toString(number %% 12)), toString(cityHash64(number %% 50000)), 'web', map('plan', if(number %% 3 = 0, 'pro', 'free'))
			FROM numbers(%d)`, b.table("telemetry_events"), s, e-s, events, events)
		if _, err := b.sql(q); err != nil {
			return fmt.Errorf("load events: %w", err)
		}
	}
	return nil
}

// get calls the API and returns the number of lines of the body (drained).
func (b *bench) get(path string, hdr *http.Header) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.api+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+b.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	lines, err := countLines(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if hdr != nil {
		*hdr = resp.Header
	}
	return lines, nil
}

// sql runs q on the engine (FORMAT JSONCompact for SELECTs) and drains the answer.
func (b *bench) sql(q string) (int, error) {
	if !strings.HasPrefix(q, "INSERT") {
		q += " FORMAT JSONCompact"
	}
	resp, err := http.Post(b.engine+"/?"+url.Values{"database": {b.db}}.Encode(), "text/plain", strings.NewReader(q))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
	}
	return countLines(resp.Body)
}

func (b *bench) sqlScalar(q string, out *uint64) error {
	resp, err := http.Post(b.engine+"/", "text/plain", strings.NewReader(q))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	*out, err = strconv.ParseUint(strings.TrimSpace(string(raw)), 10, 64)
	return err
}

func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
