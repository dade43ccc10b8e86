package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
)

// ClickHouse error codes the front raises itself (ErrorCodes.cpp).
const (
	codeBadArguments     = 36
	codeNotImplemented   = 48
	codeSyntaxError      = 62
	codeCannotOpenFile   = 76
	codeTooManyBytes     = 307
	codeCannotDecompress = 271
	codeStdException     = 1001
)

// chError is an exception in ClickHouse's shape: a numeric code and the
// "Code: N. DB::Exception: ..." text clients print.
type chError struct {
	code   int
	msg    string // full text, starting with "Code: N."
	status int    // HTTP status
}

func (e *chError) Error() string { return e.msg }

var codeRe = regexp.MustCompile(`Code: (\d+)\.`)

// engineError turns a chDB error into a chError. chDB already formats
// errors as "Code: N. DB::Exception: ... (NAME)"; anything else is wrapped
// as a std::exception, which is what ClickHouse reports for foreign errors.
func engineError(err error) *chError {
	var ce *chError
	if errors.As(err, &ce) {
		return ce
	}
	msg := strings.TrimSpace(err.Error())
	if m := codeRe.FindStringSubmatchIndex(msg); m != nil {
		code, convErr := strconv.Atoi(msg[m[2]:m[3]])
		if convErr == nil {
			return &chError{code: code, msg: msg[m[0]:], status: http.StatusInternalServerError}
		}
	}
	return &chError{
		code:   codeStdException,
		msg:    fmt.Sprintf("Code: %d. DB::Exception: %s. (STD_EXCEPTION)", codeStdException, msg),
		status: http.StatusInternalServerError,
	}
}

// requestError is an error in the request itself (bad compression, empty
// query), reported with 400 like ClickHouse does.
func requestError(code int, name, format string, args ...any) *chError {
	return &chError{
		code:   code,
		msg:    fmt.Sprintf("Code: %d. DB::Exception: %s. (%s)", code, fmt.Sprintf(format, args...), name),
		status: http.StatusBadRequest,
	}
}

// bodyTooLarge reports a request body above --max-body-bytes (after
// decoding), with 413 so that clients do not retry it unchanged.
func bodyTooLarge(limit int64) *chError {
	e := requestError(codeTooManyBytes, "TOO_MANY_BYTES", "Request body is larger than %d bytes after decoding (--max-body-bytes)", limit)
	e.status = http.StatusRequestEntityTooLarge
	return e
}

func writeError(w http.ResponseWriter, err error) {
	writeErrorFramed(w, err, false)
}

// writeErrorFramed writes the exception; with compress=1 ClickHouse sends it
// inside the compressed stream like any other response, and clickhouse-go
// reads it that way.
func writeErrorFramed(w http.ResponseWriter, err error, framed bool) {
	ce := engineError(err)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("X-ClickHouse-Exception-Code", strconv.Itoa(ce.code))
	h.Del("Content-Encoding")
	body := []byte(ce.msg + "\n")
	if framed {
		var buf bytes.Buffer
		if writeNativeCompressed(&buf, body, compress.LZ4) == nil {
			body = buf.Bytes()
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(ce.status)
	_, _ = w.Write(body)
}
