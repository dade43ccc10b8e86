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
