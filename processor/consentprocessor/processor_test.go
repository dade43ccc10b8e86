package consentprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
)

// abc: A granted analytics and performance, B denied both, C has no record.
func abc(t *testing.T, e *env, tenant string) {
	e.set(t, tenant, "A", map[string]bool{"analytics": true, "performance": true})
	e.set(t, tenant, "B", map[string]bool{"analytics": false, "performance": false})
}

func TestTracesByMode(t *testing.T) {
	f := func(mode string, want []string) {
		t.Helper()
		e := newEnv(t, mode)
		abc(t, e, "t1")
		p := e.start(t, createDefaultConfig(), nopSettings())
		td := spans("t1", nil,
			map[string]string{"n": "a", "user.id": "A"},
			map[string]string{"n": "b", "user.id": "B"},
			map[string]string{"n": "c", "enduser.id": "C"},
			map[string]string{"n": "anon"})
		require.NoError(t, p.traces.ConsumeTraces(context.Background(), td))
		assert.Equal(t, want, spanNames(p.tsink), mode)
	}
	f(consentextension.ModeStrict, []string{"a", "anon"})
	f(consentextension.ModeBalanced, []string{"a", "c", "anon"})
	f(consentextension.ModeMinimal, []string{"a", "c", "anon"})
}

func TestTenantIsolation(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "t1", "A", map[string]bool{"performance": true})
	p := e.start(t, createDefaultConfig(), nopSettings())
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil, map[string]string{"n": "t1", "user.id": "A"})))
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t2", nil, map[string]string{"n": "t2", "user.id": "A"})))
	// No tenant attribute: the default tenant, also not t1.
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("", nil, map[string]string{"n": "none", "user.id": "A"})))
	assert.Equal(t, []string{"t1"}, spanNames(p.tsink))
}

// anonymizer is a consent processor with action anonymize in mode, users A, B and C known in t1.
func anonymizer(t *testing.T, mode string) *pipelines {
	e := newEnv(t, mode)
	abc(t, e, "t1")
	cfg := createDefaultConfig()
	cfg.Action = ActionAnonymize
	return e.start(t, cfg, nopSettings())
}

func TestResourceLevelUserAndAnonymize(t *testing.T) {
	p := anonymizer(t, consentextension.ModeBalanced)
	ctx := context.Background()
	// B on the resource: every span is B's unless it names its own user.
	td := spans("t1", map[string]string{"user.id": "B", "session.id": "s1", "service.name": "web"},
		map[string]string{"n": "b1", "http.route": "/cart", "client.address": "10.0.0.1"},
		map[string]string{"n": "a", "user.id": "A", "session.id": "s2"})
	require.NoError(t, p.traces.ConsumeTraces(ctx, td))
	require.Equal(t, []string{"b1", "a"}, spanNames(p.tsink))
	rs := p.tsink.AllTraces()[0].ResourceSpans().At(0)
	assert.Equal(t, map[string]any{"tenant.id": "t1", "service.name": "web"}, rs.Resource().Attributes().AsRaw(),
		"resource user id and session removed, the rest kept")
	sp := rs.ScopeSpans().At(0).Spans()
	assert.Equal(t, map[string]any{"http.route": "/cart"}, sp.At(0).Attributes().AsRaw())
	assert.Equal(t, map[string]any{"user.id": "A", "session.id": "s2"}, sp.At(1).Attributes().AsRaw(), "A consented: untouched")
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	abc(t, e, "t1")
	e.set(t, "t1", "7", map[string]bool{"performance": true})
	p := e.start(t, createDefaultConfig(), nopSettings())
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("tenant.id", "t1")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	g := ms.AppendEmpty()
	g.SetName("gauge")
	gauge := g.SetEmptyGauge()
	for _, u := range []string{"A", "B", "C", ""} {
		dp := gauge.DataPoints().AppendEmpty()
		if u != "" {
			dp.Attributes().PutStr("user.id", u)
		}
	}
	h := ms.AppendEmpty()
	h.SetName("hist-of-B")
	h.SetEmptyHistogram().DataPoints().AppendEmpty().Attributes().PutStr("user.id", "B")
	s := ms.AppendEmpty()
	s.SetName("sum-of-7")
	s.SetEmptySum().DataPoints().AppendEmpty().Attributes().PutInt("user.id", 7) // numeric ids work too
	eh := ms.AppendEmpty()
	eh.SetName("exp")
	eh.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	sm := ms.AppendEmpty()
	sm.SetName("summary")
	sm.SetEmptySummary().DataPoints().AppendEmpty().Attributes().PutStr("user.id", "C")

	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), md))
	got := p.msink.AllMetrics()[0]
	var names []string
	for i := 0; i < got.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().Len(); i++ {
		names = append(names, got.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(i).Name())
	}
	assert.Equal(t, []string{"gauge", "sum-of-7", "exp"}, names, "metrics left without data points are removed")
	assert.Equal(t, 4, pointCount(got), "gauge keeps A and the anonymous point, the sum its user 7, exp its anonymous point")

	// Resource-level user on metrics.
	md = pmetric.NewMetrics()
	rm = md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("tenant.id", "t1")
	rm.Resource().Attributes().PutStr("user.id", "B")
	rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	require.NoError(t, p.metrics.ConsumeMetrics(context.Background(), md))
	assert.Len(t, p.msink.AllMetrics(), 1, "all dropped: nothing sent on")
}

