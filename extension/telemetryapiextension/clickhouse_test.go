package telemetryapiextension

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"
)

// ClickHouse for integration tests, started on first use: TELEMETRY_TEST_CLICKHOUSE_ENDPOINT if
// set, else cmd/clickhouse-embedded built from this repository on libchdb (CHDB_LIB_PATH or
// _tools/chdb/libchdb.so). Tests skip, saying why, only when neither is available.
var (
	chOnce       sync.Once
	chEndpoint   string
	chSkipReason string
	chStop       = func() {}
	chMu         sync.Mutex
)

func setupClickHouse() (stop func()) {
	return func() {
		chMu.Lock()
		defer chMu.Unlock()
		chStop()
	}
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var readyLine = regexp.MustCompile(`clickhouse-embedded ready on (http://\S+)`)

func startClickHouse() {
	if ep := os.Getenv("TELEMETRY_TEST_CLICKHOUSE_ENDPOINT"); ep != "" {
		chEndpoint = ep
		return
	}
	lib := os.Getenv("CHDB_LIB_PATH")
	if lib == "" {
		lib = filepath.Join(repoRoot(), "_tools", "chdb", "libchdb.so")
	}
	if _, err := os.Stat(lib); err != nil {
		chSkipReason = "no ClickHouse: libchdb not found at " + lib + " (set CHDB_LIB_PATH or TELEMETRY_TEST_CLICKHOUSE_ENDPOINT)"
		return
	}
	tmp, err := os.MkdirTemp("", "telemetryapi-it-")
	if err != nil {
		chSkipReason = err.Error()
		return
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	bin := filepath.Join(tmp, "clickhouse-embedded")
	build := exec.Command("go", "build", "-o", bin, "./cmd/clickhouse-embedded")
	build.Dir = repoRoot()
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		chSkipReason = fmt.Sprintf("cannot build cmd/clickhouse-embedded: %v: %s", err, out)
		cleanup()
		return
	}
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--path", filepath.Join(tmp, "data"))
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+lib)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = nil
	if err := cmd.Start(); err != nil {
		chSkipReason = fmt.Sprintf("start clickhouse-embedded: %v", err)
		cleanup()
		return
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cleanup()
	}
	select {
	case a := <-addr:
		chEndpoint = a
		chStop = stop
	case <-time.After(90 * time.Second):
		chSkipReason = "clickhouse-embedded did not report ready within 90s"
		stop()
	}
}

// requireClickHouse starts ClickHouse on first use and skips the test when there is none.
func requireClickHouse(t *testing.T) string {
	t.Helper()
	chMu.Lock()
	chOnce.Do(startClickHouse)
	chMu.Unlock()
	if chEndpoint == "" {
		t.Skip(chSkipReason)
	}
	return chEndpoint
}
