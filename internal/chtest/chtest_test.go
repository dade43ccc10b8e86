package chtest

import (
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

func query(t *testing.T, endpoint, q string) string {
	t.Helper()
	resp, err := http.Post(endpoint+"/", "text/plain", strings.NewReader(q))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}

func TestSharedEngineAnswersQueries(t *testing.T) {
	ep := Endpoint(t)
	require.Equal(t, ep, Endpoint(t), "one engine per test binary")
	require.Equal(t, "42\n", query(t, ep, "SELECT 40 + 2"))
}

// TestRestartKeepsDataAndAddress: what the outage tests rely on.
func TestRestartKeepsDataAndAddress(t *testing.T) {
	Endpoint(t) // skips where there is no engine
	e, err := StartAt(t.TempDir(), "")
	require.NoError(t, err)
	t.Cleanup(e.Stop)
	query(t, e.Endpoint, "CREATE TABLE kept (n UInt8) ENGINE = MergeTree ORDER BY n")
	query(t, e.Endpoint, "INSERT INTO kept VALUES (7)")
	before := e.Endpoint
	e.Signal(syscall.SIGTERM)
	_, err = http.Get(before + "/ping")
	require.Error(t, err, "stopped engine must not answer")
	require.NoError(t, e.Restart())
	require.Equal(t, before, e.Endpoint)
	require.Equal(t, "7\n", query(t, e.Endpoint, "SELECT n FROM kept"))
}
