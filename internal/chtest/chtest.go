// Package chtest gives integration tests a real ClickHouse engine: cmd/clickhouse-embedded on a free
// loopback port with a temporary data directory, started once per test binary and shared.
//
// Environment: TELEMETRY_TEST_CLICKHOUSE_ENDPOINT uses an existing server instead; CLICKHOUSE_EMBEDDED_BIN
// (set by `make test`) names a built engine, otherwise it is built here; CHDB_LIB_PATH names libchdb
// (default _tools/chdb/libchdb.so). Without libchdb tests skip with the reason, except under `make test`
// (TELEMETRY_E2E set), where a missing engine is a failure rather than a silent skip.
package chtest // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/chtest"

import (
	"bufio"
	"errors"
	"fmt"
	"io"
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

// Engine is one running embedded engine.
type Engine struct {
	// Endpoint is the engine's HTTP interface, http://127.0.0.1:PORT.
	Endpoint string

	cmd *exec.Cmd
	dir string
}

// RepoRoot is the repository's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// errNoEngine marks a machine without libchdb: a reason to skip, not a failure.
var errNoEngine = errors.New("no ClickHouse engine")

// Start launches a new engine. The caller stops it.
func Start() (*Engine, error) {
	lib := os.Getenv("CHDB_LIB_PATH")
	if lib == "" {
		lib = filepath.Join(RepoRoot(), "_tools", "chdb", "libchdb.so")
	}
	if _, err := os.Stat(lib); err != nil {
		return nil, fmt.Errorf("%w: libchdb not found at %s (run `make test`, or set CHDB_LIB_PATH or TELEMETRY_TEST_CLICKHOUSE_ENDPOINT)", errNoEngine, lib)
	}
	dir, err := os.MkdirTemp("", "chtest-")
	if err != nil {
		return nil, err
	}
	bin := os.Getenv("CLICKHOUSE_EMBEDDED_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "clickhouse-embedded")
		build := exec.Command("go", "build", "-o", bin, "./cmd/clickhouse-embedded")
		build.Dir = RepoRoot()
		build.Env = append(os.Environ(), "GOWORK=off")
		if out, err := build.CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("build cmd/clickhouse-embedded: %w: %s", err, out)
		}
	}
	e := &Engine{dir: dir}
	e.cmd = exec.Command(bin, "--listen", "127.0.0.1:0", "--path", filepath.Join(dir, "data"))
	e.cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+lib, "TZ=UTC")
	stderr, err := e.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := e.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	ready := make(chan string, 1)
	go func() {
		// The engine picks its port (--listen :0) and names it in its ready line; keep draining
		// stderr afterwards so the engine never blocks on a full pipe.
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "clickhouse-embedded ready on "); ok && len(ready) == 0 {
				ready <- strings.Fields(rest)[0]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case e.Endpoint = <-ready:
		return e, nil
	case <-time.After(90 * time.Second):
		e.Stop()
		return nil, errors.New("clickhouse-embedded did not report ready within 90s")
	}
}

// Stop ends the engine (flushing its data) and removes its directory.
func (e *Engine) Stop() {
	if e.cmd.Process != nil {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = e.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = e.cmd.Process.Kill()
			<-done
		}
	}
	_ = os.RemoveAll(e.dir)
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
