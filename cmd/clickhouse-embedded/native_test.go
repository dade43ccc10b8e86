package main

import (
	"bufio"
	"bytes"
	"testing"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const clientRevision = 54460 // what clickhouse-go v2.47 sends as client_protocol_version

func testBlock(t testing.TB, rows int) *proto.Block {
	t.Helper()
	b := proto.NewBlock()
	b.ServerContext = &column.ServerContext{Timezone: time.UTC}
	for _, c := range []struct{ name, typ string }{
		{"id", "UInt64"},
		{"ts", "DateTime64(9)"},
		{"attrs", "Map(String, String)"},
		{"tags", "Array(String)"},
		{"svc", "LowCardinality(String)"},
		{"n", "Nullable(Int64)"},
	} {
		require.NoError(t, b.AddColumn(c.name, column.Type(c.typ)))
	}
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for i := range rows {
		var n *int64
		if i%2 == 0 {
			v := int64(-i)
			n = &v
		}
		require.NoError(t, b.Append(uint64(i), ts.Add(time.Duration(i)), map[string]string{"k": "v", "i": string(rune('a' + i%26))},
			[]string{"x", "y"}, []string{"svc-a", "svc-b"}[i%2], n))
	}
	return b
}

func encodeBlock(t testing.TB, b *proto.Block, rev uint64) []byte {
	t.Helper()
	var buf chproto.Buffer
	require.NoError(t, b.Encode(&buf, rev))
	return buf.Buf
}

func TestUpgradeNativeMatchesServerEncoding(t *testing.T) {
	// chDB writes revision-0 blocks; the upgrade must produce exactly what
	// clickhouse-go expects from a server at the client's revision.
	for _, rows := range []int{1, 3, 1000} {
		b := testBlock(t, rows)
		in := append(encodeBlock(t, b, 0), encodeBlock(t, b, 0)...) // two blocks
		want := append(encodeBlock(t, b, clientRevision), encodeBlock(t, b, clientRevision)...)
		got, err := upgradeNative(in, clientRevision)
		require.NoError(t, err, "rows=%d", rows)
		assert.Equal(t, want, got, "rows=%d", rows)
	}
}

func TestUpgradeNativeDecodesInClient(t *testing.T) {
	b := testBlock(t, 5)
	got, err := upgradeNative(encodeBlock(t, b, 0), clientRevision)
	require.NoError(t, err)
	dec := proto.Block{ServerContext: &column.ServerContext{Timezone: time.UTC}}
	require.NoError(t, dec.Decode(chproto.NewReader(bufio.NewReader(bytes.NewReader(got))), clientRevision))
	require.Equal(t, 5, dec.Rows())
	assert.Equal(t, b.ColumnsNames(), dec.ColumnsNames())
	assert.Equal(t, b.Columns[2].Row(3, false), dec.Columns[2].Row(3, false))
	assert.Equal(t, b.Columns[1].Row(4, false), dec.Columns[1].Row(4, false))
}

func TestUpgradeNativeHeaderOnlyBlock(t *testing.T) {
	// ClickHouse writes no column bytes at all for a block without rows
	// (clickhouse-go's encoder would still write LowCardinality's prefix).
	in := []byte{2, 0, 1, 'a', 6, 'U', 'I', 'n', 't', '6', '4', 1, 'b', 22}
	in = append(in, "LowCardinality(String)"...)
	want := append(append([]byte(nil), blockInfo...), 2, 0, 1, 'a', 6, 'U', 'I', 'n', 't', '6', '4', 0, 1, 'b', 22)
	want = append(append(want, "LowCardinality(String)"...), 0)
	got, err := upgradeNative(in, clientRevision)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestUpgradeNativeOldClientAndEmpty(t *testing.T) {
	in := encodeBlock(t, testBlock(t, 2), 0)
	got, err := upgradeNative(in, 0)
	require.NoError(t, err)
	assert.Equal(t, in, got, "no client_protocol_version: passed through")
	got, err = upgradeNative(nil, clientRevision)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestUpgradeNativeRejectsBadInput(t *testing.T) {
	in := encodeBlock(t, testBlock(t, 3), 0)
	for name, data := range map[string][]byte{
		"truncated":    in[:len(in)-3],
		"unknown type": {1, 1, 1, 'a', 7, 'N', 'o', 'S', 'u', 'c', 'h', 'T', 0},
		"not native":   []byte("1\tx\n"),
	} {
		_, err := upgradeNative(data, clientRevision)
		var ce *chError
		require.ErrorAs(t, err, &ce, name)
		assert.Equal(t, codeNotImplemented, ce.code, name)
	}
}

func BenchmarkUpgradeNative(b *testing.B) {
	in := encodeBlock(b, testBlock(b, 10000), 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := upgradeNative(in, clientRevision); err != nil {
			b.Fatal(err)
		}
	}
}
