package consentextension

import (
	"fmt"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

// tenantDefaults holds the tenants' privacy policies (kept by the telemetry API extension): a
// tenant's consent_default, or its strict mode, replaces this extension's default policy for its
// users without a record.
type tenantDefaults struct{ reg *privacypolicy.Registry }

// policyFor is the default policy of tenant: one atomic load while no tenant has a policy, a map
// lookup when some do.
func (s *Store) policyFor(tenant string) Policy {
	td := s.tenants.Load()
	if td == nil {
		return s.policy
	}
	if !td.reg.Ready() {
		return PolicyOptIn // a tenant's opt-in may not be known yet: fail closed
	}
	if td.reg.Len() == 0 {
		return s.policy
	}
	v, ok := td.reg.Lookup(tenant)
	if !ok {
		return s.policy
	}
	return tenantPolicy(v.Policy, s.policy)
}

func tenantPolicy(p privacypolicy.Policy, base Policy) Policy {
	switch {
	case p.ConsentDefault == DefaultPolicyOptIn:
		return PolicyOptIn
	case p.ConsentDefault == DefaultPolicyOptOut:
		return PolicyOptOut
	case p.Mode == string(ModeStrict):
		return PolicyOptIn // as this extension's mode: strict means opt-in
	}
	return base
}

// useTenantPolicies makes the store follow reg and adds the consent checks to its validation.
func (s *Store) useTenantPolicies(reg *privacypolicy.Registry) {
	if reg == nil {
		return
	}
	s.tenants.Store(&tenantDefaults{reg: reg})
	reg.AddCheck(func(p privacypolicy.Policy, allowLoosening bool) error {
		switch p.ConsentDefault {
		case "", DefaultPolicyOptIn, DefaultPolicyOptOut:
		default:
			return &privacypolicy.FieldError{Field: "consent_default", Message: fmt.Sprintf("%q must be opt_in or opt_out", p.ConsentDefault)}
		}
		if !allowLoosening && s.policy == PolicyOptIn && tenantPolicy(p, s.policy) == PolicyOptOut {
			return &privacypolicy.FieldError{Field: "consent_default", Message: "opt_out is looser than the operator's opt_in; the operator's configuration is the floor: a tenant may tighten it, not loosen it"}
		}
		return privacypolicy.CheckPurposes(p.Purposes, s.purposes)
	})
}

// CheckDraft decides as Check would if draft were tenant's policy in effect (the dry run of a
// draft's consent_default).
func (s *Store) CheckDraft(tenant, user string, purpose int, draft privacypolicy.Policy) (bool, Reason) {
	st, incomplete := s.cache.lookup(tenant, user, uint8(purpose))
	return decide(st, tenantPolicy(draft, s.policy), incomplete)
}
