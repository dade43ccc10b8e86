package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitInsert(t *testing.T) {
	f := func(t *testing.T, text string, wantOK bool, want insertWithData) {
		t.Helper()
		got, ok := splitInsert([]byte(text))
		require.Equal(t, wantOK, ok)
		if !ok {
			return
		}
		assert.Equal(t, want.head, got.head)
		assert.Equal(t, want.tail, got.tail)
		assert.Equal(t, want.format, got.format)
		assert.Equal(t, string(want.data), string(got.data))
	}
	t.Run("query param and binary data starting with blank", func(t *testing.T) {
		// A Native block with 9 columns starts with '\t', with 32 with ' ':
		// only the line break the front inserted may be consumed.
		f(t, "INSERT INTO t (a, b) FORMAT Native\n\t\x02rest", true,
			insertWithData{head: "INSERT INTO t (a, b) ", format: "Native", data: []byte("\t\x02rest")})
		f(t, "INSERT INTO t FORMAT Native\n \x01", true,
			insertWithData{head: "INSERT INTO t ", format: "Native", data: []byte(" \x01")})
	})
	t.Run("blanks then CRLF before data", func(t *testing.T) {
		f(t, "insert into t format CSV  \r\n1,2\n", true,
			insertWithData{head: "insert into t ", format: "CSV", data: []byte("1,2\n")})
	})
	t.Run("data on the same line", func(t *testing.T) {
		f(t, `INSERT INTO t FORMAT JSONEachRow {"a":1}`, true,
			insertWithData{head: "INSERT INTO t ", format: "JSONEachRow", data: []byte(`{"a":1}`)})
	})
	t.Run("settings clause kept after FROM INFILE", func(t *testing.T) {
		f(t, "INSERT INTO db.t SETTINGS async_insert=1 FORMAT Native\nX", true,
			insertWithData{head: "INSERT INTO db.t ", tail: "SETTINGS async_insert=1 ", format: "Native", data: []byte("X")})
	})
	t.Run("quoted and commented FORMAT words are not the clause", func(t *testing.T) {
		f(t, "INSERT INTO `FORMAT` (\"FORMAT\") /* FORMAT x */ -- FORMAT y\n FORMAT TSV\n1\n", true,
			insertWithData{head: "INSERT INTO `FORMAT` (\"FORMAT\") /* FORMAT x */ -- FORMAT y\n ", format: "TSV", data: []byte("1\n")})
	})
	t.Run("no data", func(t *testing.T) {
		f(t, "INSERT INTO t FORMAT CSV", true, insertWithData{head: "INSERT INTO t ", format: "CSV"})
	})
	t.Run("statements chDB runs as text", func(t *testing.T) {
		for _, q := range []string{
			"INSERT INTO t VALUES (1, 'FORMAT')",
			"INSERT INTO t SELECT * FROM s",
			"INSERT INTO t FROM INFILE '/x' FORMAT CSV",
			"SELECT 1 FORMAT Native",
			"CREATE TABLE t (a UInt8) ENGINE=Memory",
			"",
		} {
			f(t, q, false, insertWithData{})
		}
	})
}

func TestFromInfile(t *testing.T) {
	ins, ok := splitInsert([]byte("INSERT INTO t (a) SETTINGS x=1 FORMAT Native\ndata"))
	require.True(t, ok)
	assert.Equal(t, `INSERT INTO t (a) FROM INFILE '/tmp/it\'s' SETTINGS x=1 FORMAT Native`, ins.fromInfile("/tmp/it's"))
}

func TestOutputFormat(t *testing.T) {
	f := func(q, want string) {
		t.Helper()
		assert.Equal(t, want, outputFormat(q))
	}
	f("SELECT 1", "")
	f("SELECT 1 FORMAT JSONEachRow", "JSONEachRow")
	f("select 1 format CSV;", "CSV")
	f("SELECT 'FORMAT Native'", "")
	f("SELECT * FROM (SELECT 1 FORMAT JSON) FORMAT TSV", "TSV")
	f("INSERT INTO t FORMAT CSV\n1", "")
}

func TestQuoting(t *testing.T) {
	assert.Equal(t, `'a\'b\\c'`, quoteString(`a'b\c`))
	assert.Equal(t, "`we\\`ird`", quoteIdent("we`ird"))
}

func BenchmarkSplitInsert(b *testing.B) {
	text := append([]byte("INSERT INTO otel_logs (Timestamp, Body, LogAttributes) FORMAT Native\n"), make([]byte, 1<<20)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := splitInsert(text); !ok {
			b.Fatal("not split")
		}
	}
}

func TestSetAssignments(t *testing.T) {
	f := func(sql, want string, wantOK bool) {
		t.Helper()
		got, ok := setAssignments(sql)
		if got != want || ok != wantOK {
			t.Errorf("setAssignments(%q) = %q, %v; want %q, %v", sql, got, ok, want, wantOK)
		}
	}
	f("SET max_threads = 1", "max_threads = 1", true)
	f("  set a=1, b='x;y';\n", "a=1, b='x;y'", true)
	f("/* c */ SET param_x = 'v'", "param_x = 'v'", true)
	f("SET ROLE admin", "", false)
	f("SET DEFAULT ROLE r TO u", "", false)
	f("SELECT 1 SETTINGS max_threads = 1", "", false)
	f("SET", "", false)
}
