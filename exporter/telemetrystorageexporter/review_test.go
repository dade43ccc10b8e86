package telemetrystorageexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A missing (zero) time must not be stored as 1970-01-01: the TTL would delete the acknowledged
// row at the next merge. Like logs, spans and points fall back to what they have, else receipt time.
func TestZeroTimestampsNotStoredAs1970(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	spans.AppendEmpty().SetName("no times")
	endOnly := spans.AppendEmpty()
	endOnly.SetEndTimestamp(ts(0))
	b := &spanBlock{}
	now := t0.Add(time.Hour)
	appendSpans(td, b, now, noTTL)
	assert.Equal(t, []uint64{0, 0}, b.duration)
	assert.Equal(t, now, b.timestamp[0], "no times: receipt time")
	assert.Equal(t, t0, b.timestamp[1], "no start: the end time")

	md := pmetric.NewMetrics()
	dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(1)
	m := &metricBlock{}
	appendMetrics(md, m, now, noTTL)
	assert.Equal(t, []time.Time{now}, m.timestamp, "no time: receipt time")
}
