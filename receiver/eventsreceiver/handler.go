package eventsreceiver

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

const (
	routeSingle = "/events"
	routeBatch  = "/events/batch"
)

// response is the body of 202 (and of 400 when no event of a batch was valid).
type response struct {
	Accepted int          `json:"accepted"`
	Rejected int          `json:"rejected"`
	Errors   []eventError `json:"errors"`
	// EventID is the stored event's id (POST /events): the client's event_id, else one the receiver
	// chose. DELETE /events/{event_id} erases the event.
	EventID string `json:"event_id,omitempty"`
	// EventIDs are the ids of a batch's events, in request order, "" for a rejected one (its index
	// is in errors) (POST /events/batch).
	EventIDs []string `json:"event_ids,omitempty"`
}

// handler serves one route. It answers 202 only once the next consumer accepted the events.
type handler struct {
	route      string
	batch      bool
	cfg        *Config
	lim        decodeLimits
	next       consumer.Logs
	obs        *receiverhelper.ObsReport
	tel        *metadata.Telemetry
	version    string
	retryAfter string
	gate       *gate
}

var (
	bodyBufs    = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	gzipReaders sync.Pool
)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := h.serve(w, r)
	h.tel.Request(r.Context(), h.route, status)
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) int {
	fail := func(status int, code, msg string) int {
		telemetryapi.WriteError(w, status, code, msg)
		return status
	}
	if !h.gate.enter() {
		w.Header().Set("Retry-After", h.retryAfter)
		return fail(http.StatusServiceUnavailable, "unavailable", "the events receiver is shutting down")
	}
	defer h.gate.leave()
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	service := h.cfg.ServiceName
	if s := r.Header.Get(h.cfg.ServiceNameHeader); s != "" {
		if len(s) > maxServiceNameLen || !utf8.ValidString(s) {
			return fail(http.StatusBadRequest, "invalid_request",
				fmt.Sprintf("%s must be valid UTF-8 of at most %d bytes", h.cfg.ServiceNameHeader, maxServiceNameLen))
		}
		service = s
	}

	buf := bodyBufs.Get().(*bytes.Buffer)
	defer putBuf(buf)
	if status, code, msg := h.readBody(r, buf); status != 0 {
		return fail(status, code, msg)
	}

	ri := reqInfo{service: service, scopeVersion: h.version, now: pcommon.NewTimestampFromTime(time.Now())}
	ri.tenant, ri.payloadTenant = h.tenant(r.Context())
	var (
		d    decoded
		rerr *requestError
	)
	if h.batch {
		d, rerr = decodeBatch(buf.Bytes(), h.lim, &ri)
	} else {
		d, rerr = decodeSingle(buf.Bytes(), h.lim, &ri)
	}
	if rerr != nil {
		return fail(rerr.status, rerr.code, rerr.message)
	}
	for _, e := range d.errors {
		h.tel.Rejected(r.Context(), topField(e.Field), 1)
	}

	if d.accepted > 0 {
		ctx := h.obs.StartLogsOp(r.Context())
		err := h.next.ConsumeLogs(ctx, d.logs)
		h.obs.EndLogsOp(ctx, "json", d.accepted, err)
		if err != nil {
			if consumererror.IsPermanent(err) {
				return fail(http.StatusBadRequest, "rejected", "the pipeline rejected the events: "+err.Error())
			}
			w.Header().Set("Retry-After", h.retryAfter)
			return fail(http.StatusServiceUnavailable, "unavailable", "the pipeline is refusing data, retry later: "+err.Error())
		}
	}

	if !h.batch && len(d.errors) > 0 {
		e := d.errors[0]
		telemetryapi.WriteJSON(w, http.StatusBadRequest, telemetryapi.ErrorBody{Error: telemetryapi.ErrorDetail{
			Code: "invalid_event", Message: e.Field + ": " + e.Message, Field: e.Field}})
		return http.StatusBadRequest
	}
	status := http.StatusAccepted
	if d.accepted == 0 && len(d.errors) > 0 {
		status = http.StatusBadRequest // nothing of the batch is usable: a client bug, not worth a retry
	}
	if d.errors == nil {
		d.errors = []eventError{}
	}
	res := response{Accepted: d.accepted, Rejected: len(d.errors), Errors: d.errors}
	switch {
	case h.batch && d.accepted > 0:
		res.EventIDs = d.ids
	case !h.batch && len(d.ids) == 1:
		res.EventID = d.ids[0]
	}
	telemetryapi.WriteJSON(w, status, res)
	return status
}

// tenant returns the authenticated tenant ("" when unauthenticated) and whether the payload may
// choose one. The tenant the API extension resolved wins (the key's, or the one an admin named
// with ?tenant=); a confighttp server authenticator's client.Info carries the tenant under the
// same attribute name.
func (h *handler) tenant(ctx context.Context) (string, bool) {
	if _, ok := telemetryapi.PrincipalFrom(ctx); ok {
		if t := telemetryapi.TenantFrom(ctx); t != "" && t != telemetryapi.AllTenants {
			return t, false
		}
	}
	if a := client.FromContext(ctx).Auth; a != nil {
		if t, ok := a.GetAttribute(telemetryapi.TenantAttribute).(string); ok && t != "" {
			return t, false
		}
	}
	return "", h.cfg.TenantFromPayload
}

// readBody reads the (gzip-decoded) body into buf, at most max_body_size bytes; a non-zero status
// is the answer when it cannot.
func (h *handler) readBody(r *http.Request, buf *bytes.Buffer) (status int, code, msg string) {
	var body io.Reader = r.Body
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := getGzip(r.Body)
		if err != nil {
			return http.StatusBadRequest, "invalid_body", "Content-Encoding is gzip but the body is not: " + err.Error()
		}
		defer gzipReaders.Put(zr)
		body = zr
	default:
		return http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("Content-Encoding %q is not supported; use gzip or none", truncate(enc))
	}
	_, err := buf.ReadFrom(io.LimitReader(body, h.cfg.MaxBodySize+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(buf.Len()) > h.cfg.MaxBodySize:
		return http.StatusRequestEntityTooLarge, "payload_too_large",
			fmt.Sprintf("the body exceeds %d bytes (max_body_size, after decompression)", h.cfg.MaxBodySize)
	case err != nil:
		return http.StatusBadRequest, "invalid_body", "reading the body failed: " + err.Error()
	}
	return 0, "", ""
}

func getGzip(r io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
		if err := zr.Reset(r); err != nil {
			gzipReaders.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(r)
}

// putBuf keeps buffers up to 1 MiB for reuse; a rare huge body should not pin its memory.
func putBuf(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	bodyBufs.Put(b)
}

// retryAfterSeconds renders d as whole seconds, rounded up.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}
