package consentprocessor

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

type fakePolicies struct {
	fakeRegistry
	reg *privacypolicy.Registry
}

func (f fakePolicies) PrivacyPolicies() *privacypolicy.Registry { return f.reg }

// newPolicyEnv is newEnv with a privacy policy registry, found by the extension and the processors.
func newPolicyEnv(t *testing.T, mode string) (*env, *privacypolicy.Registry) {
	reg := privacypolicy.NewRegistry()
	h := host{component.MustNewID("telemetry_api"): fakePolicies{reg: reg}}
	f := consentextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*consentextension.Config)
	cfg.Mode = mode
	e := newEnvWith(t, h, cfg)
	return e, reg
}

func eventLogs(tenant, user string, names ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(telemetryapi.TenantAttribute, tenant)
	rl.Resource().Attributes().PutStr("user.id", user)
	sl := rl.ScopeLogs().AppendEmpty()
	for _, n := range names {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetEventName(n)
		lr.Body().SetStr(n)
	}
	return ld
}

// A tenant's purposes decide which consent judges its records; other tenants keep the YAML's.
func TestTenantPurposeMapping(t *testing.T) {
	e, reg := newPolicyEnv(t, consentextension.ModeBalanced)
	for _, tenant := range []string{"eu", "us"} {
		e.set(t, tenant, "u1", map[string]bool{"performance": true, "diagnostics": false, "analytics": true})
	}
	p := e.start(t, createDefaultConfig(), nopSettings())
	ctx := context.Background()
	send := func(tenant string) []string {
		p.tsink.Reset()
		require.NoError(t, p.traces.ConsumeTraces(ctx, spans(tenant, map[string]string{"user.id": "u1"}, map[string]string{"n": tenant})))
		return spanNames(p.tsink)
	}
	assert.Equal(t, []string{"eu"}, send("eu"), "performance consented: YAML mapping")

	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: privacypolicy.Policy{
		Purposes: &privacypolicy.Purposes{Traces: "diagnostics", EventPrefixes: []privacypolicy.EventPrefix{{Prefix: "pay.", Purpose: "diagnostics"}}},
	}}})
	assert.Empty(t, send("eu"), "eu maps spans to diagnostics, which u1 refused")
	assert.Equal(t, []string{"us"}, send("us"), "us keeps the YAML mapping")

	p.lsink.Reset()
	require.NoError(t, p.logs.ConsumeLogs(ctx, eventLogs("eu", "u1", "pay.done", "view")))
	require.NoError(t, p.logs.ConsumeLogs(ctx, eventLogs("us", "u1", "pay.done")))
	var got []string
	for _, ld := range p.lsink.AllLogs() {
		got = append(got, logNames(ld)...)
	}
	assert.Equal(t, []string{"view", "pay.done"}, got, "eu's pay. events go to diagnostics (dropped), us's stay analytics")

	// A new policy (new version) replaces the cached mapping.
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 2, Policy: privacypolicy.Policy{Purposes: &privacypolicy.Purposes{Traces: "analytics"}}}})
	assert.Equal(t, []string{"eu"}, send("eu"))
}

// The dry run judges under a draft's consent_default and purposes, not the policy in effect.
func TestDryRunDraftConsent(t *testing.T) {
	e, reg := newPolicyEnv(t, consentextension.ModeBalanced)
	e.set(t, "eu", "u1", map[string]bool{"performance": true, "diagnostics": false})
	e.start(t, createDefaultConfig(), nopSettings())
	judge := reg.ConsentJudgeFor("traces")
	require.NotNil(t, judge)
	sample := func(user string) []byte {
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(spans("", map[string]string{"user.id": user}, map[string]string{"n": "s"}))
		require.NoError(t, err)
		return b
	}
	outcome := func(draft *privacypolicy.Policy, user string) privacypolicy.ConsentVerdict {
		v, err := judge(context.Background(), "eu", draft, sample(user))
		require.NoError(t, err)
		require.Len(t, v, 1)
		return v[0]
	}
	// u2 has no record: balanced is opt-out, a draft opt_in drops it.
	assert.Equal(t, "passed", outcome(nil, "u2").Outcome)
	assert.Equal(t, "dropped", outcome(&privacypolicy.Policy{ConsentDefault: "opt_in"}, "u2").Outcome)
	assert.Equal(t, "dropped", outcome(&privacypolicy.Policy{Mode: "strict"}, "u2").Outcome)
	assert.Equal(t, "passed", outcome(nil, "u2").Outcome, "nothing of the draft stays")
	// u1: the draft's purposes.
	assert.Equal(t, privacypolicy.ConsentVerdict{Purpose: "performance", Outcome: "passed", Reason: "granted", Records: 1}, outcome(nil, "u1"))
	v := outcome(&privacypolicy.Policy{Purposes: &privacypolicy.Purposes{Traces: "diagnostics"}}, "u1")
	assert.Equal(t, "diagnostics", v.Purpose)
	assert.Equal(t, "dropped", v.Outcome)
	assert.Equal(t, 0, reg.Len(), "the draft is not stored")
}

// BenchmarkPurposesOf is the per-resource cost of a tenant's purpose mapping with 1,000 tenants'
// policies loaded (a registry lookup and a cache load) next to no policies (the YAML's mapping).
func BenchmarkPurposesOf(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprint(n, "_tenants"), func(b *testing.B) {
			reg := privacypolicy.NewRegistry()
			h := host{component.MustNewID("telemetry_api"): fakePolicies{reg: reg}}
			f := consentextension.NewFactory()
			e := newEnvWith(b, h, f.CreateDefaultConfig().(*consentextension.Config))
			m := map[string]privacypolicy.Versioned{}
			for i := range n {
				m[fmt.Sprint("t", i)] = privacypolicy.Versioned{Version: 1, Policy: privacypolicy.Policy{
					Purposes: &privacypolicy.Purposes{Traces: "diagnostics", EventPrefixes: []privacypolicy.EventPrefix{{Prefix: fmt.Sprint("t", i, "."), Purpose: "analytics"}}}}}
			}
			reg.Replace(m)
			p := newConsentProcessor(createDefaultConfig(), "traces", mustTel(b))
			if err := p.start(context.Background(), e.host); err != nil {
				b.Fatal(err)
			}
			tenants := make([]string, 64)
			for i := range tenants {
				tenants[i] = fmt.Sprint("t", i*15)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if p.purposesOf(tenants[i&63]) == nil {
					b.Fatal("no mapping")
				}
				i++
			}
		})
	}
}
