package telemetryapi

import (
	"context"
	"errors"
	"net/http"
	"regexp"
)

// TenantParam is the query parameter by which an operator names the tenant a request acts on.
// Everyone else (an admin too) always acts on the tenant of their key.
const TenantParam = "tenant"

// AllTenants, given as ?tenant=* by an operator, asks a route marked Route.AllTenants for the data of
// every tenant (the audit log). Other routes answer 400.
const AllTenants = "*"

// tenantPattern bounds tenant ids to what is safe in logs, URLs and ClickHouse keys.
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidTenant reports whether s may name a tenant: 1-128 characters of letters, digits, '.', '_'
// and '-', starting with a letter or digit.
func ValidTenant(s string) bool { return tenantPattern.MatchString(s) }

var (
	// ErrInvalidTenant: the tenant parameter is not a tenant id (answer 400).
	ErrInvalidTenant = errors.New("tenant must be 1-128 letters, digits, '.', '_' or '-'")
	// ErrOtherTenant: a caller without the operator role named another tenant. Answer 404 exactly as for a resource that
	// does not exist, so the answer never reveals whether the other tenant or its data exist.
	ErrOtherTenant = errors.New("resource not found")
	// ErrAllTenantsNotSupported: ?tenant=* on a route that serves one tenant at a time (answer 400).
	ErrAllTenantsNotSupported = errors.New("tenant=* is not supported by this route")
)

// ResolveTenant returns the tenant a request by p acts on, given the raw ?tenant= value
// (requested, "" when absent):
//
//   - no parameter: p's own tenant, for every role (an operator too: cross-tenant access is never
//     implicit);
//   - p's own tenant: the same;
//   - another tenant: only an operator may; everyone else, an admin of p's tenant included, gets
//     ErrOtherTenant (404);
//   - "*": only an operator, and only where allTenants (the route supports it).
//
// The extension calls it before a route's handler runs; handlers read the result with
// EffectiveTenant and never take a tenant from the payload.
func ResolveTenant(p Principal, requested string, allTenants bool) (string, error) {
	operator := p.Has(RoleOperator)
	switch {
	case requested == "" || requested == p.TenantID:
		return p.TenantID, nil
	case requested == AllTenants:
		if !operator {
			return "", ErrOtherTenant
		}
		if !allTenants {
			return "", ErrAllTenantsNotSupported
		}
		return AllTenants, nil
	case !ValidTenant(requested):
		return "", ErrInvalidTenant
	case !operator:
		return "", ErrOtherTenant
	}
	return requested, nil
}

type tenantKey struct{}

// WithTenant returns ctx carrying the resolved tenant of the request.
func WithTenant(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenant)
}

// TenantFrom returns the tenant stored by WithTenant, else the principal's tenant, else "".
func TenantFrom(ctx context.Context) string {
	if t, ok := ctx.Value(tenantKey{}).(string); ok {
		return t
	}
	if p, ok := PrincipalFrom(ctx); ok {
		return p.TenantID
	}
	return ""
}

// EffectiveTenant is the tenant a registered route's handler must read and write: the caller's own
// tenant, or the one an operator named with ?tenant= (AllTenants only on routes that allow it).
// Tenant ids in request bodies are never trusted.
func EffectiveTenant(r *http.Request) string { return TenantFrom(r.Context()) }

// WriteNotFound is the one 404 answer for a missing route, a missing resource of the caller's
// tenant and a resource of another tenant alike: handlers use it so bodies never differ.
func WriteNotFound(w http.ResponseWriter) {
	WriteError(w, http.StatusNotFound, "not_found", "resource not found")
}
