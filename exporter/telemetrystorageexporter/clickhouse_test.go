package telemetrystorageexporter

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter/internal/metadata"
)

// Integration tests need a ClickHouse. In order of preference:
//   - TELEMETRY_TEST_CLICKHOUSE_ENDPOINT: an external server (any DSN);
//   - TELEMETRY_TEST_CLICKHOUSE_BIN: a built cmd/clickhouse-embedded;
//   - cmd/clickhouse-embedded built from this repository, when libchdb is
//     present (CHDB_LIB_PATH or _tools/chdb/libchdb.so).
//
// Otherwise they skip, saying why.
var (
	chEndpoint   string
	chSkipReason string
)

func TestMain(m *testing.M) {
	stop := setupClickHouse()
	code := m.Run()
	stop()
	if code == 0 {
		// Every exporter, connection and queue goroutine must be gone once
		// components are shut down.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func setupClickHouse() (stop func()) {
	noop := func() {}
	if ep := os.Getenv("TELEMETRY_TEST_CLICKHOUSE_ENDPOINT"); ep != "" {
		chEndpoint = ep
		return noop
	}
	lib := os.Getenv("CHDB_LIB_PATH")
	if lib == "" {
		lib = filepath.Join(repoRoot(), "_tools", "chdb", "libchdb.so")
	}
	if _, err := os.Stat(lib); err != nil {
		chSkipReason = "no ClickHouse: set TELEMETRY_TEST_CLICKHOUSE_ENDPOINT, or provide libchdb (CHDB_LIB_PATH) for cmd/clickhouse-embedded"
		return noop
	}
	tmp, err := os.MkdirTemp("", "telemetrystorage-it-")
	if err != nil {
		chSkipReason = err.Error()
		return noop
	}
	cleanup := func() { _ = os.RemoveAll(tmp) }
	bin := os.Getenv("TELEMETRY_TEST_CLICKHOUSE_BIN")
	if bin == "" {
		bin = filepath.Join(tmp, "clickhouse-embedded")
		build := exec.Command("go", "build", "-o", bin, "./cmd/clickhouse-embedded")
		build.Dir = repoRoot()
		build.Env = append(os.Environ(), "GOWORK=off")
		if out, err := build.CombinedOutput(); err != nil {
			chSkipReason = fmt.Sprintf("cannot build cmd/clickhouse-embedded (set TELEMETRY_TEST_CLICKHOUSE_BIN): %v: %s", err, out)
			return cleanup
		}
	}
	port, err := freePort()
	if err != nil {
		chSkipReason = err.Error()
		return cleanup
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--listen", addr, "--path", filepath.Join(tmp, "data"))
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+lib)
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		chSkipReason = fmt.Sprintf("start %s: %v", bin, err)
		return cleanup
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			if !signalled && strings.Contains(sc.Text(), "clickhouse-embedded ready on") {
				close(ready)
				signalled = true
			}
		}
	}()
	select {
	case <-ready:
		chEndpoint = "http://" + addr
	case <-time.After(60 * time.Second):
		chSkipReason = "clickhouse-embedded did not report ready within 60s"
	}
	return func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		cleanup()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// requireClickHouse skips the test when no server is available.
func requireClickHouse(t *testing.T) string {
	t.Helper()
	if chEndpoint == "" {
		t.Skip(chSkipReason)
	}
	return chEndpoint
}

// queryConn opens a plain connection for assertions.
func queryConn(t *testing.T) driver.Conn {
	t.Helper()
	opt, err := clickhouse.ParseDSN(requireClickHouse(t))
	require.NoError(t, err)
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// testDatabase returns a database name unique to the test.
func testDatabase(t *testing.T) string {
	name := strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	return fmt.Sprintf("it_%s_%d", name, time.Now().UnixNano()%1_000_000)
}

func queryStrings(t *testing.T, conn driver.Conn, q string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func zapNop() *zap.Logger { return zap.NewNop() }

func nopTelemetry(t *testing.T) *metadata.Telemetry {
	tel, err := newBenchTelemetry()
	require.NoError(t, err)
	return tel
}

func newBenchTelemetry() (*metadata.Telemetry, error) {
	return metadata.NewTelemetry(componenttest.NewNopTelemetrySettings())
}

func openOrFail(t *testing.T, opt *clickhouse.Options) driver.Conn {
	conn, err := clickhouse.Open(opt)
	require.NoError(t, err)
	return conn
}

func itoa(i int) string { return strconv.Itoa(i) }

func isPermanent(err error) bool { return consumererror.IsPermanent(err) }

type exporterQueueConfig = exporterhelper.QueueBatchConfig
