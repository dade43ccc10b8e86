package consentprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
)

// An anonymized record must not keep a user id through its resource: the storage exporter (and any
// query) falls back to the resource's user.id once the record's own is removed.
func TestAnonymizeRecordIDAlsoOnResource(t *testing.T) {
	p := anonymizer(t, consentextension.ModeBalanced)
	ctx := context.Background()

	// Traces: B on the span and on the resource.
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", map[string]string{"user.id": "B", "service.name": "web"},
		map[string]string{"n": "b", "user.id": "B"})))
	rs := p.tsink.AllTraces()[0].ResourceSpans().At(0)
	assert.Equal(t, map[string]any{"tenant.id": "t1", "service.name": "web"}, rs.Resource().Attributes().AsRaw())
	assert.Equal(t, map[string]any{}, rs.ScopeSpans().At(0).Spans().At(0).Attributes().AsRaw())

	// Logs: consented A on the resource, a record of not consented B next to one of A's: B's record
	// moves to a resource without A's id, A's record keeps it.
	ld := newLogs("t1", map[string]string{"user.id": "A", "service.name": "app"},
		map[string]string{"body": "b", "user.id": "B", "event_name": "click"},
		map[string]string{"body": "a", "event_name": "click"})
	require.NoError(t, p.logs.ConsumeLogs(ctx, ld))
	got := p.lsink.AllLogs()[0]
	require.Equal(t, 2, got.ResourceLogs().Len())
	kept, moved := got.ResourceLogs().At(0), got.ResourceLogs().At(1)
	assert.Equal(t, map[string]any{"tenant.id": "t1", "user.id": "A", "service.name": "app"}, kept.Resource().Attributes().AsRaw())
	assert.Equal(t, []string{"a"}, logNames(subLogs(kept)))
	assert.Equal(t, map[string]any{"tenant.id": "t1", "service.name": "app"}, moved.Resource().Attributes().AsRaw())
	assert.Equal(t, []string{"b"}, logNames(subLogs(moved)))
}

// A user id of another attribute type is still the user's id (the storage exporter stores it as
// text in user_id), so it is checked, not treated as anonymous.
func TestUserIDOfOtherTypes(t *testing.T) {
	e := newEnv(t, consentextension.ModeBalanced)
	e.set(t, "t1", "42.5", map[string]bool{"performance": false})
	e.set(t, "t1", "true", map[string]bool{"performance": false})
	p := e.start(t, createDefaultConfig(), nopSettings())
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("tenant.id", "t1")
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	d := ss.AppendEmpty()
	d.SetName("double")
	d.Attributes().PutDouble("user.id", 42.5)
	b := ss.AppendEmpty()
	b.SetName("bool")
	b.Attributes().PutBool("enduser.id", true)
	ok := ss.AppendEmpty()
	ok.SetName("other")
	ok.Attributes().PutDouble("user.id", 1.5)
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), td))
	assert.Equal(t, []string{"other"}, spanNames(p.tsink))
}

// The tenant is matched as the storage exporter stores it (tenant.id in text form), so a
// non-string tenant.id is not checked against the default tenant's consents.
func TestNonStringTenant(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "7", "A", map[string]bool{"performance": true})
	e.set(t, "default", "B", map[string]bool{"performance": true})
	p := e.start(t, createDefaultConfig(), nopSettings())
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutInt("tenant.id", 7)
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	a := ss.AppendEmpty()
	a.SetName("a")
	a.Attributes().PutStr("user.id", "A")
	b := ss.AppendEmpty()
	b.SetName("b")
	b.Attributes().PutStr("user.id", "B")
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), td))
	assert.Equal(t, []string{"a"}, spanNames(p.tsink))
}

// A non-string event.name still makes the record an event (the storage exporter routes it to
// telemetry_events), so it is judged by the events purpose, not the logs purpose.
func TestNonStringEventNameIsEvent(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "t1", "D", map[string]bool{"diagnostics": true, "analytics": false})
	p := e.start(t, createDefaultConfig(), nopSettings())
	ld := newLogs("t1", nil, map[string]string{"body": "log", "user.id": "D"}, map[string]string{"body": "event", "user.id": "D"})
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(1).Attributes().PutInt("event.name", 42)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	assert.Equal(t, []string{"log"}, logNames(p.lsink.AllLogs()[0]))
}
