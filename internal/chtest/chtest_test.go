package chtest

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

func TestSharedEngineAnswersQueries(t *testing.T) {
	ep := Endpoint(t)
	require.Equal(t, ep, Endpoint(t), "one engine per test binary")
	resp, err := http.Post(ep+"/", "text/plain", strings.NewReader("SELECT 40 + 2"))
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, "42\n", string(body))
}
