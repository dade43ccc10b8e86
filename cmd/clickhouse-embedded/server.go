package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// defaultMaxBody is the default of --max-body-bytes.
const defaultMaxBody = 1 << 30

// server is ClickHouse's HTTP interface in front of a pool of chDB sessions.
type server struct {
	// sessions holds the idle sessions. A request takes one for its
	// USE/SET/query/reset, so it sees only its own database and settings
	// while other requests run on the other sessions in parallel.
	sessions chan engine
	all      []engine
	tmpDir   string // where INSERT data bodies are spooled for FROM INFILE
	log      *slog.Logger
	// maxBody bounds the decoded request body (statement and INSERT data),
	// which is held in memory.
	maxBody int64
	// cut, when set (tests only), drops the response of committed INSERTs (fault.go).
	cut *cutAfterCommit

	// params serialises the requests that carry query parameters: libchdb
	// does not keep a connection's parameters apart from another's while
	// both run (chdb-node found them clobbered, and the engine aborting),
	// and a parameter cannot be unset afterwards.
	params sync.Mutex
}

func newServer(tmpDir string, log *slog.Logger, engs ...engine) *server {
	s := &server{sessions: make(chan engine, len(engs)), all: engs, tmpDir: tmpDir, log: log, maxBody: defaultMaxBody}
	for _, e := range engs {
		s.sessions <- e
	}
	return s
}

// close ends every session once no request holds one.
func (s *server) close() {
	for range s.all {
		(<-s.sessions).Close()
	}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, _ *http.Request) { writeOk(w) })
	mux.HandleFunc("/{$}", s.handleQuery)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &chError{
			code:   codeBadArguments,
			msg:    fmt.Sprintf("Code: %d. DB::Exception: There is no handle %s. Use / for queries and /ping for health checks. (BAD_ARGUMENTS)", codeBadArguments, r.URL.Path),
			status: http.StatusNotFound,
		})
	})
	return mux
}

func writeOk(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	_, _ = io.WriteString(w, "Ok.\n")
}

func (s *server) handleQuery(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if !r.URL.Query().Has("query") {
			writeOk(w)
			return
		}
	case http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, requestError(codeBadArguments, "BAD_ARGUMENTS", "Method %s is not supported", r.Method))
		return
	}
	start := time.Now()
	query := r.URL.Query()
	fail := func(err error) { writeErrorFramed(w, err, isTrue(query.Get("compress"))) }
	req, err := parseParams(query, r.Header)
	if err != nil {
		fail(err)
		return
	}
	text, err := readStatement(r, req, s.maxBody)
	if err != nil {
		fail(err)
		return
	}
	res, format, err := s.run(req, text)
	if err != nil {
		s.log.Debug("query failed", "query", abbreviate(text), "error", err)
		fail(err)
		return
	}
	s.log.Debug("query", "query", abbreviate(text), "format", format, "bytes", len(res.Data), "duration", time.Since(start), "engine", res.Elapsed)
	if s.cut.take(text) {
		s.log.Warn("fault injection: committed INSERT, closing the connection without a response", "query", abbreviate(text))
		cut(w)
		return
	}
	body, err := encodeBody(res.Data, format, req)
	if err != nil {
		fail(err)
		return
	}
	h := w.Header()
	if req.httpCompression {
		if enc := responseEncoding(r.Header.Get("Accept-Encoding")); enc != "" {
			var buf bytes.Buffer
			zw, err := httpEncoder(enc, &buf)
			if err == nil {
				_, err = zw.Write(body)
			}
			if err == nil {
				err = zw.Close()
			}
			if err != nil {
				fail(err)
				return
			}
			body = buf.Bytes()
			h.Set("Content-Encoding", enc)
		}
	}
	queryID := req.queryID
	if queryID == "" {
		queryID = uuid.NewString()
	}
	h.Set("Content-Type", contentType(format, req.compressOut))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-ClickHouse-Query-Id", queryID)
	h.Set("X-ClickHouse-Format", format)
	h.Set("X-ClickHouse-Timezone", "UTC")
	h.Set("X-ClickHouse-Server-Display-Name", "clickhouse-embedded")
	h.Set("X-ClickHouse-Summary", summary(res))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// readStatement returns the statement text followed by any inline data, the
