package consentextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

func TestTenantConsentDefault(t *testing.T) {
	s := &Store{policy: PolicyOptIn}
	reg := privacypolicy.NewRegistry()
	s.useTenantPolicies(reg)
	assert.Equal(t, PolicyOptIn, s.policyFor("eu"))
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 1, Policy: privacypolicy.Policy{ConsentDefault: "opt_out"}}})
	assert.Equal(t, PolicyOptOut, s.policyFor("eu"), "allowed only with allow_loosening, but applied as stored")
	assert.Equal(t, PolicyOptIn, s.policyFor("us"))

	err := reg.Check(privacypolicy.Policy{ConsentDefault: "opt_out"}, false)
	require.Error(t, err)
	assert.Equal(t, "consent_default", privacypolicy.FieldOf(err))
	require.NoError(t, reg.Check(privacypolicy.Policy{ConsentDefault: "opt_out"}, true))
	assert.Equal(t, "consent_default", privacypolicy.FieldOf(reg.Check(privacypolicy.Policy{ConsentDefault: "x"}, true)))

	s.policy = PolicyOptOut
	reg.Replace(map[string]privacypolicy.Versioned{"eu": {Version: 2, Policy: privacypolicy.Policy{Mode: "strict"}}})
	assert.Equal(t, PolicyOptIn, s.policyFor("eu"), "a tenant's strict mode means opt-in")
	assert.Equal(t, PolicyOptOut, s.policyFor("us"))

	reg.SetReady(func() bool { return false })
	assert.Equal(t, PolicyOptIn, s.policyFor("us"), "fail closed until the fleet's policies are loaded")
}

func TestTenantPurposesValidated(t *testing.T) {
	s := &Store{policy: PolicyOptOut, purposes: []string{"analytics", "performance", "diagnostics"}}
	reg := privacypolicy.NewRegistry()
	s.useTenantPolicies(reg)
	require.NoError(t, reg.Check(privacypolicy.Policy{Purposes: &privacypolicy.Purposes{Traces: "diagnostics",
		EventPrefixes: []privacypolicy.EventPrefix{{Prefix: "pay.", Purpose: "performance"}}}}, false))
	for _, c := range []struct {
		p     privacypolicy.Purposes
		field string
		msg   string
	}{
		{privacypolicy.Purposes{Traces: "marketing"}, "purposes.traces", `purpose "marketing" is not configured in the consent extension (purposes: [analytics performance diagnostics])`},
		{privacypolicy.Purposes{EventPrefixes: []privacypolicy.EventPrefix{{Prefix: "", Purpose: "analytics"}}}, "purposes.event_prefixes[0].prefix", "must not be empty"},
		{privacypolicy.Purposes{EventPrefixes: []privacypolicy.EventPrefix{{Prefix: "a", Purpose: "analytics"}, {Prefix: "a", Purpose: "analytics"}}}, "purposes.event_prefixes[1].prefix", `"a" is listed twice`},
		{privacypolicy.Purposes{EventPrefixes: []privacypolicy.EventPrefix{{Prefix: "a"}}}, "purposes.event_prefixes[0].purpose", "must name a purpose"},
	} {
		err := reg.Check(privacypolicy.Policy{Purposes: &c.p}, true)
		require.Error(t, err)
		assert.Equal(t, c.field, privacypolicy.FieldOf(err))
		assert.Contains(t, err.Error(), c.msg)
	}
}

func TestCheckDraft(t *testing.T) {
	s := newStore(createDefaultConfig(), memoryBackend{}, nil, nil) // balanced: opt-out
	ok, _ := s.CheckDraft("eu", "nobody", 0, privacypolicy.Policy{ConsentDefault: "opt_in"})
	assert.False(t, ok)
	ok, _ = s.CheckDraft("eu", "nobody", 0, privacypolicy.Policy{})
	assert.True(t, ok)
}
