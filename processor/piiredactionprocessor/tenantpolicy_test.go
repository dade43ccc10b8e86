package piiredactionprocessor

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

func tenantTraces(tenants ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, t := range tenants {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("tenant.id", t)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetName("checkout")
		sp.Attributes().PutStr("note", "mail alice@example.com")
	}
	return td
}

func balancedProcessor(t testing.TB) (*piiProcessor, *privacypolicy.Registry) {
	cfg := createDefaultConfig()
	cfg.Mode = ModeBalanced
	p := newTestProcessor(t, cfg)
	reg := privacypolicy.NewRegistry()
	p.tenants = newTenantPolicies(cfg, reg)
	reg.SetEngine(p)
	return p, reg
}

func TestTenantPolicyPerResource(t *testing.T) {
	p, reg := balancedProcessor(t)
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: privacypolicy.Policy{Mode: "strict"}}})
	td, err := p.processTraces(t.Context(), tenantTraces("eu", "us", "eu"))
	require.NoError(t, err)
	note := func(i int) string {
		v, _ := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0).Attributes().Get("note")
		return v.Str()
	}
	assert.Equal(t, "mail [REDACTED:email]", note(0), "eu: strict")
	assert.NotContains(t, note(1), "[REDACTED", "us: the YAML's balanced masks")
	assert.NotContains(t, note(1), "alice@example.com")
	assert.Equal(t, "mail [REDACTED:email]", note(2))

	// A new version replaces the compiled engine.
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 2, Policy: privacypolicy.Policy{Mode: "balanced"}}})
	td, err = p.processTraces(t.Context(), tenantTraces("eu"))
	require.NoError(t, err)
	assert.NotContains(t, note(0), "[REDACTED")
}

func TestTenantPolicyCheck(t *testing.T) {
	p, _ := balancedProcessor(t)
	f := func(pol privacypolicy.Policy, loosen bool, field, msg string) {
		t.Helper()
		err := p.Check(pol, loosen)
		if field == "" {
			assert.NoError(t, err)
			return
		}
		require.Error(t, err)
		assert.Equal(t, field, privacypolicy.FieldOf(err), err.Error())
		assert.Contains(t, err.Error(), msg)
	}
	f(privacypolicy.Policy{Mode: "strict", PIIFields: []string{"iban_no"}}, false, "", "")
	f(privacypolicy.Policy{Mode: "minimal"}, false, "mode", "less strict than the operator's balanced")
	f(privacypolicy.Policy{Mode: "minimal"}, true, "", "")
	f(privacypolicy.Policy{Mode: "loud"}, false, "mode", `"loud" is not one of strict, balanced, minimal`)
	no := false
	f(privacypolicy.Policy{AnonymizeIPs: &no}, false, "anonymize_ips", "floor")
	f(privacypolicy.Policy{Actions: map[string]string{"email": "keep"}}, false, "actions.email", "keeps more")
	f(privacypolicy.Policy{Actions: map[string]string{"email": "shout"}}, false, "actions.email", "is not one of")
	f(privacypolicy.Policy{PIIFieldsAction: "redact"}, false, "pii_fields_action", "floor")
	yes := true
	f(privacypolicy.Policy{HashIdentifiers: &yes}, false, "hash_key", "at least 32 bytes")
}

func TestTenantPolicyDryRun(t *testing.T) {
	p, _ := balancedProcessor(t)
	td := tenantTraces("eu")
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("email", "bob@example.com")
	sample, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	res, err := p.DryRun(t.Context(), privacypolicy.Policy{Mode: "strict"}, "traces", sample)
	require.NoError(t, err)
	assert.Contains(t, string(res.Record), "[REDACTED:email]")
	assert.NotContains(t, string(res.Record), "alice@example.com")
	assert.NotContains(t, string(res.Record), "pii_redaction.", "summary attributes are not part of the record")
	assert.Contains(t, res.Detectors, "email")
	b, _ := json.Marshal(res.Changes)
	assert.Contains(t, string(b), `{"field":"resource_spans[0].spans[0].attributes.email","action":"removed","detector":"pii_field","before":"bob@example.com"}`)
	assert.Contains(t, string(b), `"field":"resource_spans[0].spans[0].attributes.note","action":"redacted","detector":"email"`)
	_, err = p.DryRun(t.Context(), privacypolicy.Policy{}, "traces", []byte(`{"resourceSpans": 7}`))
	assert.Error(t, err)
}

