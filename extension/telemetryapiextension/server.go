package telemetryapiextension

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/telemetryapiextension/internal/metadata"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// apiServer is the root handler: request id, throttling, authentication and the audit record
// around the router.
type apiServer struct {
	router  *router
	keys    *keyring
	authOn  bool
	limiter *failureLimiter
	auditor *auditor
	tel     *metadata.Telemetry
	logger  *zap.Logger
	maxBody int64
	now     func() time.Time
}

func (s *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, _ := s.router.mux.Handler(r)
	rh, matched := h.(*routeHandler)
	if matched && rh.public {
		s.router.mux.ServeHTTP(w, r)
		return
	}

	start := s.now()
	reqID := newRequestID()
	hdr := w.Header()
	hdr.Set("X-Request-Id", reqID)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	// Every call leaves an audit record; when none can be kept (ClickHouse unavailable and the
	// spool full), the call is refused before anything else happens rather than served unaudited.
	if !s.auditor.reserveWithin(r.Context(), s.auditor.cfg.FullWait) {
		s.auditor.refused(r.Context())
		hdr.Set("Retry-After", strconv.Itoa(auditRetryAfterSeconds))
		telemetryapi.WriteError(w, http.StatusServiceUnavailable, "audit_unavailable",
			"the audit trail cannot record this request now (audit storage unavailable and its spool full); retry later")
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	c := &callState{}
	addr := clientAddr(r)

	p, authed := s.authenticate(sw, r, addr, c)
	handlerDetails := map[string]string{}
	defer func() {
		s.auditCall(start, reqID, r, rh, c, p, authed, sw.status, addr, handlerDetails)
	}()
	if !authed {
		return
	}

	ctx := withCall(telemetryapi.WithAuditDetails(telemetryapi.WithPrincipal(r.Context(), p), handlerDetails), c)
	// Ingest routes hand this context to the pipeline: processors read the tenant from it exactly
	// as from an OTLP request authenticated by this extension.
	ci := client.FromContext(ctx)
	ci.Auth = newAuthData(p)
	r = r.WithContext(client.NewContext(ctx, ci))

	if !matched {
		s.unmatched(sw, r, h, c)
		return
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(v)
			}
			s.logger.Error("route handler panicked", zap.String("route", rh.pattern), zap.String("request_id", reqID), zap.Any("panic", v))
			if sw.status == 0 {
				writeError(sw, c, http.StatusInternalServerError, "internal", "internal error")
			} else {
				sw.status = http.StatusInternalServerError // for the audit: the answer is broken
			}
		}
	}()
	s.router.mux.ServeHTTP(sw, r)
}

// authenticate answers 429 or 401 itself and returns false when the caller may not proceed.
func (s *apiServer) authenticate(w http.ResponseWriter, r *http.Request, addr string, c *callState) (telemetryapi.Principal, bool) {
	if !s.authOn {
		return anonymous, true
	}
	if retry, blocked := s.limiter.blocked(addr); blocked {
		s.authFailed(r.Context(), "api", "rate_limited")
		tooManyAttempts(w, c, retry)
		return telemetryapi.Principal{}, false
	}
	key, ok := credential(r.Header.Get)
	if !ok {
		s.authFailed(r.Context(), "api", "missing")
		unauthenticated(w, c, "an API key is required (Authorization: Bearer <key> or X-API-Key)")
		return telemetryapi.Principal{}, false
	}
	p, ok := s.keys.lookup(key)
	if !ok {
		s.authFailed(r.Context(), "api", "invalid")
		// Only wrong keys count: a missing key guesses nothing.
		if retry, blocked := s.limiter.fail(addr); blocked {
			tooManyAttempts(w, c, retry)
			return telemetryapi.Principal{}, false
		}
		unauthenticated(w, c, "invalid API key")
		return telemetryapi.Principal{}, false
	}
	return p, true
}

func (s *apiServer) authFailed(ctx context.Context, surface, reason string) {
	s.tel.AuthFailures.Add(ctx, 1, metric.WithAttributes(
		attribute.String("surface", surface), attribute.String("reason", reason)))
}

