package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openHTTP(t *testing.T, addr string, method clickhouse.CompressionMethod) driver.Conn {
	t.Helper()
	opts := &clickhouse.Options{
		Addr:     []string{addr},
		Protocol: clickhouse.HTTP,
		Settings: clickhouse.Settings{"max_execution_time": 60},
	}
	if method != clickhouse.CompressionNone {
		opts.Compression = &clickhouse.Compression{Method: method}
	}
	conn, err := clickhouse.Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

type otelRow struct {
	ID    uint64
	TS    time.Time
	Attrs map[string]string
	Tags  []string
	Svc   string
	N     *int64
	Body  string
}

func makeRows(n int) []otelRow {
	base := time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC)
	rows := make([]otelRow, n)
	for i := range rows {
		r := otelRow{
			ID:    uint64(i),
			TS:    base.Add(time.Duration(i) * time.Nanosecond * 7),
			Attrs: map[string]string{"http.method": "GET", "i": fmt.Sprint(i)},
			Tags:  []string{"a", fmt.Sprintf("t%d", i%3)},
			Svc:   fmt.Sprintf("svc-%d", i%4),
			Body:  fmt.Sprintf("line %d\twith\ttabs\nnewline 'quote' \"dq\" \\ ünï", i),
		}
		if i%3 != 0 {
			v := int64(-i * 1000)
			r.N = &v
		}
		if i%5 == 0 {
			r.Attrs = map[string]string{}
			r.Tags = []string{}
		}
		rows[i] = r
	}
	return rows
}

const otelTableDDL = `CREATE TABLE %s (
	id UInt64,
	ts DateTime64(9),
	attrs Map(String, String),
	tags Array(String),
	svc LowCardinality(String),
	n Nullable(Int64),
	body String
) ENGINE = MergeTree ORDER BY id`

func TestClickHouseGoRoundTrip(t *testing.T) {
	addr := needServer(t)
	for _, method := range []clickhouse.CompressionMethod{
		clickhouse.CompressionNone, clickhouse.CompressionLZ4, clickhouse.CompressionZSTD, clickhouse.CompressionGZIP,
	} {
		t.Run(method.String(), func(t *testing.T) {
			ctx := context.Background()
			conn := openHTTP(t, addr, method)
			table := "roundtrip_" + method.String()
			require.NoError(t, conn.Exec(ctx, "DROP TABLE IF EXISTS "+table))
			require.NoError(t, conn.Exec(ctx, fmt.Sprintf(otelTableDDL, table)))

			want := makeRows(2500)
			batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table)
			require.NoError(t, err)
			for _, r := range want {
				require.NoError(t, batch.Append(r.ID, r.TS, r.Attrs, r.Tags, r.Svc, r.N, r.Body))
			}
			require.NoError(t, batch.Send())

			rows, err := conn.Query(ctx, "SELECT id, ts, attrs, tags, svc, n, body FROM "+table+" ORDER BY id")
			require.NoError(t, err)
			defer rows.Close()
			var got []otelRow
			for rows.Next() {
				var r otelRow
				require.NoError(t, rows.Scan(&r.ID, &r.TS, &r.Attrs, &r.Tags, &r.Svc, &r.N, &r.Body))
				got = append(got, r)
			}
			require.NoError(t, rows.Err())
			require.Len(t, got, len(want))
			for i := range want {
				assert.True(t, want[i].TS.Equal(got[i].TS), "row %d ts: want %v got %v", i, want[i].TS, got[i].TS)
				got[i].TS = want[i].TS
				assert.Equal(t, want[i], got[i], "row %d", i)
			}

			var count uint64
			require.NoError(t, conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE svc = 'svc-1'").Scan(&count))
			assert.Equal(t, uint64(625), count)
		})
	}
}

func TestClickHouseGoError(t *testing.T) {
	addr := needServer(t)
	ctx := context.Background()
	conn := openHTTP(t, addr, clickhouse.CompressionLZ4)

	_, err := conn.Query(ctx, "SELECT * FROM no_such_table")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Code: 60.")
	assert.Contains(t, err.Error(), "UNKNOWN_TABLE")

	// clickhouse-go's Exec does not send compress=1 but still reads error
	// bodies through its lz4 reader, so with lz4 the text is lost (as with a
	// real server); check the exception text on a plain connection.
	require.Error(t, conn.Exec(ctx, "CREATE TABLEE x"))
	err = openHTTP(t, addr, clickhouse.CompressionNone).Exec(ctx, "CREATE TABLEE x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Code: 62.")
	assert.Contains(t, err.Error(), "SYNTAX_ERROR")

	// The connection stays usable after errors.
	var one uint8
	require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))
	assert.Equal(t, uint8(1), one)
}

