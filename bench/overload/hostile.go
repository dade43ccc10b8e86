package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

var (
	hostile     = flag.Bool("hostile", true, "first send the hostile requests of issue 20: 1,000,000 empty log records in one OTLP/HTTP JSON request, alone and three at once, then three of the largest request the limits admit")
	hostileOnly = flag.Bool("hostile-only", false, "run only the hostile requests (about 1 minute), not the load phases")
	hostileN    = flag.Int("hostile-records", 1_000_000, "empty log records in each hostile request")
	admittedN   = flag.Int("admitted-records", 99_998, "empty log records in each admitted request: max_records_per_request (100000) counts the resource and the scope too")
)

// emptyRecords is the held-out run's request: n log records `{}`, 3 bytes each.
func emptyRecords(n int) []byte {
	var b bytes.Buffer
	b.Grow(3*n + 64)
	b.WriteString(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"hostile"}}]},"scopeLogs":[{"logRecords":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString(`]}]}]}`)
	return b.Bytes()
}

// postConcurrently sends body k times at once to OTLP/HTTP /v1/logs and returns each answer.
func postConcurrently(addr string, body []byte, k int) []string {
	out := make([]string, k)
	var wg sync.WaitGroup
	for i := range k {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/logs", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+apiKey)
			start := time.Now()
			resp, err := (&http.Client{Timeout: 120 * time.Second}).Do(req)
			if err != nil {
				out[i] = "error: " + err.Error()
				return
			}
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			resp.Body.Close()
			out[i] = fmt.Sprintf("%d in %s %s", resp.StatusCode, time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(msg)))
		}()
	}
	wg.Wait()
	return out
}

func storedLogs(engine string) (uint64, error) {
	conn, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{strings.TrimPrefix(engine, "http://")},
		Auth: clickhouse.Auth{Database: "overload", Username: "default"}})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n uint64
	err = conn.QueryRow(context.Background(), "SELECT count() FROM telemetry_logs WHERE service_name = 'hostile'").Scan(&n)
	return n, err
}

// hostileRequests: the 1M-empty-records request alone and three at once, then three requests at
// the records limit at once (admitted, stored); the peak RSS of each step against limit_mib.
func hostileRequests(g *gateway, engine string, mon *monitor) (allUnder bool, err error) {
	fmt.Printf("\n0. hostile requests (OTLP/HTTP JSON, %d empty log records = %.1f MB each)\n", *hostileN, float64(len(emptyRecords(*hostileN)))/1e6)
	big := emptyRecords(*hostileN)
	mon.phase()
	allUnder = true
	step := func(what string, body []byte, k int) {
		for i, a := range postConcurrently(g.httpAddr, body, k) {
			fmt.Printf("   %s #%d: %s\n", what, i+1, a)
		}
		time.Sleep(2 * time.Second) // the monitor samples every 100 ms; let the step's memory show
		allUnder = printPhasePeaks(mon, what) && allUnder
	}
	step("one request", big, 1)
	step("three at once", big, 3)
	admitted := emptyRecords(*admittedN)
	before, err := storedLogs(engine)
	if err != nil {
		return false, err
	}
	for i, a := range postConcurrently(g.httpAddr, admitted, 3) {
		fmt.Printf("   three admitted requests of %d records #%d: %s\n", *admittedN, i+1, a)
	}
	want := before + 3*uint64(*admittedN)
	deadline := time.Now().Add(120 * time.Second)
	n := before
	for n < want && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		if n, err = storedLogs(engine); err != nil {
			return false, err
		}
	}
	fmt.Printf("   stored %d of the %d admitted records\n", n-before, 3*uint64(*admittedN))
	allUnder = printPhasePeaks(mon, fmt.Sprintf("three admitted requests of %d records, until stored", *admittedN)) && allUnder
	select {
	case <-g.done:
		fmt.Println("   the gateway DIED")
		return false, nil
	default:
		fmt.Println("   the gateway is alive")
	}
	return allUnder, nil
}
