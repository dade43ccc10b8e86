package piiredactionprocessor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// tenantPolicies gives the engine of a record's tenant: the YAML's unless the tenant has a
// policy of its own (privacypolicy.Registry, kept by the telemetry API extension), compiled once
// per policy version.
type tenantPolicies struct {
	base *Config
	reg  *privacypolicy.Registry
	// strict is the YAML at mode strict: every tenant's engine until the registry holds the
	// fleet's policies (a tenant's stricter policy may not be known yet: fail closed).
	strict *engine
	// engines: tenant -> *tenantEngine, rebuilt when the tenant's policy version changes.
	engines sync.Map
}

type tenantEngine struct {
	version uint64
	e       *engine
}

// start finds the policy registry among the host's extensions (none: every tenant on the YAML)
// and registers p as the engine that checks and tries policies.
func (p *piiProcessor) start(_ context.Context, host component.Host) error {
	reg, err := privacypolicy.FromHost(host)
	if err != nil {
		return fmt.Errorf("pii_redaction: %w", err)
	}
	if reg != nil {
		p.tenants = newTenantPolicies(p.cfg, reg)
		reg.SetEngine(p)
	}
	return nil
}

func newTenantPolicies(base *Config, reg *privacypolicy.Registry) *tenantPolicies {
	tp := &tenantPolicies{base: base, reg: reg}
	strict := withPolicy(base, privacypolicy.Policy{Mode: string(ModeStrict)})
	if strict.Validate() == nil {
		tp.strict = newEngine(strict)
	}
	return tp
}

// engineFor returns the engine of the tenant of a resource: a map lookup when the tenant has no
// policy, two when it has.
func (p *piiProcessor) engineFor(res pcommon.Map) *engine {
	tp := p.tenants
	if tp == nil {
		return p.e
	}
	if !tp.reg.Ready() && tp.strict != nil {
		return tp.strict
	}
	if tp.reg.Len() == 0 {
		return p.e
	}
	tv, ok := res.Get(telemetryapi.TenantAttribute)
	if !ok {
		return p.e
	}
	tenant := tv.Str()
	v, ok := tp.reg.Lookup(tenant)
	if !ok {
		return p.e
	}
	if cached, ok := tp.engines.Load(tenant); ok && cached.(*tenantEngine).version == v.Version {
		return cached.(*tenantEngine).e
	}
	cfg := withPolicy(tp.base, v.Policy)
	e := p.e
	if cfg.Validate() == nil { // stored policies were checked; a YAML change may have made one invalid
		e = newEngine(cfg)
		e.allowOnly = narrowAllowlist(tp.base.AttributeAllowlist, v.Policy.AttributeAllowlist)
	}
	tp.engines.Store(tenant, &tenantEngine{version: v.Version, e: e})
	return e
}

// withPolicy is the YAML tightened by a tenant's policy: scalars replaced, field lists added to.
func withPolicy(base *Config, pol privacypolicy.Policy) *Config {
	c := *base
	if pol.Mode != "" {
		c.Mode = Mode(strings.ToLower(pol.Mode))
	}
	c.PIIFields = append(slices.Clone(base.PIIFields), pol.PIIFields...)
	if pol.PIIFieldsAction != "" {
		c.PIIFieldsAction = Action(pol.PIIFieldsAction)
	}
	c.IdentifierFields = append(slices.Clone(base.IdentifierFields), pol.IdentifierFields...)
	if pol.HashIdentifiers != nil {
		c.HashIdentifiers = *pol.HashIdentifiers
	}
	if pol.AnonymizeIPs != nil {
		c.AnonymizeIPs = *pol.AnonymizeIPs
	}
	if len(pol.Actions) > 0 {
		c.Actions = maps.Clone(base.Actions)
		if c.Actions == nil {
			c.Actions = map[string]Action{}
		}
		for d, a := range pol.Actions {
			c.Actions[d] = Action(a)
		}
	}
	return &c
}

var modeRank = map[Mode]int{ModeMinimal: 0, ModeBalanced: 1, ModeStrict: 2}

// actionRank orders what a detector does to a value by what is left of it.
var actionRank = map[Action]int{ActionKeep: 0, ActionMask: 1, ActionAnonymize: 1, ActionHash: 2, ActionRedact: 3}

var fieldAction = map[Action]int{ActionHash: 0, ActionRedact: 1, ActionRemove: 2}

// yamlField takes the key a Validate message starts with: "actions.email: ..." -> actions.email.
var yamlField = regexp.MustCompile(`^([a-z_]+(?:\.[a-z_]+)?)(?:\[\d+\])?:`)

// Check implements privacypolicy.Engine: the YAML's Validate on the merged configuration (same
// rules and messages), then the floor.
func (p *piiProcessor) Check(pol privacypolicy.Policy, allowLoosening bool) error {
	c := withPolicy(p.cfg, pol)
	var errs []error
	if err := c.Validate(); err != nil {
		var list []error
		if u, ok := err.(interface{ Unwrap() []error }); ok {
			list = u.Unwrap()
		} else {
			list = []error{err}
		}
		for _, e := range list {
			msg := e.Error()
			field := ""
			if m := yamlField.FindStringSubmatch(msg); m != nil {
				field = m[1]
			}
			errs = append(errs, &privacypolicy.FieldError{Field: field, Message: strings.TrimSpace(strings.TrimPrefix(msg, field+":"))})
		}
		return errors.Join(errs...)
	}
	for i, k := range pol.AttributeAllowlist {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, &privacypolicy.FieldError{Field: "attribute_allowlist", Message: fmt.Sprintf("[%d]: empty key", i)})
		}
	}
	if allowLoosening {
		return errors.Join(errs...)
	}
	base := p.cfg
	floor := func(field, format string, args ...any) {
		errs = append(errs, &privacypolicy.FieldError{Field: field, Message: fmt.Sprintf(format, args...) +
			"; the operator's configuration is the floor: a tenant may tighten it, not loosen it"})
	}
	if modeRank[c.Mode] < modeRank[base.Mode] {
		floor("mode", "%s is less strict than the operator's %s", c.Mode, base.Mode)
	}
	if base.AnonymizeIPs && !c.AnonymizeIPs {
		floor("anonymize_ips", "false turns off the operator's IP anonymization")
	}
	if base.HashIdentifiers && !c.HashIdentifiers {
		floor("hash_identifiers", "false turns off the operator's identifier hashing")
	}
	if fieldAction[c.PIIFieldsAction] < fieldAction[base.PIIFieldsAction] {
		floor("pii_fields_action", "%s keeps more of a PII field than the operator's %s", c.PIIFieldsAction, base.PIIFieldsAction)
	}
	for _, d := range detect.Names() {
		if ba, ta := ruleAction(base, d), ruleAction(c, d); actionRank[ta] < actionRank[ba] {
			floor("actions."+d, "%s keeps more than the operator's %s", ta, ba)
		}
	}
	return errors.Join(errs...)
}
