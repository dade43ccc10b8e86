package telemetryapi

import "context"

type auditDetailsKey struct{}

// WithAuditDetails returns ctx carrying details, which route handlers fill with AddAuditDetail and
// the extension adds to the request's audit record once the handler has returned.
func WithAuditDetails(ctx context.Context, details map[string]string) context.Context {
	return context.WithValue(ctx, auditDetailsKey{}, details)
}

// AddAuditDetail records key=value in the audit record of the request whose context this is (the
// query a read route ran, the rows it answered). Keys the extension sets itself (status, route,
// roles, ...) are not overwritten. A no-op outside the extension (tests calling handlers directly).
// Handlers call it from the request's goroutine only.
func AddAuditDetail(ctx context.Context, key, value string) {
	if m, ok := ctx.Value(auditDetailsKey{}).(map[string]string); ok {
		m[key] = value
	}
}