func TestClickHouseGoParamsAndSettings(t *testing.T) {
	addr := needServer(t)
	conn := openHTTP(t, addr, clickhouse.CompressionNone)

	ctx := clickhouse.Context(context.Background(), clickhouse.WithParameters(clickhouse.Parameters{
		"s": "it's a \\ test", "n": "41",
	}))
	var s string
	var n uint64
	require.NoError(t, conn.QueryRow(ctx, "SELECT {s:String}, {n:UInt64} + 1").Scan(&s, &n))
	assert.Equal(t, "it's a \\ test", s)
	assert.Equal(t, uint64(42), n)

	// Client-side positional binding.
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT ?", "x'y").Scan(&s))
	assert.Equal(t, "x'y", s)

	// Per-query settings apply to that query only.
	ctx = clickhouse.Context(context.Background(), clickhouse.WithSettings(clickhouse.Settings{"max_threads": 3}))
	require.NoError(t, conn.QueryRow(ctx, "SELECT toUInt64(getSetting('max_threads'))").Scan(&n))
	assert.Equal(t, uint64(3), n)
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT toUInt64(getSetting('max_threads'))").Scan(&n))
	assert.NotEqual(t, uint64(3), n)

	var tz string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT timezone()").Scan(&tz))
	assert.Equal(t, "UTC", tz)
}

func httpQuery(t *testing.T, addr, params string, body io.Reader, header map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/?"+params, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, string(b)
}

func TestPlainHTTP(t *testing.T) {
	addr := needServer(t)
	f := func(params, body string, wantBody string) {
		t.Helper()
		code, _, got := httpQuery(t, addr, params, strings.NewReader(body), nil)
		require.Equal(t, http.StatusOK, code, got)
		assert.Equal(t, wantBody, got)
	}
	f("", "DROP TABLE IF EXISTS plain", "")
	f("", "CREATE TABLE plain (a UInt32, s String, ts DateTime) ENGINE = MergeTree ORDER BY a", "")
	f("query="+url.QueryEscape("INSERT INTO plain FORMAT JSONEachRow"), `{"a":1,"s":"x","ts":"2024-01-02 03:04:05"}`+"\n", "")
	f("", "INSERT INTO plain FORMAT TabSeparated\n2\ty\t2024-01-02 03:04:06\n", "")
	f("query="+url.QueryEscape("INSERT INTO plain VALUES"), "(3, 'z', '2024-01-02 03:04:07')", "")
	f("", "SELECT a, s, ts FROM plain ORDER BY a",
		"1\tx\t2024-01-02 03:04:05\n2\ty\t2024-01-02 03:04:06\n3\tz\t2024-01-02 03:04:07\n")
	f("default_format=JSONEachRow", "SELECT a, s FROM plain ORDER BY a",
		`{"a":1,"s":"x"}`+"\n"+`{"a":2,"s":"y"}`+"\n"+`{"a":3,"s":"z"}`+"\n")
	f("", "SELECT a FROM plain WHERE a = 2 FORMAT CSV", "2\n")
	f("database=system", "SELECT name FROM tables WHERE database = 'default' AND name = 'plain'", "plain\n")

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = io.WriteString(zw, "4,w,2024-01-02 03:04:08\n")
	require.NoError(t, zw.Close())
	code, _, got := httpQuery(t, addr, "query="+url.QueryEscape("INSERT INTO plain FORMAT CSV"), &gz, map[string]string{"Content-Encoding": "gzip"})
	require.Equal(t, http.StatusOK, code, got)
	f("", "SELECT count() FROM plain", "4\n")

	code, h, got := httpQuery(t, addr, "", strings.NewReader("SELECT * FROM plain_missing"), nil)
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, "60", h.Get("X-ClickHouse-Exception-Code"))
	assert.True(t, strings.HasPrefix(got, "Code: 60. DB::Exception: "), got)

	code, h, got = httpQuery(t, addr, "no_such_setting=1", strings.NewReader("SELECT 1"), nil)
	assert.Equal(t, http.StatusInternalServerError, code, got)
	assert.Equal(t, "115", h.Get("X-ClickHouse-Exception-Code"))

	res, err := http.Get("http://" + addr + "/ping")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "Ok.\n", string(b))
}