func newLogs(tenant string, resAttrs map[string]string, records ...map[string]string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("tenant.id", tenant)
	for k, v := range resAttrs {
		rl.Resource().Attributes().PutStr(k, v)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("scope")
	for _, a := range records {
		lr := sl.LogRecords().AppendEmpty()
		lr.Body().SetStr(a["body"])
		for k, v := range a {
			switch k {
			case "body":
			case "event_name":
				lr.SetEventName(v)
			default:
				lr.Attributes().PutStr(k, v)
			}
		}
	}
	return ld
}

func TestLogsPurposes(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "t1", "A", map[string]bool{"analytics": true})
	e.set(t, "t1", "D", map[string]bool{"diagnostics": true, "performance": true})
	cfg := createDefaultConfig()
	cfg.Purposes.EventPrefixes = []EventPrefix{{Prefix: "perf.", Purpose: "performance"}, {Prefix: "perf.web.", Purpose: "analytics"}}
	p := e.start(t, cfg, nopSettings())
	ld := newLogs("t1", nil,
		map[string]string{"body": "A event", "user.id": "A", "event_name": "checkout"},
		map[string]string{"body": "A event attr", "user.id": "A", "event.name": "signup"},
		map[string]string{"body": "A log", "user.id": "A"},
		map[string]string{"body": "A perf event", "user.id": "A", "event_name": "perf.load"},
		map[string]string{"body": "A perf.web event", "user.id": "A", "event_name": "perf.web.vitals"},
		map[string]string{"body": "D event", "user.id": "D", "event_name": "checkout"},
		map[string]string{"body": "D log", "user.id": "D"},
		map[string]string{"body": "D perf event", "user.id": "D", "event_name": "perf.load"},
		map[string]string{"body": "anon log"},
	)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	assert.Equal(t, []string{"A event", "A event attr", "A perf.web event", "D log", "D perf event", "anon log"}, logNames(p.lsink.AllLogs()[0]))
}

// One resource with a user id, records of two purposes, consented for one: the anonymized records
// move to a copy of the resource without the id.
func TestLogsSplitResource(t *testing.T) {
	e := newEnv(t, consentextension.ModeBalanced)
	e.set(t, "t1", "U", map[string]bool{"analytics": false})
	cfg := createDefaultConfig()
	cfg.Action = ActionAnonymize
	p := e.start(t, cfg, nopSettings())
	ld := newLogs("t1", map[string]string{"user.id": "U", "service.name": "app"},
		map[string]string{"body": "event", "event_name": "click", "session.id": "s"},
		map[string]string{"body": "log"})
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	got := p.lsink.AllLogs()[0]
	require.Equal(t, 2, got.ResourceLogs().Len())
	kept, moved := got.ResourceLogs().At(0), got.ResourceLogs().At(1)
	assert.Equal(t, map[string]any{"tenant.id": "t1", "user.id": "U", "service.name": "app"}, kept.Resource().Attributes().AsRaw())
	assert.Equal(t, []string{"log"}, logNames(subLogs(kept)))
	assert.Equal(t, map[string]any{"tenant.id": "t1", "service.name": "app"}, moved.Resource().Attributes().AsRaw())
	assert.Equal(t, []string{"event"}, logNames(subLogs(moved)))
	assert.Equal(t, "scope", moved.ScopeLogs().At(0).Scope().Name())
	assert.Equal(t, map[string]any{}, moved.ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw())

	// All of the resource's records anonymized: the resource is cleaned in place.
	ld = newLogs("t1", map[string]string{"user.id": "U"}, map[string]string{"body": "event", "event_name": "click"})
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), ld))
	got = p.lsink.AllLogs()[1]
	require.Equal(t, 1, got.ResourceLogs().Len())
	assert.Equal(t, map[string]any{"tenant.id": "t1"}, got.ResourceLogs().At(0).Resource().Attributes().AsRaw())
}

