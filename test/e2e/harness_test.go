// Package e2e runs the built collector binary against the embedded ClickHouse engine, the way a user
// runs them: the real config/local.yaml, environment variables, OTLP from the OpenTelemetry Go SDK.
//
// One engine serves the whole package (it takes about a second and 200 MB to start); every test gets
// its own database and its own collector on free ports.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"
)

var (
	repoRoot     string
	collectorBin string
	engineURL    string // http://127.0.0.1:PORT of the shared embedded engine
)

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Join(filepath.Dir(file), "..", "..")
	collectorBin = os.Getenv("OTELCOL_TELEMETRY_BIN")
	if collectorBin == "" || os.Getenv("CLICKHOUSE_EMBEDDED_BIN") == "" {
		if os.Getenv("TELEMETRY_E2E") != "" {
			fmt.Fprintln(os.Stderr, "TELEMETRY_E2E is set but OTELCOL_TELEMETRY_BIN or CLICKHOUSE_EMBEDDED_BIN is not: run `make test`")
			os.Exit(1)
		}
		fmt.Println("e2e: skipped; run through `make test` (needs the built collector and engine)")
		os.Exit(0)
	}
	shared, err := chtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the embedded ClickHouse engine:", err)
		os.Exit(1)
	}
	engineURL = shared.Endpoint
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

// startTestEngine starts a private engine that the test may stop (Signal) and Restart on the same
// directory and address; the shared one stays up for everyone else. It is stopped when the test ends.
func startTestEngine(t *testing.T) *chtest.Engine {
	t.Helper()
	e, err := chtest.StartAt(t.TempDir(), "")
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// testHashKey is the identifier-hashing key every test collector gets.
const testHashKey = "e2e-hash-key-0123456789abcdef0123456789"

// testAPIKey is the bootstrap key (admin of the default tenant) of every test collector; clients
// present it for OTLP and API calls.
const testAPIKey = "e2e-bootstrap-key-0123456789"

// testAgentKey is TELEMETRY_AGENT_API_KEY of every test collector: the ingest-only key fleet
// gateways (deploy/gateway.yaml) register for their agents and the agents forward with.
const testAgentKey = "e2e-agent-ingest-key-0123456789"

// authHeaders are what an OTLP client of a test collector sends.
func authHeaders() map[string]string {
	return map[string]string{"Authorization": "Bearer " + testAPIKey}
}

// collector is one running otelcol-telemetry process.
type collector struct {
	t        *testing.T
	cmd      *exec.Cmd
	logs     *syncBuffer
	done     chan struct{}
	database string
	endpoint string // the engine this collector writes to
	otlpHTTP string // host:port
	otlpGRPC string
	health   string
	promExp  string
	selfMet  string
	api      string // host:port of the telemetry API
}

// collectorOptions adjusts one collector start; env adds or overrides TELEMETRY_* variables
// (TELEMETRY_CLICKHOUSE_ENDPOINT and TELEMETRY_CLICKHOUSE_DATABASE also redirect c.db()).
type collectorOptions struct {
	config string // relative to the repo root; default config/local.yaml
	env    map[string]string
	args   []string // extra command-line arguments, e.g. --set overrides
}

// startCollector runs the built binary with its own database and free ports and waits until its
// health check says it is ready. The process is stopped when the test ends.
func startCollector(t *testing.T, opts collectorOptions) *collector {
	t.Helper()
	c := launchCollector(t, opts)
	if err := c.waitReady(60 * time.Second); err != nil {
		t.Fatalf("collector not ready: %v\n%s", err, c.logs.String())
	}
	return c
}

func launchCollector(t *testing.T, opts collectorOptions) *collector {
	t.Helper()
	if opts.config == "" {
		opts.config = "config/local.yaml"
	}
	c := &collector{
		t:        t,
		logs:     &syncBuffer{},
		done:     make(chan struct{}),
		database: "e2e_" + randomSuffix(),
		otlpHTTP: freeAddr(),
		otlpGRPC: freeAddr(),
		health:   freeAddr(),
		promExp:  freeAddr(),
		selfMet:  freeAddr(),
		api:      freeAddr(),
	}
	env := map[string]string{
		"TELEMETRY_CLICKHOUSE_ENDPOINT":   engineURL,
		"TELEMETRY_CLICKHOUSE_DATABASE":   c.database,
		"TELEMETRY_OTLP_HTTP_ENDPOINT":    c.otlpHTTP,
		"TELEMETRY_OTLP_GRPC_ENDPOINT":    c.otlpGRPC,
		"TELEMETRY_HEALTH_ENDPOINT":       c.health,
		"TELEMETRY_PROMETHEUS_ENDPOINT":   c.promExp,
		"TELEMETRY_SELF_METRICS_ENDPOINT": c.selfMet,
		"TELEMETRY_API_ENDPOINT":          c.api,
		"TELEMETRY_API_KEY":               testAPIKey,
		"TELEMETRY_AGENT_API_KEY":         testAgentKey,
		"TELEMETRY_SAMPLE_RATE":           "1.0",
		"TELEMETRY_SAMPLE_DECISION_WAIT":  "0.5", // tail sampling holds traces this long before storing them
		"TELEMETRY_FLUSH_INTERVAL":        "0.2",
		"TELEMETRY_QUEUE_DIRECTORY":       t.TempDir(),
		"TELEMETRY_HASH_KEY":              testHashKey,
	}
	for k, v := range opts.env {
		env[k] = v
	}
	c.database, c.endpoint = env["TELEMETRY_CLICKHOUSE_DATABASE"], env["TELEMETRY_CLICKHOUSE_ENDPOINT"]
	c.otlpHTTP, c.api = env["TELEMETRY_OTLP_HTTP_ENDPOINT"], env["TELEMETRY_API_ENDPOINT"]
	c.otlpGRPC, c.health = env["TELEMETRY_OTLP_GRPC_ENDPOINT"], env["TELEMETRY_HEALTH_ENDPOINT"]
	c.promExp, c.selfMet = env["TELEMETRY_PROMETHEUS_ENDPOINT"], env["TELEMETRY_SELF_METRICS_ENDPOINT"]
	c.cmd = exec.Command(collectorBin, append([]string{"--config", filepath.Join(repoRoot, opts.config)}, opts.args...)...)
	c.cmd.Dir = repoRoot
	c.cmd.Env = os.Environ()
	for k, v := range env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.logs, c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start collector: %v", err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("collector output:\n%s", c.logs.String())
		}
	})
	return c
}

