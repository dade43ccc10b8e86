package main

import (
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// httpDecoder undoes a request's Content-Encoding. "deflate" is the zlib
// stream that both ClickHouse and clickhouse-go mean by it.
func httpDecoder(encoding string, r io.Reader) (io.ReadCloser, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity", "none":
		return io.NopCloser(r), nil
	case "gzip", "x-gzip":
		return gzip.NewReader(r)
	case "deflate":
		return zlib.NewReader(r)
	case "br":
		return io.NopCloser(brotli.NewReader(r)), nil
	case "zstd":
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	case "lz4":
		return io.NopCloser(lz4.NewReader(r)), nil
	}
	return nil, requestError(codeBadArguments, "BAD_ARGUMENTS", "Unknown Content-Encoding %q (supported: gzip, deflate, br, zstd, lz4)", encoding)
}

// responseEncoding picks the Content-Encoding for a response from
// Accept-Encoding; ClickHouse only compresses when enable_http_compression=1.
func responseEncoding(acceptEncoding string) string {
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch name = strings.ToLower(name); name {
		case "gzip", "deflate", "br", "zstd":
			return name
		}
	}
	return ""
}

// httpEncoder wraps w so that writes are compressed with encoding (one of
// the names responseEncoding returns, or "" for none).
func httpEncoder(encoding string, w io.Writer) (io.WriteCloser, error) {
	switch encoding {
	case "":
		return nopWriteCloser{w}, nil
	case "gzip":
		return gzip.NewWriter(w), nil
	case "deflate":
		return zlib.NewWriter(w), nil
	case "br":
		return brotli.NewWriter(w), nil
	case "zstd":
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	}
	return nil, fmt.Errorf("unsupported response encoding %q", encoding)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// readNativeCompressed decodes the body of a decompress=1 request: a
// sequence of ClickHouse compressed frames (CityHash128 checksum, method,
// sizes, LZ4/ZSTD/none payload), as clickhouse-go's lz4/zstd options send.
// The decoded size is limited to maxBody bytes.
func readNativeCompressed(r io.Reader, maxBody int64) ([]byte, error) {
	cr := compress.NewReader(r)
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := cr.Read(buf)
		out = append(out, buf[:n]...)
		if int64(len(out)) > maxBody {
			return nil, bodyTooLarge(maxBody)
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
			// EOF at a frame boundary is the normal end of the body.
			return out, nil
		default:
			return nil, requestError(codeCannotDecompress, "CANNOT_DECOMPRESS", "Cannot decompress request body (decompress=1): %v", err)
		}
	}
}

// maxFrame bounds the uncompressed size of one response frame, like
// ClickHouse's 1 MiB compressed-buffer size; readers reject frames > 128 MiB.
const maxFrame = 1 << 20

// writeNativeCompressed frames data as ClickHouse does for compress=1.
func writeNativeCompressed(w io.Writer, data []byte, method compress.Method) error {
	cw := compress.NewWriter(compress.LevelZero, method)
	for len(data) > 0 {
		n := min(len(data), maxFrame)
		if err := cw.Compress(data[:n]); err != nil {
			return err
		}
		if _, err := w.Write(cw.Data); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// nativeMethod maps the network_compression_method setting to a frame codec.
func nativeMethod(setting string) (compress.Method, error) {
	switch strings.ToLower(setting) {
	case "", "lz4":
		return compress.LZ4, nil
	case "lz4hc":
		return compress.LZ4HC, nil
	case "zstd":
		return compress.ZSTD, nil
	case "none":
		return compress.None, nil
	}
	return 0, requestError(codeBadArguments, "BAD_ARGUMENTS", "Unknown network_compression_method %q", setting)
}
