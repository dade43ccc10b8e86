package telemetrystorageexporter // import "github.com/otelcol-telemetry/otelcol-telemetry/exporter/telemetrystorageexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A record without any time is stored at its receipt time: the moment the exporter accepts it into
// the sending queue, not the later moment the queue flushes it (which can be minutes later, or
// after a ClickHouse outage hours later). The stamp is written into the record before it is queued
// so it survives the persistent queue: a log record gets an observed timestamp, a span without
// start and end times both, a metric point its time.

type receiptLogs struct{ exporter.Logs }

func (r receiptLogs) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (r receiptLogs) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	stampLogs(ld, pcommon.NewTimestampFromTime(time.Now()))
	return r.Logs.ConsumeLogs(ctx, ld)
}

type receiptTraces struct{ exporter.Traces }

func (r receiptTraces) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (r receiptTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	stampTraces(td, pcommon.NewTimestampFromTime(time.Now()))
	return r.Traces.ConsumeTraces(ctx, td)
}

type receiptMetrics struct{ exporter.Metrics }

func (r receiptMetrics) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (r receiptMetrics) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	stampMetrics(md, pcommon.NewTimestampFromTime(time.Now()))
	return r.Metrics.ConsumeMetrics(ctx, md)
}

func stampLogs(ld plog.Logs, now pcommon.Timestamp) {
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if lr.Timestamp() == 0 && lr.ObservedTimestamp() == 0 {
					lr.SetObservedTimestamp(now)
				}
			}
		}
	}
}

func stampTraces(td ptrace.Traces, now pcommon.Timestamp) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				if s.StartTimestamp() == 0 && s.EndTimestamp() == 0 {
					s.SetStartTimestamp(now)
					s.SetEndTimestamp(now)
				}
			}
		}
	}
}

func stampMetrics(md pmetric.Metrics, now pcommon.Timestamp) {
	stamp := func(dp interface {
		Timestamp() pcommon.Timestamp
		SetTimestamp(pcommon.Timestamp)
	}) {
		if dp.Timestamp() == 0 {
			dp.SetTimestamp(now)
		}
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					for _, dp := range m.Gauge().DataPoints().All() {
						stamp(dp)
					}
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						stamp(dp)
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						stamp(dp)
					}
				case pmetric.MetricTypeExponentialHistogram:
					for _, dp := range m.ExponentialHistogram().DataPoints().All() {
						stamp(dp)
					}
				case pmetric.MetricTypeSummary:
					for _, dp := range m.Summary().DataPoints().All() {
						stamp(dp)
					}
				}
			}
		}
	}
}