func (c *collector) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return fmt.Errorf("collector exited with %v", c.cmd.ProcessState)
		default:
		}
		resp, err := http.Get("http://" + c.health + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no healthy answer from %s within %s", c.health, timeout)
}

// stop sends SIGTERM so the collector flushes its batches, as an operator's shutdown would.
func (c *collector) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// kill ends the collector with SIGKILL: no shutdown, no flush, as in a crash or an OOM kill.
func (c *collector) kill() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	<-c.done
}

// exitCode waits for a collector expected to stop by itself.
func (c *collector) exitCode(timeout time.Duration) (int, bool) {
	select {
	case <-c.done:
		return c.cmd.ProcessState.ExitCode(), true
	case <-time.After(timeout):
		return 0, false
	}
}

// db opens clickhouse-go on this collector's engine, in its database.
func (c *collector) db() driver.Conn {
	c.t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol: clickhouse.HTTP,
		Addr:     []string{strings.TrimPrefix(c.endpoint, "http://")},
		Auth:     clickhouse.Auth{Database: c.database, Username: "default"},
	})
	if err != nil {
		c.t.Fatalf("open clickhouse: %v", err)
	}
	c.t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// storeWithin bounds the waits for what a collector accepted to be readable in ClickHouse. Idle,
// that is the flush interval (0.2 s) and an insert; but every test shares one engine that runs one
// statement at a time, so on a loaded 2-core CI machine an insert or the poll itself can wait
// behind other tests' statements for many seconds. The waits return as soon as the data is there.
const storeWithin = 60 * time.Second

// eventually polls query until it returns at least want rows' worth in its first UInt64 column,
// for up to storeWithin.
func eventuallyCount(t *testing.T, conn driver.Conn, want uint64, query string, args ...any) uint64 {
	t.Helper()
	var got uint64
	deadline := time.Now().Add(storeWithin)
	var lastErr error
	for time.Now().Before(deadline) {
		lastErr = conn.QueryRow(context.Background(), query, args...).Scan(&got)
		if lastErr == nil && got >= want {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("query %q: want >= %d rows, got %d (last error: %v)", query, want, got, lastErr)
	return got
}

// freeAddr is a loopback address to give a collector to listen on. A port the kernel picks for
// ":0" comes from the ephemeral range, which every outgoing connection of the machine (clients to
// ClickHouse, browsers, other collectors) also draws from, so it could be taken again before the
// collector binds it ("address already in use" seen in CI). Ports below the range (Linux:
// 32768-60999) are only ever taken by listeners that name them; each is handed out once per run.
func freeAddr() string {
	handedOut.Lock()
	defer handedOut.Unlock()
	for {
		port := handedOut.next
		handedOut.next++
		if handedOut.next >= 32000 {
			handedOut.next = 20000
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken by something else: try the next one
		}
		addr := l.Addr().String()
		_ = l.Close()
		return addr
	}
}

// handedOut walks the ports of freeAddr, starting at a place that differs per test binary so
// packages running in parallel rarely meet.
var handedOut = struct {
	sync.Mutex
	next int
}{next: 20000 + os.Getpid()%12000}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// syncBuffer collects a child's output; the child writes from its own goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
