package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestServer(t *testing.T, respond func(sql, format string) (result, error)) (*fakeEngine, *httptest.Server) {
	t.Helper()
	eng := &fakeEngine{respond: respond}
	ts := httptest.NewServer(newServer(t.TempDir(), slog.New(slog.DiscardHandler), eng).routes())
	t.Cleanup(ts.Close)
	return eng, ts
}

func post(t *testing.T, url string, body io.Reader, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func echo(sql, format string) (result, error) {
	return result{Data: []byte(format + ":" + sql), RowsRead: 7, BytesRead: 9}, nil
}

func TestPingAndRoot(t *testing.T) {
	_, ts := newTestServer(t, echo)
	for _, path := range []string{"/ping", "/"} {
		res, err := http.Get(ts.URL + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "Ok.\n", string(b), path)
	}
	res, err := http.Get(ts.URL + "/nope")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestQuerySources(t *testing.T) {
	eng, ts := newTestServer(t, echo)
	f := func(path, body, wantBody string) {
		t.Helper()
		res, got := post(t, ts.URL+path, strings.NewReader(body), nil)
		require.Equal(t, http.StatusOK, res.StatusCode, got)
		assert.Equal(t, wantBody, got)
	}
	f("/", "SELECT 1", "TabSeparated:SELECT 1")
	f("/?query=SELECT+1", "", "TabSeparated:SELECT 1")
	f("/?query=SELECT", "1", "TabSeparated:SELECT\n1") // ClickHouse joins query= and body with a line break
	f("/?default_format=JSONEachRow", "SELECT 1", "JSONEachRow:SELECT 1")

	res, err := http.Get(ts.URL + "/?query=SELECT+2")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "TabSeparated:SELECT 2", string(b))
	assert.Contains(t, eng.statements(), "USE `default`")
}

func TestDatabaseSettingsAndParams(t *testing.T) {
	eng, ts := newTestServer(t, echo)
	res, body := post(t, ts.URL+"/?database=otel&max_execution_time=3&date_time_input_format=best_effort&param_svc=it's&compress=0&wait_end_of_query=1&session_id=x&client_protocol_version=54460&query_id=q1",
		strings.NewReader("SELECT {svc:String}"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, []string{
		"USE `otel`",
		`SET date_time_input_format = 'best_effort', max_execution_time = 3, param_svc = 'it\'s'`,
		"SELECT {svc:String}",
		"SET date_time_input_format = DEFAULT, max_execution_time = DEFAULT",
	}, eng.statements())
	assert.Equal(t, "q1", res.Header.Get("X-ClickHouse-Query-Id"))
	assert.Equal(t, "TabSeparated", res.Header.Get("X-ClickHouse-Format"))
	assert.JSONEq(t, `{"read_rows":"7","read_bytes":"9","elapsed_ns":"0"}`, res.Header.Get("X-ClickHouse-Summary"))
}

func TestSettingsResetAfterFailure(t *testing.T) {
	eng, ts := newTestServer(t, func(string, string) (result, error) {
		return result{}, errors.New("Code: 159. DB::Exception: Timeout exceeded. (TIMEOUT_EXCEEDED)")
	})
	res, _ := post(t, ts.URL+"/?max_execution_time=1", strings.NewReader("SELECT sleep(3)"), nil)
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	stmts := eng.statements()
	assert.Equal(t, "SET max_execution_time = DEFAULT", stmts[len(stmts)-1])
}

func TestParamsOnlyNeedNoReset(t *testing.T) {
	eng, ts := newTestServer(t, echo)
	res, body := post(t, ts.URL+"/?param_x=1", strings.NewReader("SELECT {x:UInt8}"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, []string{"USE `default`", "SET param_x = '1'", "SELECT {x:UInt8}"}, eng.statements())
}

func TestBadSettingName(t *testing.T) {
	eng, ts := newTestServer(t, echo)
	res, body := post(t, ts.URL+"/?x%3D1%3BDROP=1", strings.NewReader("SELECT 1"), nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "115", res.Header.Get("X-ClickHouse-Exception-Code"))
	assert.Contains(t, body, "Unknown setting")
	assert.Empty(t, eng.statements(), "nothing may reach the engine")
}

func TestErrorMapping(t *testing.T) {
	f := func(engineErr, wantCode, wantBody string) {
		t.Helper()
		_, ts := newTestServer(t, func(string, string) (result, error) { return result{}, errors.New(engineErr) })
		res, body := post(t, ts.URL, strings.NewReader("SELECT x"), nil)
		assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
		assert.Equal(t, wantCode, res.Header.Get("X-ClickHouse-Exception-Code"))
		assert.Equal(t, wantBody+"\n", body)
	}
	f("Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)", "60",
		"Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)")
	f("Received exception:\nCode: 62. DB::Exception: Syntax error. (SYNTAX_ERROR)\n", "62",
		"Code: 62. DB::Exception: Syntax error. (SYNTAX_ERROR)")
	f("std::bad_alloc", "1001", "Code: 1001. DB::Exception: std::bad_alloc. (STD_EXCEPTION)")
}

func TestEmptyQuery(t *testing.T) {
	_, ts := newTestServer(t, echo)
	res, body := post(t, ts.URL, strings.NewReader("  \n"), nil)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, "62", res.Header.Get("X-ClickHouse-Exception-Code"))
	assert.Contains(t, body, "Empty query")
}

// insertEngine captures the spooled file of an INSERT ... FROM INFILE.
func insertEngine(t *testing.T, got *[]byte, gotSQL *string) func(sql, format string) (result, error) {
	re := regexp.MustCompile(`FROM INFILE '([^']+)'`)
	return func(sql, _ string) (result, error) {
		m := re.FindStringSubmatch(sql)
		if m == nil {
			*gotSQL = sql
			return result{}, nil
		}
		*gotSQL = strings.Replace(sql, m[1], "FILE", 1)
		b, err := os.ReadFile(m[1])
		require.NoError(t, err)
		*got = b
		return result{}, nil
	}
}

func TestInsertBodyIsSpooled(t *testing.T) {
	var data []byte
	var sql string
	_, ts := newTestServer(t, insertEngine(t, &data, &sql))
	native := []byte{' ', '\t', 0, 1, 2, '\n'}
	res, body := post(t, ts.URL+"/?query=INSERT+INTO+t+(a)+FORMAT+Native", bytes.NewReader(native), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, "INSERT INTO t (a) FROM INFILE 'FILE' FORMAT Native", sql)
	assert.Equal(t, native, data)

	res, body = post(t, ts.URL, strings.NewReader("INSERT INTO t FORMAT JSONEachRow\n{\"a\":1}\n"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, "INSERT INTO t FROM INFILE 'FILE' FORMAT JSONEachRow", sql)
	assert.Equal(t, "{\"a\":1}\n", string(data))

	res, body = post(t, ts.URL+"/?query=INSERT+INTO+t+VALUES", strings.NewReader("(1)"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Equal(t, "INSERT INTO t VALUES\n(1)", sql, "VALUES stays inline SQL")
}

func TestSpoolFilesRemoved(t *testing.T) {
	var data []byte
	var sql string
	eng := &fakeEngine{respond: insertEngine(t, &data, &sql)}
	dir := t.TempDir()
	ts := httptest.NewServer(newServer(dir, slog.New(slog.DiscardHandler), eng).routes())
	defer ts.Close()
	res, _ := post(t, ts.URL+"/?query=INSERT+INTO+t+FORMAT+CSV", strings.NewReader("1\n"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestRequestContentEncodings(t *testing.T) {
	payload := "INSERT INTO t FORMAT CSV\n1,2\n3,4\n"
	enc := map[string]func(io.Writer) io.WriteCloser{
		"gzip":    func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate": func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"br":      func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
		"zstd": func(w io.Writer) io.WriteCloser {
			z, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
			require.NoError(t, err)
			return z
		},
		"lz4": func(w io.Writer) io.WriteCloser { return lz4.NewWriter(w) },
	}
	for name, mk := range enc {
		t.Run(name, func(t *testing.T) {
			var data []byte
			var sql string
			_, ts := newTestServer(t, insertEngine(t, &data, &sql))
			var buf bytes.Buffer
			zw := mk(&buf)
			_, err := zw.Write([]byte(payload))
			require.NoError(t, err)
			require.NoError(t, zw.Close())
			res, body := post(t, ts.URL, &buf, map[string]string{"Content-Encoding": name})
			require.Equal(t, http.StatusOK, res.StatusCode, body)
			assert.Equal(t, "1,2\n3,4\n", string(data))
		})
	}
	t.Run("unknown", func(t *testing.T) {
		_, ts := newTestServer(t, echo)
		res, body := post(t, ts.URL, strings.NewReader("SELECT 1"), map[string]string{"Content-Encoding": "snappy"})
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Contains(t, body, "Unknown Content-Encoding")
	})
	t.Run("corrupt", func(t *testing.T) {
		_, ts := newTestServer(t, echo)
		res, body := post(t, ts.URL, strings.NewReader("not gzip"), map[string]string{"Content-Encoding": "gzip"})
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Equal(t, "271", res.Header.Get("X-ClickHouse-Exception-Code"), body)
	})
}

func TestNativeFrameCompression(t *testing.T) {
	for _, m := range []compress.Method{compress.LZ4, compress.ZSTD, compress.None} {
		t.Run(m.String(), func(t *testing.T) {
			var data []byte
			var sql string
			_, ts := newTestServer(t, insertEngine(t, &data, &sql))
			// Larger than one frame so that multi-frame bodies are covered.
			payload := bytes.Repeat([]byte("0123456789abcdef"), maxFrame/16+1000)
			var body bytes.Buffer
			require.NoError(t, writeNativeCompressed(&body, payload, m))
			res, msg := post(t, ts.URL+"/?decompress=1&query=INSERT+INTO+t+FORMAT+Native", &body, nil)
			require.Equal(t, http.StatusOK, res.StatusCode, msg)
			assert.Equal(t, payload, data)
		})
	}
	t.Run("corrupt frame", func(t *testing.T) {
		_, ts := newTestServer(t, echo)
		var body bytes.Buffer
		require.NoError(t, writeNativeCompressed(&body, []byte("INSERT INTO t FORMAT CSV\n1\n"), compress.LZ4))
		b := body.Bytes()
		b[len(b)-1] ^= 0xff
		res, msg := post(t, ts.URL+"/?decompress=1", bytes.NewReader(b), nil)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
		assert.Contains(t, msg, "CANNOT_DECOMPRESS")
	})
	t.Run("truncated frame", func(t *testing.T) {
		_, ts := newTestServer(t, echo)
		var body bytes.Buffer
		require.NoError(t, writeNativeCompressed(&body, []byte("SELECT 1"), compress.LZ4))
		res, _ := post(t, ts.URL+"/?decompress=1", bytes.NewReader(body.Bytes()[:body.Len()-2]), nil)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	})
}

func TestCompressedResponse(t *testing.T) {
	payload := strings.Repeat("row\tvalue\n", 200000)
	_, ts := newTestServer(t, func(string, string) (result, error) { return result{Data: []byte(payload)}, nil })
	for _, q := range []string{"compress=1", "compress=1&network_compression_method=zstd"} {
		res, body := post(t, ts.URL+"/?"+q, strings.NewReader("SELECT x"), nil)
		require.Equal(t, http.StatusOK, res.StatusCode)
		got, err := io.ReadAll(compress.NewReader(strings.NewReader(body)))
		if err != nil && !errors.Is(err, io.EOF) {
			require.NoError(t, err)
		}
		assert.Equal(t, payload, string(got), q)
		assert.Less(t, len(body), len(payload)/10, q)
	}

	res, body := post(t, ts.URL+"/?enable_http_compression=1", strings.NewReader("SELECT x"), map[string]string{"Accept-Encoding": "gzip"})
	require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(strings.NewReader(body))
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, payload, string(got))

	res, body = post(t, ts.URL, strings.NewReader("SELECT x"), map[string]string{"Accept-Encoding": "gzip"})
	assert.Empty(t, res.Header.Get("Content-Encoding"), "ClickHouse compresses only with enable_http_compression=1")
	assert.Equal(t, payload, body)
}

func TestNativeUpgradeInResponse(t *testing.T) {
	b := testBlock(t, 2)
	raw := encodeBlock(t, b, 0)
	_, ts := newTestServer(t, func(string, string) (result, error) { return result{Data: raw}, nil })
	res, body := post(t, ts.URL+"/?default_format=Native&client_protocol_version=54460", strings.NewReader("SELECT *"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, string(encodeBlock(t, b, clientRevision)), body)
	assert.Equal(t, "application/octet-stream", res.Header.Get("Content-Type"))

	// An explicit FORMAT in the query wins over default_format.
	res, body = post(t, ts.URL+"/?default_format=Native&client_protocol_version=54460", strings.NewReader("SELECT * FORMAT RowBinary"), nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, string(raw), body)
	assert.Equal(t, "RowBinary", res.Header.Get("X-ClickHouse-Format"))
}

func TestMultipartRejected(t *testing.T) {
	_, ts := newTestServer(t, echo)
	res, body := post(t, ts.URL, strings.NewReader("--x--"), map[string]string{"Content-Type": "multipart/form-data; boundary=x"})
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, body, "External tables")
}

func TestErrorIsFramedWithCompress(t *testing.T) {
	_, ts := newTestServer(t, func(string, string) (result, error) {
		return result{}, errors.New("Code: 60. DB::Exception: Unknown table. (UNKNOWN_TABLE)")
	})
	res, body := post(t, ts.URL+"/?compress=1", strings.NewReader("SELECT * FROM x"), nil)
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	assert.Equal(t, "60", res.Header.Get("X-ClickHouse-Exception-Code"))
	got, err := io.ReadAll(compress.NewReader(strings.NewReader(body)))
	if err != nil && !errors.Is(err, io.EOF) {
		require.NoError(t, err)
	}
	assert.Equal(t, "Code: 60. DB::Exception: Unknown table. (UNKNOWN_TABLE)\n", string(got))
}

// A body over the limit, also one that only grows past it when decoded
// (a gzip bomb), is refused instead of being read into memory.
func TestBodyLimit(t *testing.T) {
	eng := &fakeEngine{respond: echo}
	s := newServer(t.TempDir(), slog.New(slog.DiscardHandler), eng)
	s.maxBody = 1 << 10
	ts := httptest.NewServer(s.routes())
	defer ts.Close()

	res, body := post(t, ts.URL+"/?query=INSERT+INTO+t+FORMAT+CSV", strings.NewReader(strings.Repeat("1\n", 512)), nil)
	assert.Equal(t, http.StatusOK, res.StatusCode, body)

	f := func(name string, data []byte, header map[string]string, query string) {
		t.Helper()
		res, body := post(t, ts.URL+"/?query=INSERT+INTO+t+FORMAT+CSV"+query, bytes.NewReader(data), header)
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode, name)
		assert.Equal(t, "307", res.Header.Get("X-ClickHouse-Exception-Code"), name)
		assert.Contains(t, body, "TOO_MANY_BYTES", name)
	}
	big := []byte(strings.Repeat("1\n", 4<<10))
	f("plain", big, nil, "")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(big)
	require.NoError(t, zw.Close())
	require.Less(t, gz.Len(), 1<<10)
	f("gzip", gz.Bytes(), map[string]string{"Content-Encoding": "gzip"}, "")
	var framed bytes.Buffer
	require.NoError(t, writeNativeCompressed(&framed, big, compress.LZ4))
	require.Less(t, framed.Len(), 1<<10)
	f("decompress=1", framed.Bytes(), nil, "&decompress=1")
	assert.Len(t, eng.statements(), 2, "only the request under the limit reaches the engine")
}
