package datarightsextension

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestGoldenStatements: the deletion, pseudonymization and export statements, single server and
// ON CLUSTER against the _local tables.
func TestGoldenStatements(t *testing.T) {
	f := func(file, database, cluster string) {
		t.Helper()
		s, err := newStatements(database, cluster)
		require.NoError(t, err)
		got := strings.Join(s.script(), ";\n") + ";\n"
		path := filepath.Join("testdata", file)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -update to create golden files")
		assert.Equal(t, string(want), got)
	}
	f("single.sql", "telemetry", "")
	f("cluster.sql", "tel`emetry", "prod cluster")
}
