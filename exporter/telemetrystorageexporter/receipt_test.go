package telemetrystorageexporter

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestStampReceipt: only records without any time get the receipt time; a record's own times stay.
func TestStampReceipt(t *testing.T) {
	now := pcommon.NewTimestampFromTime(time.Unix(1_800_000_000, 0))
	own := pcommon.NewTimestampFromTime(time.Unix(1_700_000_000, 0))

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty()
	lrs.AppendEmpty().SetTimestamp(own)
	lrs.AppendEmpty().SetObservedTimestamp(own)
	stampLogs(ld, now)
	if got := lrs.At(0).ObservedTimestamp(); got != now {
		t.Errorf("log without time: observed %v, want the receipt time", got)
	}
	if lrs.At(1).ObservedTimestamp() != 0 || lrs.At(2).ObservedTimestamp() != own {
		t.Error("a log record with a time of its own is left alone")
	}

	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	spans.AppendEmpty()
	spans.AppendEmpty().SetEndTimestamp(own)
	stampTraces(td, now)
	if spans.At(0).StartTimestamp() != now || spans.At(0).EndTimestamp() != now {
		t.Error("span without times: both are the receipt time")
	}
	if spans.At(1).StartTimestamp() != 0 || spans.At(1).EndTimestamp() != own {
		t.Error("a span with an end time is left alone")
	}

	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	dps := m.SetEmptyGauge().DataPoints()
	dps.AppendEmpty()
	dps.AppendEmpty().SetTimestamp(own)
	stampMetrics(md, now)
	if dps.At(0).Timestamp() != now || dps.At(1).Timestamp() != own {
		t.Error("only the point without a time gets the receipt time")
	}
}

// BenchmarkStampReceipt: the scan every trace request pays before the queue (1,000 spans, all
// with times: the common case changes nothing).
func BenchmarkStampReceipt(b *testing.B) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	ts := pcommon.NewTimestampFromTime(time.Now())
	for range 1000 {
		s := spans.AppendEmpty()
		s.SetStartTimestamp(ts)
		s.SetEndTimestamp(ts)
	}
	now := pcommon.NewTimestampFromTime(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		stampTraces(td, now)
	}
}