func TestTenantAttributeAllowlist(t *testing.T) {
	p, reg := balancedProcessor(t)
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: privacypolicy.Policy{AttributeAllowlist: []string{"HTTP.Route", "note"}}}})
	td := tenantTraces("eu", "us")
	for i := range 2 {
		sp := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0)
		sp.Attributes().PutStr("http.route", "/cart")
		sp.Attributes().PutStr("internal.debug", "x")
		sp.Events().AppendEmpty().Attributes().PutStr("internal.debug", "y")
	}
	td, err := p.processTraces(t.Context(), td)
	require.NoError(t, err)
	eu := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	_, ok := eu.Attributes().Get("internal.debug")
	assert.False(t, ok, "not listed: dropped")
	assert.Equal(t, 0, eu.Events().At(0).Attributes().Len())
	_, ok = eu.Attributes().Get("http.route")
	assert.True(t, ok)
	_, ok = td.ResourceSpans().At(0).Resource().Attributes().Get("tenant.id")
	assert.True(t, ok, "resource attributes are left alone")
	us := td.ResourceSpans().At(1).ScopeSpans().At(0).Spans().At(0)
	_, ok = us.Attributes().Get("internal.debug")
	assert.True(t, ok, "another tenant has no allowlist")

	require.Error(t, p.Check(privacypolicy.Policy{AttributeAllowlist: []string{" "}}, false))
}

// BenchmarkTenantPoliciesRatio times the single-policy processor and the one with 1,000 tenants'
// policies loaded on the same batches, alternately within one run, so the drift of a shared machine
// hits both alike; it reports their ratio (the budget: 1.05). "per_request": every batch is
// one tenant's, as an OTLP request authenticated by one key is; "mixed": 100 tenants per batch, the
// worst case (the engine switches at every resource).
func BenchmarkTenantPoliciesRatio(b *testing.B) {
	const tenants = 1000
	batch := func(tenantOf func(i int) int) ptrace.Traces {
		td := ptrace.NewTraces()
		for i := range 100 {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("tenant.id", fmt.Sprint("tenant-", tenantOf(i)))
			rs.Resource().Attributes().PutStr("service.name", "checkout")
			spans := rs.ScopeSpans().AppendEmpty().Spans()
			for j := range 10 {
				sp := spans.AppendEmpty()
				sp.SetName("GET /cart")
				sp.Attributes().PutStr("http.route", "/cart")
				sp.Attributes().PutInt("http.response.status_code", 200)
				sp.Attributes().PutStr("note", fmt.Sprint("item ", j, " for customer 4711"))
			}
		}
		return td
	}
	for _, variant := range []string{"same_processor_twice", "per_request", "mixed"} {
		mixed := variant == "mixed"
		b.Run(variant, func(b *testing.B) {
			single, _ := balancedProcessor(b)
			multi, reg := balancedProcessor(b)
			if variant == "same_processor_twice" { // A/A: what the method reads when nothing differs
				multi = single
			}
			m := map[string]privacypolicy.Versioned{}
			for i := range tenants {
				m[fmt.Sprint("tenant-", i)] = privacypolicy.Versioned{Version: 1, Policy: privacypolicy.Policy{Mode: "balanced", PIIFields: []string{fmt.Sprint("secret_", i)}}}
			}
			reg.Replace(m)
			var batches []ptrace.Traces
			for k := range 20 {
				if mixed {
					batches = append(batches, batch(func(i int) int { return (k*100 + i*7) % tenants }))
				} else {
					batches = append(batches, batch(func(int) int { return k * 50 }))
				}
			}
			for _, td := range batches { // compile every engine once, as a running collector has
				w := ptrace.NewTraces()
				td.CopyTo(w)
				_, _ = multi.processTraces(b.Context(), w)
			}
			roles := [2]*piiProcessor{single, multi}
			var t [2]time.Duration
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				td := batches[i%len(batches)]
				order := [2]int{0, 1}
				if i%2 == 1 { // neither always runs second (after the other's garbage)
					order = [2]int{1, 0}
				}
				i++
				for _, r := range order {
					work := ptrace.NewTraces()
					td.CopyTo(work)
					start := time.Now()
					_, _ = roles[r].processTraces(b.Context(), work)
					t[r] += time.Since(start)
				}
			}
			tSingle, tMulti := t[0], t[1]
			b.ReportMetric(float64(tMulti)/float64(tSingle), "ratio")
			b.ReportMetric(float64(tSingle.Nanoseconds())/float64(i*1000), "ns/span_single")
			b.ReportMetric(float64(tMulti.Nanoseconds())/float64(i*1000), "ns/span_1000_policies")
		})
	}
}

// TestTenantPoliciesFailClosed: until the registry holds the fleet's policies, every tenant is
// redacted as strict (a tenant's stricter policy may not be known yet).
func TestTenantPoliciesFailClosed(t *testing.T) {
	p, reg := balancedProcessor(t)
	loaded := false
	reg.SetReady(func() bool { return loaded })
	td, err := p.processTraces(t.Context(), tenantTraces("us"))
	require.NoError(t, err)
	v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("note")
	assert.Equal(t, "mail [REDACTED:email]", v.Str(), "strict while not loaded")
	loaded = true
	td, err = p.processTraces(t.Context(), tenantTraces("us"))
	require.NoError(t, err)
	v, _ = td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("note")
	assert.NotContains(t, v.Str(), "[REDACTED", "the YAML's balanced once loaded")
}