// way ClickHouse builds it: the query= parameter, a line break, then the
// (decoded) POST body.
// The decoded body is limited to maxBody bytes.
func readStatement(r *http.Request, req *request, maxBody int64) ([]byte, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); strings.HasPrefix(ct, "multipart/") {
		return nil, requestError(codeNotImplemented, "NOT_IMPLEMENTED", "External tables (multipart/form-data requests) are not supported by clickhouse-embedded")
	}
	var body []byte
	if r.Method == http.MethodPost && r.Body != nil {
		dec, err := httpDecoder(r.Header.Get("Content-Encoding"), r.Body)
		if err != nil {
			return nil, decodeError(err)
		}
		defer dec.Close()
		if req.decompressIn {
			body, err = readNativeCompressed(dec, maxBody)
		} else {
			lr := &io.LimitedReader{R: dec, N: maxBody + 1}
			body, err = io.ReadAll(lr)
			if err == nil && int64(len(body)) > maxBody {
				err = bodyTooLarge(maxBody)
			}
		}
		if err != nil {
			return nil, decodeError(err)
		}
	}
	var text []byte
	switch {
	case req.queryParam == "":
		text = body
	case len(body) == 0:
		text = []byte(req.queryParam)
	default:
		text = make([]byte, 0, len(req.queryParam)+1+len(body))
		text = append(text, req.queryParam...)
		text = append(text, '\n')
		text = append(text, body...)
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, requestError(codeSyntaxError, "SYNTAX_ERROR", "Empty query")
	}
	return text, nil
}

func decodeError(err error) error {
	if _, ok := err.(*chError); ok {
		return err
	}
	return requestError(codeCannotDecompress, "CANNOT_DECOMPRESS", "Cannot decode request body: %v", err)
}

// run executes the statement in the request's database with its settings.
// INSERTs with a data part are rewritten to read the data from a temporary
// file, because chDB cannot parse Native (and is slow with large) inline data.
func (s *server) run(req *request, text []byte) (result, string, error) {
	sql := string(text)
	if ins, ok := splitInsert(text); ok {
		path, err := s.spool(ins.data)
		if err != nil {
			return result{}, "", err
		}
		defer os.Remove(path)
		sql = ins.fromInfile(path)
	}
	format := firstNonEmpty(outputFormat(sql), req.defaultFormat)
	if set, ok := setAssignments(sql); ok {
		sql = "SELECT 1 SETTINGS " + set + "\nFORMAT Null" // a trailing -- comment ends at the line break
	}

	apply, reset := req.setStatements()
	if req.hasParams() {
		s.params.Lock()
		defer s.params.Unlock()
	}
	eng := <-s.sessions
	defer func() { s.sessions <- eng }()
	if _, err := eng.Query("USE "+quoteIdent(req.database), "TabSeparated"); err != nil {
		return result{}, "", err
	}
	if apply != "" {
		if _, err := eng.Query(apply, "TabSeparated"); err != nil {
			s.resetSettings(eng, reset)
			return result{}, "", err
		}
		defer s.resetSettings(eng, reset)
	}
	res, err := eng.Query(sql, req.defaultFormat)
	return res, format, err
}

func (s *server) resetSettings(eng engine, reset string) {
	if reset == "" {
		return
	}
	if _, err := eng.Query(reset, "TabSeparated"); err != nil {
		// A setting rejected by the apply step is also rejected here; the
		// others were still restored, so this is only worth a debug line.
		s.log.Debug("resetting settings failed", "error", err)
	}
}

func (s *server) spool(data []byte) (string, error) {
	f, err := os.CreateTemp(s.tmpDir, "clickhouse-embedded-insert-*.data")
	if err != nil {
		return "", requestError(codeCannotOpenFile, "CANNOT_OPEN_FILE", "Cannot spool INSERT data: %v", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", requestError(codeCannotOpenFile, "CANNOT_OPEN_FILE", "Cannot spool INSERT data: %v", err)
	}
	return f.Name(), nil
}

// encodeBody applies the Native upgrade and compress=1 framing.
func encodeBody(data []byte, format string, req *request) ([]byte, error) {
	if strings.EqualFold(format, "Native") {
		var err error
		if data, err = upgradeNative(data, req.protocolVersion); err != nil {
			return nil, err
		}
	}
	if !req.compressOut || len(data) == 0 {
		return data, nil
	}
	method, err := nativeMethod(req.nativeMethod)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeNativeCompressed(&buf, data, method); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func contentType(format string, framed bool) string {
	if framed {
		return "application/octet-stream"
	}
	f := strings.ToLower(format)
	switch {
	case strings.HasPrefix(f, "tabseparated"), strings.HasPrefix(f, "tsv"):
		return "text/tab-separated-values; charset=UTF-8"
	case strings.HasPrefix(f, "csv"):
		return "text/csv; charset=UTF-8; header=absent"
	case strings.HasPrefix(f, "json"):
		return "application/json; charset=UTF-8"
	case f == "native", strings.HasPrefix(f, "rowbinary"), f == "parquet", f == "arrow", f == "arrowstream", f == "orc", f == "avro":
		return "application/octet-stream"
	}
	return "text/plain; charset=UTF-8"
}

func summary(res result) string {
	b, _ := json.Marshal(map[string]string{
		"read_rows":  strconv.FormatUint(res.RowsRead, 10),
		"read_bytes": strconv.FormatUint(res.BytesRead, 10),
		"elapsed_ns": strconv.FormatInt(res.Elapsed.Nanoseconds(), 10),
	})
	return string(b)
}

func abbreviate(text []byte) string {
	const max = 300
	if len(text) > max {
		return string(text[:max]) + "…"
	}
	return string(text)
}
