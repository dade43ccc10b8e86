package telemetryapiextension

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/client"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// routeHandler is what the mux holds for one registered route; the mux finds it and sets the
// path values, then routeHandler enforces role and tenant before the component's handler runs.
type routeHandler struct {
	route   telemetryapi.Route
	pattern string // relative to BasePath: "GET /data/{user_id}"
	public  bool   // health endpoints: no key, not audited
	api     *apiServer
}

// router is a mutex-guarded registry over http.ServeMux, so components may register before or
// after Start. http.ServeMux itself is safe for concurrent Handle and ServeHTTP; the mutex keeps
// a Register call all-or-nothing.
type router struct {
	mu       sync.Mutex
	mux      *http.ServeMux
	patterns []string
}

func newRouter() *router { return &router{mux: http.NewServeMux()} }

var methodPattern = regexp.MustCompile(`^[A-Z]+$`)

// register adds routes atomically: a bad or conflicting route fails the whole call and none is
// added (http.ServeMux cannot remove a pattern, so conflicts are found on a trial mux first).
func (rt *router) register(handlers ...*routeHandler) error {
	var errs []error
	for _, h := range handlers {
		r := h.route
		switch {
		case !methodPattern.MatchString(r.Method):
			errs = append(errs, fmt.Errorf("route %q %q: method must be an upper-case HTTP method", r.Method, r.Path))
		case !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, " \t\n"):
			errs = append(errs, fmt.Errorf("route %s %q: path must start with / and hold no white space", r.Method, r.Path))
		case !slices.Contains(knownRoles, r.Role):
			errs = append(errs, fmt.Errorf("route %s %s: unknown role %q", r.Method, r.Path, r.Role))
		case r.Handler == nil:
			errs = append(errs, fmt.Errorf("route %s %s: handler is nil", r.Method, r.Path))
		}
		h.pattern = r.Method + " " + r.Path
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	rt.mu.Lock()
	defer rt.mu.Unlock()
	trial := http.NewServeMux()
	noop := http.NotFoundHandler()
	for _, p := range rt.patterns {
		trial.Handle(p, noop)
	}
	for _, h := range handlers {
		if err := handleSafely(trial, fullPattern(h.route), noop); err != nil {
			return fmt.Errorf("route %s: %w", h.pattern, err)
		}
	}
	for _, h := range handlers {
		p := fullPattern(h.route)
		rt.mux.Handle(p, h)
		rt.patterns = append(rt.patterns, p)
	}
	return nil
}

func fullPattern(r telemetryapi.Route) string {
	return r.Method + " " + telemetryapi.BasePath + r.Path
}

// handleSafely turns http.ServeMux's panic on a conflicting or malformed pattern into an error.
func handleSafely(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// callState is what one request's handlers learn for its audit record.
type callState struct {
	route    *routeHandler
	tenant   string
	target   string
	denied   bool   // refused for tenant isolation (404 that hides another tenant)
	errorMsg string // the reason of an error answer, for the audit details
}

type callKey struct{}

func withCall(ctx context.Context, c *callState) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *callState {
	c, _ := ctx.Value(callKey{}).(*callState)
	if c == nil {
		c = &callState{} // a handler called outside apiServer (tests)
	}
	return c
}

func (h *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.public {
		h.route.Handler.ServeHTTP(w, r)
		return
	}
	c := callFrom(r.Context())
	c.route = h
	p, ok := telemetryapi.PrincipalFrom(r.Context())
	if !ok {
		// apiServer authenticates before the mux; reaching here without a principal is a bug,
		// and failing closed is the only safe answer.
		writeError(w, c, http.StatusUnauthorized, "unauthenticated", "missing principal")
		return
	}
	if !p.Has(h.route.Role) {
		writeError(w, c, http.StatusForbidden, "forbidden", fmt.Sprintf("this route needs the %s role", h.route.Role))
		return
	}
	q := r.URL.Query()
	if len(q[telemetryapi.TenantParam]) > 1 {
		writeError(w, c, http.StatusBadRequest, "invalid_tenant", "tenant may be given once")
		return
	}
	tenant, err := telemetryapi.ResolveTenant(p, q.Get(telemetryapi.TenantParam), h.route.AllTenants)
	switch {
	case errors.Is(err, telemetryapi.ErrOtherTenant):
		c.denied = true
		writeNotFound(w, c)
		return
	case err != nil:
		writeError(w, c, http.StatusBadRequest, "invalid_tenant", err.Error())
		return
	}
	c.tenant = tenant
	// Only now, with the caller known and allowed (and the audit record pending), is the body
	// decompressed; confighttp is configured not to.
	if be := decodeBody(r, h.api.maxBody); be != nil {
		writeError(w, c, be.status, be.code, be.msg)
		return
	}
	if h.route.TargetUser != nil {
		c.target = h.route.TargetUser(r)
	}
	ctx := telemetryapi.WithTenant(r.Context(), tenant)
	if tenant != p.TenantID && tenant != telemetryapi.AllTenants {
		// An operator acting on a named tenant: ingest routes hand this context to the pipeline,
		// whose resource/tenant processor stamps client.Info's tenant.id, so it must be the
		// resolved tenant (as in the audit record), not the key's.
		ap := p
		ap.TenantID = tenant
		ci := client.FromContext(ctx)
		ci.Auth = newAuthData(ap)
		ctx = client.NewContext(ctx, ci)
	}
	h.route.Handler.ServeHTTP(w, r.WithContext(ctx))
}

func writeError(w http.ResponseWriter, c *callState, status int, code, msg string) {
	c.errorMsg = code
	telemetryapi.WriteError(w, status, code, msg)
}

// writeNotFound is the one 404 body for a missing route, a missing resource of the caller's
// tenant and any resource of another tenant alike.
func writeNotFound(w http.ResponseWriter, c *callState) {
	c.errorMsg = "not_found"
	telemetryapi.WriteNotFound(w)
}