func subLogs(rl plog.ResourceLogs) plog.Logs {
	ld := plog.NewLogs()
	rl.CopyTo(ld.ResourceLogs().AppendEmpty())
	return ld
}

func TestDisabledDropsEverything(t *testing.T) {
	e := newEnv(t, consentextension.ModeBalanced)
	cfg := createDefaultConfig()
	cfg.Enabled = false
	p := e.start(t, cfg, nopSettings())
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil, map[string]string{"n": "anon"})))
	require.NoError(t, p.logs.ConsumeLogs(ctx, newLogs("t1", nil, map[string]string{"body": "x"})))
	assert.Empty(t, p.tsink.AllTraces())
	assert.Empty(t, p.lsink.AllLogs())
}

func TestRevocationAppliesToNextBatch(t *testing.T) {
	e := newEnv(t, consentextension.ModeStrict)
	e.set(t, "t1", "A", map[string]bool{"performance": true})
	p := e.start(t, createDefaultConfig(), nopSettings())
	ctx := context.Background()
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil, map[string]string{"n": "before", "user.id": "A"})))
	e.set(t, "t1", "A", map[string]bool{"performance": false})
	require.NoError(t, p.traces.ConsumeTraces(ctx, spans("t1", nil, map[string]string{"n": "after", "user.id": "A"})))
	assert.Equal(t, []string{"before"}, spanNames(p.tsink))
}

func TestStartErrors(t *testing.T) {
	e := newEnv(t, consentextension.ModeBalanced)
	ctx := context.Background()
	f := func(cfg *Config, want string) {
		t.Helper()
		tp, err := NewFactory().CreateTraces(ctx, nopSettings(), cfg, nil)
		require.NoError(t, err)
		assert.ErrorContains(t, tp.Start(ctx, e.host), want)
	}
	c1 := createDefaultConfig()
	c1.ConsentExtension = component.MustNewIDWithName("consent", "missing")
	f(c1, `consent_extension: extension "consent/missing" is not configured`)
	c2 := createDefaultConfig()
	c2.Purposes.Events = "marketing"
	c2.Purposes.EventPrefixes = []EventPrefix{{Prefix: "x", Purpose: "ads"}}
	f(c2, `purposes::events: purpose "marketing" is not configured in extension "consent"`)
}

// An anonymized span that repeats its user's id in its name or status message (the RED pipeline's
// series label) loses the id there too: once the attribute is stripped nothing downstream knows it.
func TestAnonymizeUnmentionsUser(t *testing.T) {
	p := anonymizer(t, consentextension.ModeStrict)
	td := spans("t1", map[string]string{"user.id": "rsmith"},
		map[string]string{"n": "checkout for jdoe.x", "user.id": "jdoe.x"},
		map[string]string{"n": "GET /u/rsmith/cart"},
		map[string]string{"n": "tab of ab", "user.id": "ab"})
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Status().SetMessage("jdoe.x: card declined")
	require.NoError(t, p.traces.ConsumeTraces(context.Background(), td))
	assert.Equal(t, []string{"checkout for {id}", "GET /u/{id}/cart", "tab of ab"}, spanNames(p.tsink),
		"ids of four or more characters replaced; shorter ones would match inside words")
	sp := p.tsink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "{id}: card declined", sp.Status().Message())
}