func TestRestartKeepsData(t *testing.T) {
	needServer(t)
	dir := filepath.Join(t.TempDir(), "data")
	srv, err := startServer(shared.bin, shared.lib, dir)
	require.NoError(t, err)
	t.Logf("ready after %v", srv.ready)
	ctx := context.Background()
	conn := openHTTP(t, srv.addr, clickhouse.CompressionLZ4)
	require.NoError(t, conn.Exec(ctx, fmt.Sprintf(otelTableDDL, "kept")))
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO kept")
	require.NoError(t, err)
	for _, r := range makeRows(10) {
		require.NoError(t, batch.Append(r.ID, r.TS, r.Attrs, r.Tags, r.Svc, r.N, r.Body))
	}
	require.NoError(t, batch.Send())
	require.NoError(t, conn.Close())
	require.NoError(t, srv.stop())

	srv, err = startServer(shared.bin, shared.lib, dir)
	require.NoError(t, err)
	defer func() { assert.NoError(t, srv.stop()) }()
	conn = openHTTP(t, srv.addr, clickhouse.CompressionNone)
	var count uint64
	var attrs map[string]string
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(), any(attrs) FROM kept WHERE id = 7 GROUP BY id").Scan(&count, &attrs))
	assert.Equal(t, uint64(1), count)
	assert.Equal(t, map[string]string{"http.method": "GET", "i": "7"}, attrs)
}

func TestClickHouseGoLargeAndEmptyResults(t *testing.T) {
	addr := needServer(t)
	ctx := context.Background()
	conn := openHTTP(t, addr, clickhouse.CompressionLZ4)

	// Several chDB output blocks and several compressed frames.
	rows, err := conn.Query(ctx, "SELECT number, toString(number) FROM numbers(300000)")
	require.NoError(t, err)
	var n, sum uint64
	for rows.Next() {
		var v uint64
		var s string
		require.NoError(t, rows.Scan(&v, &s))
		require.Equal(t, fmt.Sprint(v), s)
		n++
		sum += v
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, uint64(300000), n)
	assert.Equal(t, uint64(300000*299999/2), sum)

	rows, err = conn.Query(ctx, "SELECT number FROM numbers(10) WHERE number > 100")
	require.NoError(t, err)
	assert.False(t, rows.Next())
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
}

// ClickHouse applies a SET sent over HTTP without a session to that request
// only; on the shared chDB session it must not change later requests.
func TestSetInBodyStaysInItsRequest(t *testing.T) {
	addr := needServer(t)
	code, _, got := httpQuery(t, addr, "", strings.NewReader("SET max_result_rows = 1"), nil)
	require.Equal(t, http.StatusOK, code, got)
	assert.Empty(t, got)
	code, _, got = httpQuery(t, addr, "", strings.NewReader("SELECT number FROM numbers(3)"), nil)
	require.Equal(t, http.StatusOK, code, got)
	assert.Equal(t, "0\n1\n2\n", got)

	code, _, got = httpQuery(t, addr, "", strings.NewReader("SET max_threads = 1 -- a trailing comment"), nil)
	require.Equal(t, http.StatusOK, code, got)
	assert.Empty(t, got)

	code, h, got := httpQuery(t, addr, "", strings.NewReader("SET no_such_setting = 1"), nil)
	assert.Equal(t, http.StatusInternalServerError, code, got)
	assert.Equal(t, "115", h.Get("X-ClickHouse-Exception-Code"))
}

// A long statement does not hold back a short one, as on a server: the
// short one is answered while the long one still runs.
func TestLongStatementDoesNotHoldOthers(t *testing.T) {
	addr := needServer(t)
	long := make(chan string, 1)
	go func() {
		_, _, got := httpQuery(t, addr, "", strings.NewReader("SELECT count() FROM numbers(6) WHERE sleepEachRow(0.5) = 0 SETTINGS max_block_size = 1"), nil)
		long <- got
	}()
	time.Sleep(300 * time.Millisecond) // let it start
	code, _, got := httpQuery(t, addr, "", strings.NewReader("SELECT 42"), nil)
	require.Equal(t, http.StatusOK, code, got)
	assert.Equal(t, "42\n", got)
	select {
	case got := <-long:
		t.Fatalf("the long statement ended first (%q): statements ran one at a time", got)
	default:
	}
	assert.Equal(t, "6\n", <-long)
}
