package telemetryapiextension

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// authError carries a gRPC code for OTLP/gRPC (confighttp answers 401 for any error) and a
// message that never contains the key.
type authError struct {
	code codes.Code
	msg  string
}

func (e *authError) Error() string              { return e.msg }
func (e *authError) GRPCStatus() *status.Status { return status.New(e.code, e.msg) }

// Authenticate implements extensionauth.Server for receivers configured with
// `auth: {authenticator: telemetry_api}`: the same keys, the same failed-attempt limit, and the
// ingest role (admin includes it). The returned context's client.Info.Auth exposes the key's
// tenant as "tenant.id", its id as "key.id" and its roles as "roles"; nothing else in the request
// decides the tenant.
func (e *apiExtension) Authenticate(ctx context.Context, sources map[string][]string) (context.Context, error) {
	p := anonymous
	if e.cfg.Auth.Enabled {
		addr := addrHost(client.FromContext(ctx).Addr)
		if retry, blocked := e.limiter.blocked(addr); blocked {
			e.api.authFailed(ctx, "ingest", "rate_limited")
			secs := max(int((retry+time.Second-1)/time.Second), 1)
			return ctx, &authError{codes.ResourceExhausted, "too many failed authentication attempts from this address; retry in " + strconv.Itoa(secs) + "s"}
		}
		key, ok := credential(sourceGetter(sources))
		if !ok {
			e.api.authFailed(ctx, "ingest", "missing")
			return ctx, &authError{codes.Unauthenticated, "an API key is required (Authorization: Bearer <key> or X-API-Key)"}
		}
		if p, ok = e.keys.lookup(key); !ok {
			e.api.authFailed(ctx, "ingest", "invalid")
			e.limiter.fail(addr)
			e.auditIngestDenial(addr, telemetryapi.Principal{}, "invalid_key")
			return ctx, &authError{codes.Unauthenticated, "invalid API key"}
		}
		if !p.Has(telemetryapi.RoleIngest) {
			e.api.authFailed(ctx, "ingest", "role")
			e.auditIngestDenial(addr, p, "forbidden")
			return ctx, &authError{codes.PermissionDenied, "this key lacks the ingest role"}
		}
	}
	ci := client.FromContext(ctx)
	ci.Auth = newAuthData(p)
	return client.NewContext(ctx, ci), nil
}

// auditIngestDenial records refused ingest credentials. Accepted ingest requests are not audited
// one by one (that is the data itself); throttled ones only count in the auth_failures metric.
func (e *apiExtension) auditIngestDenial(addr string, p telemetryapi.Principal, reason string) {
	rec := auditRecord{
		Time: time.Now(), RequestID: newRequestID(), Tenant: p.TenantID, KeyID: p.KeyID,
		ActorType: actorUnauthenticated, Action: "ingest.authenticate", Outcome: outcomeDenied,
		Details: map[string]string{"client_address": addr, "error": reason},
	}
	if p.KeyID != "" {
		rec.ActorType = actorAPIKey
		rec.Details["roles"] = rolesString(p.Roles)
		rec.Details["required_role"] = string(telemetryapi.RoleIngest)
	}
	e.auditor.emit(rec)
}
