package telemetrystorageexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

var suppressKey = []byte("0123456789abcdef0123456789abcdef")

func suppressingStorage(t *testing.T) *storage {
	l, err := suppression.NewList(suppressKey)
	require.NoError(t, err)
	l.Put(suppression.Entry{Tenant: "acme", Subject: l.Subject("alice"), Since: 1})
	s := &storage{tel: nopTelemetry(t)}
	s.suppress.Store(l)
	return s
}

// TestSuppressAtWriteTime: records of a suppressed user (raw id or token, record or resource
// attribute) are removed from a copy; the input is never changed; other tenants and users stay.
func TestSuppressAtWriteTime(t *testing.T) {
	s := suppressingStorage(t)
	token := idhash.New(suppressKey).Token("alice")

	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("tenant.id", "acme")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, u := range []string{"alice", token, "bob", ""} {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(u)
		if u != "" {
			lr.Attributes().PutStr("user.id", u)
		}
	}
	other := ld.ResourceLogs().AppendEmpty()
	other.Resource().Attributes().PutStr("tenant.id", "globex")
	other.Resource().Attributes().PutStr("user.id", "alice") // resource-level id, other tenant
	other.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("globex-alice")

	out, n := s.suppressLogs(ld)
	assert.Equal(t, int64(2), n)
	assert.Equal(t, []string{"bob", "", "globex-alice"}, logBodies(out), "which records are kept")
	assert.Equal(t, []string{"alice", token, "bob", "", "globex-alice"}, logBodies(ld), "input unchanged")

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("tenant.id", "acme")
	rs.Resource().Attributes().PutStr("enduser.id", token)
	rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("x")
	kept := td.ResourceSpans().AppendEmpty()
	kept.Resource().Attributes().PutStr("tenant.id", "acme")
	kept.Resource().Attributes().PutStr("enduser.id", "bob")
	kept.ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("bob's")
	outT, n := s.suppressTraces(td)
	assert.Equal(t, int64(1), n)
	assert.Equal(t, []string{"bob's"}, spanNames(outT), "which spans are kept")
	assert.Equal(t, []string{"x", "bob's"}, spanNames(td), "input unchanged")

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("tenant.id", "acme")
	g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge()
	g.DataPoints().AppendEmpty().Attributes().PutStr("user.id", "alice")
	g.DataPoints().AppendEmpty().Attributes().PutStr("user.id", "bob")
	outM, n := s.suppressMetrics(md)
	assert.Equal(t, int64(1), n)
	assert.Equal(t, []string{"bob"}, pointUsers(outM), "which points are kept")
	assert.Equal(t, []string{"alice", "bob"}, pointUsers(md), "input unchanged")
}

// logBodies, spanNames and pointUsers name what a batch holds, in order, so a test sees which
// records a filter kept and not only how many.
func logBodies(ld plog.Logs) []string {
	out := []string{}
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				out = append(out, lr.Body().AsString())
			}
		}
	}
	return out
}

func spanNames(td ptrace.Traces) []string {
	out := []string{}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				out = append(out, sp.Name())
			}
		}
	}
	return out
}

// pointUsers lists, per data point, its user.id or else its first exemplar's.
func pointUsers(md pmetric.Metrics) []string {
	out := []string{}
	user := func(attrs pcommon.Map, ex pmetric.ExemplarSlice) string {
		if v, ok := attrs.Get("user.id"); ok {
			return v.AsString()
		}
		if ex.Len() > 0 {
			if v, ok := ex.At(0).FilteredAttributes().Get("user.id"); ok {
				return v.AsString()
			}
		}
		return ""
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					for _, dp := range m.Gauge().DataPoints().All() {
						out = append(out, user(dp.Attributes(), dp.Exemplars()))
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						out = append(out, user(dp.Attributes(), dp.Exemplars()))
					}
				}
			}
		}
	}
	return out
}

func TestSuppressWithoutList(t *testing.T) {
	s := &storage{tel: nopTelemetry(t)}
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Attributes().PutStr("user.id", "alice")
	out, n := s.suppressLogs(ld)
	assert.Zero(t, n)
	assert.Equal(t, ld, out)
}

// BenchmarkSuppressLogs is the write-time check's cost on a 1000-record batch when the tenant has
// suppressions but the batch has none of them (the common case once a deletion exists).
func BenchmarkSuppressLogs(b *testing.B) {
	l, _ := suppression.NewList(suppressKey)
	l.Put(suppression.Entry{Tenant: "acme", Subject: l.Subject("alice"), Since: 1})
	s := &storage{}
	s.suppress.Store(l)
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("tenant.id", "acme")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range 1000 {
		lrs.AppendEmpty().Attributes().PutStr("user.id", "user-"+string(rune('a'+i%26)))
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.suppressLogs(ld)
	}
}

// TestSuppressNestedAttributes: data_rights deletes a span that names the user only in an event's
// or a link's attributes, and a point that names it only in an exemplar (pii_redaction tokenises
// ids there too); the write-time check drops the same records, so a late one is not stored after
// the deletion (where the receipt's verify would find it).
func TestSuppressNestedAttributes(t *testing.T) {
	s := suppressingStorage(t)
	token := idhash.New(suppressKey).Token("alice")

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("tenant.id", "acme")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for name, add := range map[string]func(ptrace.Span){
		"event-token": func(sp ptrace.Span) { sp.Events().AppendEmpty().Attributes().PutStr("user.id", token) },
		"link-raw":    func(sp ptrace.Span) { sp.Links().AppendEmpty().Attributes().PutStr("enduser.id", "alice") },
		"event-bob":   func(sp ptrace.Span) { sp.Events().AppendEmpty().Attributes().PutStr("user.id", "bob") },
	} {
		sp := spans.AppendEmpty()
		sp.SetName(name)
		add(sp)
	}
	outT, n := s.suppressTraces(td)
	assert.Equal(t, int64(2), n)
	assert.Equal(t, []string{"event-bob"}, spanNames(outT), "which spans are kept")
	assert.Len(t, spanNames(td), 3, "input unchanged")

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("tenant.id", "acme")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	g := ms.AppendEmpty().SetEmptyGauge()
	g.DataPoints().AppendEmpty().Exemplars().AppendEmpty().FilteredAttributes().PutStr("user.id", token)
	g.DataPoints().AppendEmpty().Exemplars().AppendEmpty().FilteredAttributes().PutStr("user.id", "bob")
	h := ms.AppendEmpty().SetEmptyHistogram()
	h.DataPoints().AppendEmpty().Exemplars().AppendEmpty().FilteredAttributes().PutStr("user.id", "alice")
	outM, n := s.suppressMetrics(md)
	assert.Equal(t, int64(2), n)
	assert.Equal(t, []string{"bob"}, pointUsers(outM), "which points are kept")
}
