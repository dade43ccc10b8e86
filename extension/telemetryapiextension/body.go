package telemetryapiextension

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// The API's confighttp server is configured not to decompress (compression_algorithms: []):
// confighttp would inflate bodies before the key check, for anyone. decodeBody runs in the router
// after authentication, the role and tenant checks, so only a caller holding a key with the route's
// role makes the server inflate anything, and every answer is audited.

// bodyError is the answer when the body cannot be used.
type bodyError struct {
	status    int
	code, msg string
}

// decodeBody replaces a compressed body by its decompressed bytes, at most limit of them, and drops
// Content-Encoding so a handler that decodes gzip itself (the events receiver on its own endpoint)
// does not decode twice. Without Content-Encoding the body is left as it is: confighttp's
// max_request_body_size already bounds it, and a declared length over limit is refused here early.
func decodeBody(r *http.Request, limit int64) *bodyError {
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	if enc == "" || enc == "identity" {
		if r.ContentLength > limit {
			return tooLarge(limit)
		}
		return nil
	}
	open, ok := decoders[enc]
	if !ok {
		if len(enc) > 64 {
			enc = enc[:64] + "..."
		}
		return &bodyError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("Content-Encoding %q is not supported; use gzip, deflate, zstd or none", enc)}
	}
	zr, err := open(r.Body, limit)
	if err != nil {
		return invalidBody(enc, err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	// One byte past the limit tells "exactly the limit" from "more".
	n, err := buf.ReadFrom(io.LimitReader(zr, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case n > limit || errors.As(err, &mbe) || errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded):
		return tooLarge(limit)
	case err != nil:
		return invalidBody(enc, err)
	}
	r.Body = io.NopCloser(&buf)
	r.ContentLength = n
	r.Header.Del("Content-Encoding")
	r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
	return nil
}

func tooLarge(limit int64) *bodyError {
	return &bodyError{http.StatusRequestEntityTooLarge, "payload_too_large",
		fmt.Sprintf("request body exceeds %d bytes (after decompression)", limit)}
}

func invalidBody(enc string, err error) *bodyError {
	return &bodyError{http.StatusBadRequest, "invalid_body",
		fmt.Sprintf("Content-Encoding is %s but the body is not: %v", enc, err)}
}

// decoders open a decompressing reader; limit bounds what the decoder may allocate.
var decoders = map[string]func(io.Reader, int64) (io.ReadCloser, error){
	"gzip":   openGzip,
	"x-gzip": openGzip,
	// HTTP's "deflate" is the zlib format (RFC 9110 8.4.1.2), as confighttp reads it too.
	"deflate": func(r io.Reader, _ int64) (io.ReadCloser, error) { return zlib.NewReader(r) },
	"zstd":    openZstd,
}

func openGzip(r io.Reader, _ int64) (io.ReadCloser, error) { return gzip.NewReader(r) }

func openZstd(r io.Reader, limit int64) (io.ReadCloser, error) {
	// A frame may declare a window of up to 512 MiB by default; capping memory (and so the window)
	// at the body limit keeps a tiny request from reserving it.
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(limit)))
	if err != nil {
		return nil, err
	}
	return zstdCloser{d}, nil
}

type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error {
	z.Decoder.Close()
	return nil
}
