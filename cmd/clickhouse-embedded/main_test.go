package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The real server is built once and shared by the integration tests; tests
// that need libchdb skip only when the library file is absent.
var shared struct {
	bin     string
	lib     string
	skip    string
	server  *serverProc
	tempDir string
}

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "clickhouse-embedded-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	shared.tempDir = dir
	shared.lib = testLibPath()
	if err := checkLib(shared.lib); err != nil {
		shared.skip = fmt.Sprintf("integration test skipped: %v", err)
	} else {
		shared.bin = filepath.Join(dir, "clickhouse-embedded")
		build := exec.Command("go", "build", "-o", shared.bin, ".")
		build.Env = append(os.Environ(), "GOWORK=off")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build clickhouse-embedded: %v\n%s", err, out)
			return 1
		}
		shared.server, err = startServer(shared.bin, shared.lib, filepath.Join(dir, "data"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	code := m.Run()
	if shared.server != nil {
		if err := shared.server.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "shared server:", err)
			code = 1
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	return code
}

func testLibPath() string {
	if p := os.Getenv("CHDB_LIB_PATH"); p != "" {
		return p
	}
	p, _ := filepath.Abs(filepath.Join("..", "..", "_tools", "chdb", "libchdb.so"))
	return p
}

// needServer returns the shared server's address or skips the test.
func needServer(t *testing.T) string {
	t.Helper()
	if shared.skip != "" {
		t.Skip(shared.skip)
	}
	return shared.server.addr
}

type serverProc struct {
	cmd   *exec.Cmd
	addr  string
	mu    sync.Mutex
	logs  bytes.Buffer
	done  chan struct{}
	ready time.Duration
}

func (p *serverProc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startServer runs the binary on a free port and waits for its ready line.
func startServer(bin, lib, dataDir string) (*serverProc, error) {
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--path", dataDir, "--lib", lib)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serverProc{cmd: cmd, done: make(chan struct{})}
	readyc := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			if rest, ok := strings.CutPrefix(line, "clickhouse-embedded ready on http://"); ok {
				addr, _, _ := strings.Cut(rest, " ")
				readyc <- addr
			}
		}
	}()
	select {
	case p.addr = <-readyc:
		p.ready = time.Since(start)
		return p, nil
	case <-p.done:
		err := cmd.Wait()
		return nil, fmt.Errorf("clickhouse-embedded exited before ready (%v):\n%s", err, p.output())
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		<-p.done
		_ = cmd.Wait()
		return nil, fmt.Errorf("clickhouse-embedded not ready after 2m:\n%s", p.output())
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serverProc) stop() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.done
		_ = p.cmd.Wait()
		return fmt.Errorf("no exit within 1m of SIGTERM:\n%s", p.output())
	}
	if err := p.cmd.Wait(); err != nil {
		return fmt.Errorf("exit after SIGTERM: %w\n%s", err, p.output())
	}
	return nil
}

func TestParseFlags(t *testing.T) {
	t.Setenv("CHDB_LIB_PATH", "/opt/lib/libchdb.so")
	o, err := parseFlags(nil, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{listen: "127.0.0.1:8123", path: "./_data/clickhouse", lib: "/opt/lib/libchdb.so", maxBody: defaultMaxBody, sessions: defaultSessions}, o)

	t.Setenv("CHDB_LIB_PATH", "")
	o, err = parseFlags([]string{"--listen", ":9000", "--path", "/d", "--verbose"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, options{listen: ":9000", path: "/d", lib: "_tools/chdb/libchdb.so", verbose: true, maxBody: defaultMaxBody, sessions: defaultSessions}, o)

	o, err = parseFlags([]string{"--max-body-bytes", "1048576"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, int64(1<<20), o.maxBody)
	_, err = parseFlags([]string{"--max-body-bytes", "0"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "--max-body-bytes")

	o, err = parseFlags([]string{"--sessions", "1"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, 1, o.sessions)
	_, err = parseFlags([]string{"--sessions", "0"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "--sessions")

	_, err = parseFlags([]string{"extra"}, &bytes.Buffer{})
	assert.ErrorContains(t, err, "unexpected arguments")
}

func TestMissingLibraryExitsBeforeLoading(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.so")
	var stderr bytes.Buffer
	err := run([]string{"--lib", missing, "--listen", "127.0.0.1:0"}, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "libchdb not found at "+missing)

	err = run([]string{"--lib", t.TempDir()}, &stderr)
	assert.ErrorContains(t, err, "is a directory")

	if shared.bin != "" {
		out, err := exec.Command(shared.bin, "--lib", missing).CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, 1, ee.ExitCode())
		assert.Contains(t, string(out), "libchdb not found")
	}
}
