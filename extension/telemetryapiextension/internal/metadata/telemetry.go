package metadata

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// Telemetry holds the extension's own instruments. HTTP request counts and durations come from
// confighttp's otelhttp instrumentation; these add what only the extension knows.
type Telemetry struct {
	// AuthFailures counts refused credentials, by surface (api, ingest) and reason
	// (missing, invalid, role, rate_limited).
	AuthFailures metric.Int64Counter
	// AuditRecordsWritten counts audit records stored in ClickHouse.
	AuditRecordsWritten metric.Int64Counter
	// AuditRecordsDropped counts audit records that never reached ClickHouse, by reason
	// (spool_full, spool_corrupt, shutdown). Every one is still in the audit log.
	AuditRecordsDropped metric.Int64Counter
	// AuditRecordsSpooled counts audit records written to the disk spool while ClickHouse was
	// unavailable (each is counted in AuditRecordsWritten again once stored).
	AuditRecordsSpooled metric.Int64Counter
	// AuditRequestsRefused counts API requests refused (503) because their audit record could
	// not be kept: ClickHouse unavailable and the spool full.
	AuditRequestsRefused metric.Int64Counter
	// AuditWriteFailures counts failed INSERTs of audit batches.
	AuditWriteFailures metric.Int64Counter
}

// NewTelemetry creates the instruments from the component's MeterProvider.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	var t Telemetry
	var err, e error
	t.AuthFailures, e = m.Int64Counter("otelcol_extension_telemetry_api_auth_failures",
		metric.WithDescription("Refused API keys by surface (api, ingest) and reason (missing, invalid, role, rate_limited)."),
		metric.WithUnit("{request}"))
	err = errors.Join(err, e)
	t.AuditRecordsWritten, e = m.Int64Counter("otelcol_extension_telemetry_api_audit_records_written",
		metric.WithDescription("Audit records stored in the telemetry_audit table."),
		metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	t.AuditRecordsDropped, e = m.Int64Counter("otelcol_extension_telemetry_api_audit_records_dropped",
		metric.WithDescription("Audit records not stored in ClickHouse (still in the audit log), by reason (spool_full, spool_corrupt, shutdown)."),
		metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	t.AuditRecordsSpooled, e = m.Int64Counter("otelcol_extension_telemetry_api_audit_records_spooled",
		metric.WithDescription("Audit records written to the disk spool while ClickHouse was unavailable."),
		metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	t.AuditRequestsRefused, e = m.Int64Counter("otelcol_extension_telemetry_api_audit_requests_refused",
		metric.WithDescription("API requests refused with 503 because their audit record could not be kept (ClickHouse unavailable, spool full)."),
		metric.WithUnit("{request}"))
	err = errors.Join(err, e)
	t.AuditWriteFailures, e = m.Int64Counter("otelcol_extension_telemetry_api_audit_write_failures",
		metric.WithDescription("Failed INSERTs of audit batches into the telemetry_audit table."),
		metric.WithUnit("{batch}"))
	err = errors.Join(err, e)
	return &t, err
}
