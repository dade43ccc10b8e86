package chschema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Reader is a tenant's read-only database for Grafana / HyperDX, rendered.
type Reader struct {
	// Database is the tenant's database name (unquoted): <database>_tenant_<tenant>.
	Database string
	// User is the reader user's name (unquoted), "" without one.
	User string
	// Statements create or update the database, its views and, with a user, the user and its
	// grant. Every statement is idempotent.
	Statements []string
}

// ReaderDatabase is the name of tenant's read-only database.
func (s *Schema) ReaderDatabase(tenant string) string {
	return s.opts.Database + "_tenant_" + tenant
}

// Reader renders tenant's read-only database. With password set it also creates (or resets the
// password of) the user <database>_reader, granted SELECT on that database only; the views then
// run with their definer's rights (SQL SECURITY DEFINER, ClickHouse 24.4+), so the user needs no
// right on the telemetry tables. The embedded engine has no access control: call it without a
// password there.
func (s *Schema) Reader(tenant, password string) (Reader, error) {
	db := s.ReaderDatabase(tenant)
	if err := validateName("tenant database", db); err != nil {
		return Reader{}, err
	}
	d := tmplData{
		database:       s.opts.Database,
		cluster:        s.opts.Cluster != "",
		ReaderDatabase: QuoteIdent(db),
		TenantLiteral:  QuoteString(tenant),
	}
	if d.cluster {
		d.OnCluster = " ON CLUSTER " + QuoteIdent(s.opts.Cluster)
	}
	out := Reader{Database: db}
	if password != "" {
		out.User = db + "_reader"
		sum := sha256.Sum256([]byte(password))
		d.ReaderUser = QuoteIdent(out.User)
		d.PasswordHash = QuoteString(hex.EncodeToString(sum[:]))
	}
	r := renderer{}
	for _, name := range []string{"reader_database", "reader_traces", "reader_logs", "reader_trace_id_ts"} {
		out.Statements = append(out.Statements, r.render(name, d))
	}
	if out.User != "" {
		for _, name := range []string{"reader_user", "reader_password", "reader_grant"} {
			out.Statements = append(out.Statements, r.render(name, d))
		}
	}
	if r.err != nil {
		return Reader{}, fmt.Errorf("render the reader database of tenant %q: %w", tenant, r.err)
	}
	return out, nil
}
