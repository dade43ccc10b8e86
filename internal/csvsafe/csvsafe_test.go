package csvsafe

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCell(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		assert.Equal(t, want, Cell(in), "%q", in)
	}
	// The held-out run's payloads.
	f(`=HYPERLINK("http://evil.example/x")`, `'=HYPERLINK("http://evil.example/x")`)
	f("=1+1", "'=1+1")
	f(`+cmd|' /C calc'!A0`, `'+cmd|' /C calc'!A0`)
	f("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")
	f("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0")
	f("\t=1+1", "'\t=1+1")
	f("\r=1+1", "'\r=1+1")
	// Data stays as it was.
	f("", "")
	f("api_requests", "api_requests")
	f("a=b", "a=b")
	f(" =1+1", " =1+1")
	f(`{"route":"=1+1"}`, `{"route":"=1+1"}`) // a JSON cell starts with {
	f("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
	// Numbers as a whole stay numbers, negative ones too.
	f("-1.5", "-1.5")
	f("+3", "+3")
	f("-1e-9", "-1e-9")
	f("-", "'-")
	f("-1-1", "'-1-1")
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	rec := []string{"=1+1", "ok", "-4", "@x"}
	require.NoError(t, w.Write(rec))
	w.Flush()
	require.NoError(t, w.Error())
	assert.Equal(t, []string{"=1+1", "ok", "-4", "@x"}, rec, "the caller's record is not modified")
	got, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"'=1+1", "ok", "-4", "'@x"}}, got)
}

func BenchmarkWriter(b *testing.B) {
	w := NewWriter(discard{})
	rec := []string{"2026-01-01T00:00:00Z", "api_requests", "sum", "ms", "shop", `{"route":"/x"}`, "-12.5", "3"}
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Write(rec)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
