package piiredactionprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

// The operator's attribute_allowlist (as traces/red uses it: only span_metrics' dimensions are
// read downstream) removes the rest unscanned, but an identifier it removes is still replaced where
// the span's kept strings mention it.
func TestOperatorAttributeAllowlist(t *testing.T) {
	cfg := strictCfg()
	cfg.AttributeAllowlist = []string{"http.route", "HTTP.Request.Method"}
	require.NoError(t, cfg.Validate())
	p := newTestProcessor(t, cfg)

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop")
	rs.Resource().Attributes().PutStr("host.ip", "203.0.113.9")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("checkout for jdoe.smith")
	a := sp.Attributes()
	a.PutStr("http.route", "/users/jane.doe@example.com/orders")
	a.PutStr("http.request.method", "POST")
	a.PutStr("user.id", "jdoe.smith")
	a.PutStr("network.peer.address", "198.51.100.7")
	a.PutStr("note", "mail jane.doe@example.com")
	a.PutEmptyMap("ctx").PutStr("user_id", "u-98765")
	sp.Links().AppendEmpty().Attributes().PutStr("link.kind", "retry")

	td, err := p.processTraces(t.Context(), td)
	require.NoError(t, err)
	got := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, map[string]any{"http.route": "/users/{email}/orders", "http.request.method": "POST"}, got.Attributes().AsRaw())
	assert.NotContains(t, got.Name(), "jdoe.smith", "the removed identifier's value is still replaced in the name")
	assert.Equal(t, 1, got.Links().At(0).Attributes().Len(), "link attributes are left alone")
	assert.Equal(t, 2, td.ResourceSpans().At(0).Resource().Attributes().Len(), "resource attributes are left alone")
}

func TestNarrowAllowlist(t *testing.T) {
	f := func(operator, tenant []string, key string, want bool) {
		t.Helper()
		a := narrowAllowlist(operator, tenant)
		if operator == nil && tenant == nil {
			assert.Nil(t, a)
			return
		}
		require.NotNil(t, a)
		assert.Equal(t, want, a.allows(appendLower(nil, key), key), "%v ∩ %v: %s", operator, tenant, key)
	}
	f(nil, nil, "x", true)
	f([]string{"a", "B"}, nil, "b", true)
	f(nil, []string{"a"}, "b", false)
	f([]string{"a", "b"}, []string{"B", "c"}, "b", true)
	f([]string{"a", "b"}, []string{"B", "c"}, "a", false)
	f([]string{"a", "b"}, []string{"B", "c"}, "c", false)
	f([]string{"a"}, []string{"c"}, "a", false) // nothing in common keeps nothing
	f([]string{"a"}, []string{"c"}, "pii_redaction.redacted.count", true)
}

func TestTenantAllowlistNarrowsOperators(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Mode = ModeBalanced
	cfg.AttributeAllowlist = []string{"http.route", "note"}
	p := newTestProcessor(t, cfg)
	reg := privacypolicy.NewRegistry()
	p.tenants = newTenantPolicies(cfg, reg)
	reg.SetEngine(p)
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: privacypolicy.Policy{AttributeAllowlist: []string{"note", "extra"}}}})
	td := tenantTraces("eu", "us")
	for i := range 2 {
		a := td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0).Attributes()
		a.PutStr("http.route", "/cart")
		a.PutStr("note", "n")
		a.PutStr("extra", "e")
	}
	td, err := p.processTraces(t.Context(), td)
	require.NoError(t, err)
	keys := func(i int) []string {
		var k []string
		td.ResourceSpans().At(i).ScopeSpans().At(0).Spans().At(0).Attributes().Range(func(key string, _ pcommon.Value) bool {
			k = append(k, key)
			return true
		})
		return k
	}
	assert.ElementsMatch(t, []string{"note"}, keys(0), "eu: in both lists")
	assert.ElementsMatch(t, []string{"http.route", "note"}, keys(1), "us: the operator's list")
}

// The remembered last address is a cache, not state: every address gets its own result.
func TestAnonymizeAddrRemembersLast(t *testing.T) {
	p := newTestProcessor(t, strictCfg())
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, ip := range []string{"198.51.100.7", "198.51.100.7", "203.0.113.9", "198.51.100.7", "2001:db8::1"} {
		spans.AppendEmpty().Attributes().PutStr("client.address", ip)
	}
	td, err := p.processTraces(t.Context(), td)
	require.NoError(t, err)
	var got []string
	for i := 0; i < spans.Len(); i++ {
		v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(i).Attributes().Get("client.address")
		got = append(got, v.Str())
	}
	assert.Equal(t, []string{"198.51.100.0", "198.51.100.0", "203.0.113.0", "198.51.100.0", "2001:db8::"}, got)
}
