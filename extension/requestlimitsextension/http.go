package requestlimitsextension

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const (
	pbContentType   = "application/x-protobuf"
	jsonContentType = "application/json"
)

// GetHTTPHandler wraps the OTLP/HTTP receiver's handler. confighttp runs it after authentication,
// the body size limit (max_request_body_size) and decompression, so it sees the body the receiver
// would decode.
func (e *limitsExtension) GetHTTPHandler(context.Context) (extensionmiddleware.WrapHTTPHandlerFunc, error) {
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.serveHTTP(w, r, next)
		}), nil
	}, nil
}

// requestMessage is the OTLP request type of a path: the receiver's default paths /v1/logs,
// /v1/traces, /v1/metrics, or custom ones ending in logs, traces or metrics.
func requestMessage(path string) *message {
	switch {
	case strings.HasSuffix(path, "logs"):
		return logsRequest
	case strings.HasSuffix(path, "traces"):
		return tracesRequest
	case strings.HasSuffix(path, "metrics"):
		return metricsRequest
	}
	return nil
}

func (e *limitsExtension) serveHTTP(w http.ResponseWriter, r *http.Request, next http.Handler) {
	m := requestMessage(r.URL.Path)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if m == nil || r.Method != http.MethodPost || (ct != pbContentType && ct != jsonContentType) {
		next.ServeHTTP(w, r) // the receiver answers 404, 405 or 415
		return
	}
	body, err := readBody(r)
	if err != nil {
		ref := &refusal{status: http.StatusBadRequest, reason: reasonMalformed, msg: "cannot read the request body: " + err.Error()}
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			ref = &refusal{status: http.StatusRequestEntityTooLarge, reason: limitBodyBytes,
				msg: fmt.Sprintf("the request body is larger than %d bytes (after decompression; limit max_request_body_size of the receiver's http settings)", mbe.Limit)}
		}
		e.refuseHTTP(w, r, ct, m, ref)
		return
	}
	var ref *refusal
	if ct == pbContentType {
		ref = checkProto(body, m, e.lim)
	} else {
		ref = checkJSON(body, m, e.lim)
	}
	if ref != nil {
		e.refuseHTTP(w, r, ct, m, ref)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	next.ServeHTTP(w, r)
}

// readBody reads the whole body, sized by Content-Length when the client sent one.
func readBody(r *http.Request) ([]byte, error) {
	defer r.Body.Close()
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n < 64<<20 && r.Header.Get("Content-Encoding") == "" {
		buf.Grow(int(n) + 1)
	}
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

// refuseHTTP answers the way the OTLP receiver does: a google.rpc.Status in the request's encoding.
func (e *limitsExtension) refuseHTTP(w http.ResponseWriter, r *http.Request, ct string, m *message, ref *refusal) {
	e.refused(r.Context(), "http", m, ref)
	code := codes.InvalidArgument
	if ref.status == http.StatusRequestEntityTooLarge {
		code = codes.ResourceExhausted
	}
	st := status.New(code, ref.msg).Proto()
	var body []byte
	var err error
	if ct == pbContentType {
		body, err = proto.Marshal(st)
	} else {
		body, err = protojson.Marshal(st)
	}
	if err != nil { // cannot happen: messages are valid UTF-8 (quote)
		ct, body = "text/plain; charset=utf-8", []byte(ref.msg)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	// The body may not have been read to its end: do not let the client reuse a connection
	// positioned in the middle of it.
	w.Header().Set("Connection", "close")
	w.WriteHeader(ref.status)
	_, _ = w.Write(body)
}
