// Package telemetryapi is the contract between the telemetry API extension, which serves
// /api/v1/telemetry/* and authenticates callers, and the components that add routes to it (events
// receiver, consent, deletion, query, dashboard). It holds no server: the extension implements Registry.
package telemetryapi // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"go.opentelemetry.io/collector/component"
)

// BasePath is the one base URL of every route.
const BasePath = "/api/v1/telemetry"

// TenantAttribute is the resource attribute carrying the tenant of a record. The extension stamps it
// from the caller's key (never from the payload), and the client.Info auth data of an ingest request
// carries it under the same name.
const TenantAttribute = "tenant.id"

// DefaultTenant owns records when authentication is off.
const DefaultTenant = "default"

// Role is what a key may do. Roles are ordered only where documented by Principal.Has.
type Role string

const (
	RoleIngest  Role = "ingest"  // send data
	RoleViewer  Role = "viewer"  // query metrics, dashboard
	RoleAnalyst Role = "analyst" // viewer + export + reports
	RolePrivacy Role = "privacy" // consent and data-subject operations
	RoleAdmin   Role = "admin"   // every role, within the key's own tenant (its audit trail too)
	// RoleOperator is admin across tenants: ?tenant=<other>, ?tenant=* (the all-tenant audit),
	// the collector-wide self-metrics. Only the bootstrap key holds it, and keys given it by name.
	RoleOperator Role = "operator"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyID    string // identifies the key in logs and audit; never the key itself
	TenantID string
	Roles    []Role
}

// Has reports whether the principal may act as role: operator includes every role, admin every
// role but operator, analyst includes viewer. Tenant scope is separate: only an operator acts on
// other tenants (ResolveTenant).
func (p Principal) Has(role Role) bool {
	for _, r := range p.Roles {
		switch {
		case r == role, r == RoleOperator,
			r == RoleAdmin && role != RoleOperator,
			r == RoleAnalyst && role == RoleViewer:
			return true
		}
	}
	return false
}

// Route is one endpoint another component adds. The extension authenticates the caller, checks Role,
// puts the Principal in the request context, audits the call and only then calls Handler.
type Route struct {
	// Method and Path as for http.ServeMux, Path relative to BasePath: "POST", "/events".
	// Path may use wildcards: "/data/{user_id}".
	Method string
	Path   string
	// Role needed to call the route.
	Role Role
	// Handler serves the request; PrincipalFrom(r.Context()) gives the caller.
	Handler http.Handler
	// TargetUser, if set, names the data subject of a request for the audit trail.
	TargetUser func(*http.Request) string
	// AllTenants lets an operator pass ?tenant=* to act on every tenant at once (see ResolveTenant);
	// EffectiveTenant is then AllTenants. Default false: ?tenant=* is answered with 400.
	AllTenants bool
	// Public serves the route without a key, a role check or an audit record, like the health
	// endpoints: only for static files that carry no data (the dashboard's page, script and style
	// sheets, which a browser loads before it can send a key). Default false.
	Public bool
}

// Registry is implemented by the telemetry API extension.
type Registry interface {
	// Register adds routes; a route whose method and path are taken is an error.
	Register(routes ...Route) error
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller of the request whose context this is.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// GetRegistry finds the telemetry API extension id among the host's extensions. Components that call
// it should list id in their Dependencies so the extension starts first.
func GetRegistry(host component.Host, id component.ID) (Registry, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("extension %q is not configured in service::extensions", id)
	}
	reg, ok := ext.(Registry)
	if !ok {
		return nil, fmt.Errorf("extension %q is not a telemetry API extension", id)
	}
	return reg, nil
}

// ErrorBody is the JSON shape of every error the API returns.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the problem: Code is stable for programs, Message is for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the offending request field, when there is one.
	Field string `json:"field,omitempty"`
}

// WriteError answers with status and {"error": {"code": ..., "message": ...}}.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
}

// WriteJSON answers with status and v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
