package metadata

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

// Telemetry holds the exporter's own instruments. The queue, retry and
// send-failure counts come from exporterhelper; these add what only the
// exporter knows: rows per table, records it refused, insert latency.
type Telemetry struct {
	// RowsInserted counts rows acknowledged by ClickHouse, per table.
	RowsInserted metric.Int64Counter
	// RecordsDropped counts records not stored because they cannot be
	// represented (e.g. timestamp beyond year 2262, a TTL that would wrap past
	// 2106, empty metric type), per reason.
	RecordsDropped metric.Int64Counter
	// InsertDuration is the time of one batch INSERT, per table.
	InsertDuration metric.Float64Histogram
	// InsertSplits counts the extra INSERTs made because a batch was larger than
	// max_rows_per_insert or max_bytes_per_insert, per table.
	InsertSplits metric.Int64Counter
	// SamplingTracesDecided counts traces decided by the in-ClickHouse sampler, by sampled and reason.
	SamplingTracesDecided metric.Int64Counter
	// SamplingRunFailures counts sampler runs that failed (resumed by the next run).
	SamplingRunFailures metric.Int64Counter
}

// NewTelemetry creates the instruments from the component's MeterProvider.
func NewTelemetry(set component.TelemetrySettings) (*Telemetry, error) {
	m := set.MeterProvider.Meter(ScopeName)
	var t Telemetry
	var err, e error
	t.RowsInserted, e = m.Int64Counter("otelcol_exporter_telemetry_storage_rows_inserted",
		metric.WithDescription("Rows inserted into ClickHouse by table."),
		metric.WithUnit("{row}"))
	err = errors.Join(err, e)
	t.RecordsDropped, e = m.Int64Counter("otelcol_exporter_telemetry_storage_records_dropped",
		metric.WithDescription("Records not stored because they cannot be represented in the schema, by reason."),
		metric.WithUnit("{record}"))
	err = errors.Join(err, e)
	t.InsertDuration, e = m.Float64Histogram("otelcol_exporter_telemetry_storage_insert_duration",
		metric.WithDescription("Duration of one batch INSERT by table."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
	err = errors.Join(err, e)
	t.InsertSplits, e = m.Int64Counter("otelcol_exporter_telemetry_storage_insert_splits",
		metric.WithDescription("Extra INSERTs made because a batch exceeded max_rows_per_insert or max_bytes_per_insert, by table."),
		metric.WithUnit("{insert}"))
	t.SamplingTracesDecided, e = m.Int64Counter("otelcol_exporter_telemetry_storage_sampling_traces_decided",
		metric.WithDescription("Traces decided by the in-ClickHouse tail sampler, by sampled (true, false) and reason (error, slow, rate, dropped)."),
		metric.WithUnit("{trace}"))
	err = errors.Join(err, e)
	t.SamplingRunFailures, e = m.Int64Counter("otelcol_exporter_telemetry_storage_sampling_run_failures",
		metric.WithDescription("Runs of the in-ClickHouse tail sampler that failed; the next run resumes their work."),
		metric.WithUnit("{run}"))
	err = errors.Join(err, e)
	return &t, err
}
