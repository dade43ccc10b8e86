// Package chtest gives tests a real ClickHouse engine: cmd/clickhouse-embedded on a loopback port with
// a data directory. Package tests share one engine per test binary (Endpoint); the end-to-end tests
// also start, stop, crash and restart engines of their own (StartAt, Stop, Restart).
//
// Environment: TELEMETRY_TEST_CLICKHOUSE_ENDPOINT makes Endpoint use an existing server instead;
// CLICKHOUSE_EMBEDDED_BIN (set by `make test`) names a built engine, otherwise it is built here;
// CHDB_LIB_PATH names libchdb (default _tools/chdb/libchdb.so). Without libchdb tests skip with the
// reason, except under `make test` (TELEMETRY_E2E set), where a missing engine is a failure rather
// than a silent skip.
package chtest // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Engine is one engine process on a fixed directory and address.
type Engine struct {
	// Endpoint is the engine's HTTP interface, http://HOST:PORT.
	Endpoint string
	// Dir holds the engine's data; it survives Stop so Restart finds the same tables.
	Dir string

	bin, lib string
	args     []string
	ownDir   bool // Dir was made by StartAt and is removed by Stop
	cmd      *exec.Cmd
	out      *output
	done     chan struct{}
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// errNoEngine marks a machine without libchdb: a reason to skip, not a failure.
var errNoEngine = errors.New("no ClickHouse engine")

const readyPrefix = "clickhouse-embedded ready on "

// Start launches an engine on a new directory and a free port. The caller stops it.
func Start() (*Engine, error) { return StartAt("", "") }

// StartAt launches an engine on dir (a new temporary directory when empty) and addr (a free port
// when empty) and waits until it serves.
func StartAt(dir, addr string) (*Engine, error) { return StartWith(dir, addr) }

// StartWith is StartAt with extra clickhouse-embedded flags (e.g. a test's fault injection); a
// Restart keeps them.
func StartWith(dir, addr string, args ...string) (*Engine, error) {
	lib := os.Getenv("CHDB_LIB_PATH")
	if lib == "" {
		lib = filepath.Join(RepoRoot(), "_tools", "chdb", "libchdb.so")
	}
	if _, err := os.Stat(lib); err != nil {
		return nil, fmt.Errorf("%w: libchdb not found at %s (run `make test`, or set CHDB_LIB_PATH or TELEMETRY_TEST_CLICKHOUSE_ENDPOINT)", errNoEngine, lib)
	}
	e := &Engine{Dir: dir, lib: lib, args: args}
	if e.Dir == "" {
		d, err := os.MkdirTemp("", "chtest-")
		if err != nil {
			return nil, err
		}
		e.Dir, e.ownDir = d, true
	}
	e.bin = os.Getenv("CLICKHOUSE_EMBEDDED_BIN")
	if e.bin == "" {
		e.bin = filepath.Join(e.Dir, "clickhouse-embedded")
		build := exec.Command("go", "build", "-o", e.bin, "./cmd/clickhouse-embedded")
		build.Dir = RepoRoot()
		build.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			e.removeDir()
			return nil, fmt.Errorf("build cmd/clickhouse-embedded: %w: %s", err, out)
		}
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := e.launch(addr); err != nil {
		e.removeDir()
		return nil, err
	}
	return e, nil
}

func (e *Engine) launch(addr string) error {
	e.out = &output{ready: make(chan string, 1)}
	e.done = make(chan struct{})
	e.cmd = exec.Command(e.bin, append([]string{"--listen", addr, "--path", filepath.Join(e.Dir, "data")}, e.args...)...)
	e.cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+e.lib, "TZ=UTC")
	e.cmd.Stdout, e.cmd.Stderr = e.out, e.out
	if err := e.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", e.bin, err)
	}
	go func() { _ = e.cmd.Wait(); close(e.done) }()
	select {
	case e.Endpoint = <-e.out.ready:
		return nil
	case <-e.done:
		return fmt.Errorf("clickhouse-embedded exited before it was ready:\n%s", e.Logs())
	case <-time.After(90 * time.Second):
		e.Signal(syscall.SIGKILL)
		return fmt.Errorf("clickhouse-embedded did not report ready within 90s:\n%s", e.Logs())
	}
}

// Signal sends sig (SIGTERM lets queries finish and flushes data, SIGKILL is a crash) and waits for
// the process to exit; a SIGTERM not obeyed within 20 s becomes a SIGKILL.
func (e *Engine) Signal(sig syscall.Signal) {
	select {
	case <-e.done:
		return
	default:
	}
	_ = e.cmd.Process.Signal(sig)
	select {
	case <-e.done:
	case <-time.After(20 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// Restart starts the engine again on the same directory and address after Signal.
func (e *Engine) Restart() error {
	return e.launch(strings.TrimPrefix(e.Endpoint, "http://"))
}

// Stop ends the engine and removes the directory StartAt made.
func (e *Engine) Stop() {
	e.Signal(syscall.SIGTERM)
	e.removeDir()
}

// Logs is what the engine printed.
func (e *Engine) Logs() string { return e.out.String() }

func (e *Engine) removeDir() {
	if e.ownDir {
		_ = os.RemoveAll(e.Dir)
	}
}

// output collects the engine's output and reports the address of its ready line, which names the
// port the engine picked for --listen :0.
type output struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string
	seen  bool
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	if !o.seen {
		if _, rest, ok := strings.Cut(o.buf.String(), readyPrefix); ok {
			if fields := strings.Fields(rest); len(fields) > 0 && strings.Contains(rest, " ") {
				o.seen = true
				o.ready <- fields[0]
			}
		}
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

var shared struct {
	once     sync.Once
	mu       sync.Mutex
	engine   *Engine
	endpoint string
	err      error
}

// Endpoint returns the shared engine of this test binary, starting it on first use. It skips the test
// on a machine without libchdb (fails under `make test`) and fails it when the engine does not start.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	shared.once.Do(func() {
		if ep := os.Getenv("TELEMETRY_TEST_CLICKHOUSE_ENDPOINT"); ep != "" {
			shared.endpoint = ep
			return
		}
		shared.mu.Lock()
		defer shared.mu.Unlock()
		shared.engine, shared.err = Start()
		if shared.err == nil {
			shared.endpoint = shared.engine.Endpoint
		}
	})
	switch {
	case shared.err == nil:
		return shared.endpoint
	case errors.Is(shared.err, errNoEngine) && os.Getenv("TELEMETRY_E2E") == "":
		tb.Skip(shared.err.Error())
	default:
		tb.Fatal(shared.err)
	}
	return ""
}

// StopShared stops the shared engine, if one was started; call it at the end of TestMain.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.engine != nil {
		shared.engine.Stop()
		shared.engine = nil
	}
}
