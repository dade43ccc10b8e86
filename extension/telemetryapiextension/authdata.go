package telemetryapiextension

import (
	"go.opentelemetry.io/collector/client"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// Attribute names of the client.AuthData the extension puts in an authenticated context. Processors
// read them as `auth.<name>` (resource processor: `from_context: auth.tenant.id`).
const (
	AuthAttrTenant = telemetryapi.TenantAttribute // "tenant.id"
	AuthAttrKeyID  = "key.id"
	AuthAttrRoles  = "roles"
)

// authData exposes a principal to the pipeline; it never holds the key.
type authData struct {
	p     telemetryapi.Principal
	roles []string
}

var _ client.AuthData = authData{}

func newAuthData(p telemetryapi.Principal) authData {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	return authData{p: p, roles: roles}
}

func (a authData) GetAttribute(name string) any {
	switch name {
	case AuthAttrTenant:
		return a.p.TenantID
	case AuthAttrKeyID:
		return a.p.KeyID
	case AuthAttrRoles:
		return append([]string(nil), a.roles...)
	}
	return nil
}

func (a authData) GetAttributeNames() []string {
	return []string{AuthAttrTenant, AuthAttrKeyID, AuthAttrRoles}
}
