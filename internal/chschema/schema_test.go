package chschema

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestGoldenDDL(t *testing.T) {
	f := func(file string, opts Options) {
		t.Helper()
		s, err := New(opts)
		require.NoError(t, err)
		got := strings.Join(s.Script(), ";\n\n") + ";\n"
		path := filepath.Join("testdata", file)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -update to create golden files")
		assert.Equal(t, string(want), got)
	}
	f("single.sql", Options{Retention: 30 * 24 * time.Hour, AuditRetention: 365 * 24 * time.Hour})
	f("cluster.sql", Options{Database: "tel`emetry", Cluster: "prod cluster", Retention: 36 * time.Hour, ConsentRetention: 5 * 365 * 24 * time.Hour, AuditRetention: 365 * 24 * time.Hour})
}

// The tenant reader databases: on the embedded engine (no user) and on a cluster of real servers
// with a read-only user.
func TestGoldenReader(t *testing.T) {
	f := func(file string, opts Options, tenant, password string) {
		t.Helper()
		s, err := New(opts)
		require.NoError(t, err)
		r, err := s.Reader(tenant, password)
		require.NoError(t, err)
		got := "-- database " + r.Database + ", user " + r.User + "\n" + strings.Join(r.Statements, ";\n\n") + ";\n"
		path := filepath.Join("testdata", file)
		if *update {
			require.NoError(t, os.WriteFile(path, []byte(got), 0o600))
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test -update to create golden files")
		assert.Equal(t, string(want), got)
	}
	f("reader_single.sql", Options{}, "acme", "")
	f("reader_cluster.sql", Options{Database: "tel`emetry", Cluster: "prod cluster"}, "it's.acme", "golden-password")
}

func TestQuoting(t *testing.T) {
	assert.Equal(t, "`a\\`b\\\\c`", QuoteIdent("a`b\\c"))
	assert.Equal(t, `'it\'s \\'`, QuoteString(`it's \`))
}

func TestValidate(t *testing.T) {
	f := func(opts Options, wantErrs ...string) {
		t.Helper()
		_, err := New(opts)
		if len(wantErrs) == 0 {
			assert.NoError(t, err)
			return
		}
		require.Error(t, err)
		for _, w := range wantErrs {
			assert.ErrorContains(t, err, w)
		}
	}
	f(Options{})
	f(Options{Database: "x\ny"}, "database")
	f(Options{Cluster: strings.Repeat("c", 201)}, "cluster_name")
	f(Options{Retention: -time.Hour, AuditRetention: -1}, "retention must not be negative", "audit_retention must not be negative")
}

func TestIntervalExpr(t *testing.T) {
	f := func(d time.Duration, want string) {
		t.Helper()
		assert.Equal(t, want, intervalExpr(d))
	}
	f(30*24*time.Hour, "toIntervalDay(30)")
	f(36*time.Hour, "toIntervalHour(36)")
	f(90*time.Minute, "toIntervalMinute(90)")
	f(1500*time.Millisecond, "toIntervalSecond(2)")
}

func TestContainsClause(t *testing.T) {
	live := "MergeTree PARTITION BY toDate(timestamp) ORDER BY (tenant_id, timestamp) TTL toDateTime(timestamp) + toIntervalDay(30) SETTINGS index_granularity = 8192"
	assert.True(t, containsClause(live, "TTL toDateTime(timestamp) + toIntervalDay(30)"))
	assert.False(t, containsClause(live, "TTL toDateTime(timestamp) + toIntervalDay(3)"))
	assert.False(t, containsClause(live, "TTL toDateTime(timestamp) + toIntervalHour(30)"))
}

var (
	ddlColumn   = regexp.MustCompile(`^    ([a-z_]+)\s+[A-Z]`)
	nestedStart = regexp.MustCompile(`^    ([a-z_]+) Nested$`)
	nestedField = regexp.MustCompile(`^        ([a-z_]+)\s`)
)

// ddlColumns lists the column names of a rendered CREATE TABLE, nested
// fields as parent.field, relying on the layout of the sql/ files.
func ddlColumns(stmt string) map[string]bool {
	cols := map[string]bool{}
	nested := ""
	for _, line := range strings.Split(stmt, "\n") {
		if m := nestedStart.FindStringSubmatch(line); m != nil {
			nested = m[1]
			continue
		}
		if nested != "" {
			if m := nestedField.FindStringSubmatch(line); m != nil {
				cols[nested+"."+m[1]] = true
			} else if strings.HasPrefix(line, "    )") {
				nested = ""
			}
			continue
		}
		if m := ddlColumn.FindStringSubmatch(line); m != nil {
			cols[m[1]] = true
		}
	}
	return cols
}

// tableDDL matches a CREATE or ALTER of a telemetry_ table.
var tableDDL = regexp.MustCompile("^(?:CREATE TABLE IF NOT EXISTS|ALTER TABLE) `[^`]*`\\.`(telemetry_[a-z_]+)`")

// addColumn matches the columns later migrations add with ALTER TABLE.
var addColumn = regexp.MustCompile(`ADD COLUMN IF NOT EXISTS ([a-z_]+) `)

// Every insert column must exist in the table's DDL (its CREATE plus later ADD COLUMNs), so a
// renamed column fails here instead of at the first export.
func TestInsertColumnsExistInDDL(t *testing.T) {
	s, err := New(Options{})
	require.NoError(t, err)
	cols := map[string]map[string]bool{}
	for _, m := range s.Migrations() {
		for _, stmt := range m.Statements {
			match := tableDDL.FindStringSubmatch(stmt)
			if match == nil {
				continue // views, materialized views, backfills
			}
			name := match[1]
			require.NotNil(t, s.Table(name), name)
			if cols[name] == nil {
				cols[name] = map[string]bool{}
			}
			for c := range ddlColumns(stmt) {
				cols[name][c] = true
			}
			for _, m := range addColumn.FindAllStringSubmatch(stmt, -1) {
				cols[name][m[1]] = true
			}
		}
	}
	for name, have := range cols {
		tbl := s.Table(name)
		require.NotEmpty(t, tbl.InsertColumns, name)
		for _, c := range tbl.InsertColumns {
			assert.True(t, have[c], "%s: insert column %s not in DDL", name, c)
		}
	}
	for _, name := range []string{Spans, Events, Logs} {
		assert.True(t, cols[name]["sample_rate"], "%s has sample_rate", name)
	}
}

func TestChecksumIgnoresOptions(t *testing.T) {
	a, err := New(Options{Retention: time.Hour})
	require.NoError(t, err)
	b, err := New(Options{Database: "other", Cluster: "c", Retention: 48 * time.Hour})
	require.NoError(t, err)
	for i := range a.Migrations() {
		assert.Equal(t, a.Migrations()[i].Checksum, b.Migrations()[i].Checksum)
	}
}

func TestErrorCode(t *testing.T) {
	code, ok := ErrorCode(assert.AnError)
	assert.False(t, ok)
	assert.Zero(t, code)
	code, ok = ErrorCode(errString(`[HTTP 404] response body: "Code: 60. DB::Exception: Unknown table expression identifier"`))
	assert.True(t, ok)
	assert.Equal(t, int32(60), code)
}

type errString string

func (e errString) Error() string { return string(e) }