func unauthenticated(w http.ResponseWriter, c *callState, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="telemetry"`)
	writeError(w, c, http.StatusUnauthorized, "unauthenticated", msg)
}

func tooManyAttempts(w http.ResponseWriter, c *callState, retry time.Duration) {
	secs := int((retry + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, c, http.StatusTooManyRequests, "too_many_requests",
		fmt.Sprintf("too many failed authentication attempts from this address; retry in %ds", max(secs, 1)))
}

// unmatched turns http.ServeMux's plain-text 404/405 (and its path-cleaning redirects) into the
// API's answers. It runs only for authenticated callers: to anyone else every path is 401, so
// the route table is not revealed.
func (s *apiServer) unmatched(w http.ResponseWriter, r *http.Request, h http.Handler, c *callState) {
	cw := &captureWriter{header: http.Header{}}
	h.ServeHTTP(cw, r)
	switch cw.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", cw.header.Get("Allow"))
		writeError(w, c, http.StatusMethodNotAllowed, "method_not_allowed", "method "+r.Method+" is not allowed on this route")
	case http.StatusMovedPermanently, http.StatusPermanentRedirect, http.StatusTemporaryRedirect:
		w.Header().Set("Location", cw.header.Get("Location"))
		w.WriteHeader(cw.status)
	default:
		writeNotFound(w, c)
	}
}

func (s *apiServer) auditCall(start time.Time, reqID string, r *http.Request, rh *routeHandler, c *callState,
	p telemetryapi.Principal, authed bool, status int, addr string, handlerDetails map[string]string,
) {
	if status == 0 {
		status = http.StatusOK // a handler that wrote nothing answered 200
	}
	rec := auditRecord{
		Time:      start,
		RequestID: reqID,
		Outcome:   outcomeOf(status, c.denied),
		Details: map[string]string{
			"status":         strconv.Itoa(status),
			"client_address": addr,
			"method":         r.Method,
		},
	}
	if authed {
		rec.KeyID, rec.Tenant = p.KeyID, p.TenantID
		rec.ActorType = actorAPIKey
		if p.KeyID == anonymous.KeyID && !s.authOn {
			rec.ActorType = actorAnonymous
		}
		rec.Details["roles"] = rolesString(p.Roles)
	} else {
		rec.ActorType = actorUnauthenticated
	}
	if c.tenant != "" {
		rec.Tenant = c.tenant
	}
	if c.denied {
		// Admins and operators reading the audit may see which tenant was probed; the caller never does.
		rec.Details["requested_tenant"] = r.URL.Query().Get(telemetryapi.TenantParam)
	}
	if rh != nil {
		rec.Action = rh.pattern
		rec.Details["route"] = telemetryapi.BasePath + rh.route.Path
		rec.Details["required_role"] = string(rh.route.Role)
	} else {
		rec.Action = "unmatched"
	}
	if c.target != "" {
		rec.TargetType, rec.TargetID = "user", c.target
	}
	if c.errorMsg != "" {
		rec.Details["error"] = c.errorMsg
	}
	for k, v := range handlerDetails { // what the route's handler added (AddAuditDetail); ours win
		if _, taken := rec.Details[k]; !taken {
			rec.Details[k] = v
		}
	}
	s.auditor.emitReserved(rec)
}

// auditRetryAfterSeconds is what a request refused for a full audit trail is told to wait.
const auditRetryAfterSeconds = 5

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clientAddr is the caller's IP (no port), the key of the failed-attempt limiter. confighttp puts
// it in client.Info; a bare handler (tests) falls back to RemoteAddr.
func clientAddr(r *http.Request) string {
	if a := addrHost(client.FromContext(r.Context()).Addr); a != "" {
		return a
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func addrHost(a net.Addr) string {
	switch v := a.(type) {
	case nil:
		return ""
	case *net.TCPAddr:
		return v.IP.String()
	case *net.IPAddr:
		return v.IP.String()
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// statusWriter remembers the status for the audit record.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and deadlines of the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// captureWriter keeps the status and headers of http.ServeMux's own error answers and drops the
// plain-text body.
type captureWriter struct {
	header http.Header
	status int
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
