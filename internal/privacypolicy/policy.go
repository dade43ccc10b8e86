// Package privacypolicy is the contract between the telemetry API extension, which keeps every
// tenant's privacy policy (the spec's configure_privacy) in the fleet store and serves
// /privacy/policy, and the components that apply it per record's tenant (pii_redaction,
// telemetry_storage). A tenant's policy only tightens the operator's YAML, which stays the
// default and the floor.
package privacypolicy // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
)

// Policy is a tenant's privacy policy. Empty fields keep the operator's YAML; list fields add to
// it (a tenant cannot remove a field the operator protects).
type Policy struct {
	// Mode strict, balanced or minimal (pii_redaction mode).
	Mode string `json:"mode,omitempty"`
	// PIIFields are added to the operator's pii_fields.
	PIIFields []string `json:"pii_fields,omitempty"`
	// PIIFieldsAction: remove, redact or hash.
	PIIFieldsAction string `json:"pii_fields_action,omitempty"`
	// IdentifierFields are added to the operator's identifier_fields.
	IdentifierFields []string `json:"identifier_fields,omitempty"`
	HashIdentifiers  *bool    `json:"hash_identifiers,omitempty"`
	AnonymizeIPs     *bool    `json:"anonymize_ips,omitempty"`
	// Actions per detector (email, phone, ...): redact, hash, mask, anonymize, keep.
	Actions map[string]string `json:"actions,omitempty"`
	// AttributeAllowlist, when set, is fail-closed: only these attribute keys of spans, span events,
	// log records and data points are stored; the rest are removed and counted.
	AttributeAllowlist []string `json:"attribute_allowlist,omitempty"`
	// ConsentDefault for users without a consent record: opt_in or opt_out (default: the consent
	// extension's, or opt_in when Mode is strict).
	ConsentDefault string `json:"consent_default,omitempty"`
	// Purposes maps the tenant's records to consent purposes, as the consent processor's
	// purposes YAML: empty fields keep the operator's mapping; event_prefixes are tried before the
	// operator's.
	Purposes *Purposes `json:"purposes,omitempty"`
	// RetentionDays per signal (traces, logs, metrics, events); at most the operator's maximum.
	RetentionDays map[string]int `json:"retention_days,omitempty"`
}

// Purposes is a tenant's purpose mapping (the consent processor's purposes).
type Purposes struct {
	Traces        string        `json:"traces,omitempty"`
	Metrics       string        `json:"metrics,omitempty"`
	Logs          string        `json:"logs,omitempty"`
	Events        string        `json:"events,omitempty"`
	EventPrefixes []EventPrefix `json:"event_prefixes,omitempty"`
}

// EventPrefix maps event names starting with Prefix to Purpose.
type EventPrefix struct {
	Prefix  string `json:"prefix"`
	Purpose string `json:"purpose"`
}

// CheckPurposes validates a tenant's purpose mapping with the consent processor's rules and
// messages (the JSON path in place of the YAML key): prefixes non-empty and listed once, every
// purpose named and one of known (the consent extension's purposes).
func CheckPurposes(p *Purposes, known []string) error {
	if p == nil {
		return nil
	}
	var errs []error
	exists := func(field, name string) {
		if name != "" && !slices.Contains(known, name) {
			errs = append(errs, &FieldError{field, fmt.Sprintf("purpose %q is not configured in the consent extension (purposes: %v)", name, known)})
		}
	}
	exists("purposes.traces", p.Traces)
	exists("purposes.metrics", p.Metrics)
	exists("purposes.logs", p.Logs)
	exists("purposes.events", p.Events)
	if len(p.EventPrefixes) > 1000 {
		errs = append(errs, &FieldError{"purposes.event_prefixes", fmt.Sprintf("%d prefixes; at most 1000", len(p.EventPrefixes))})
	}
	seen := map[string]bool{}
	for i, ep := range p.EventPrefixes {
		at := fmt.Sprintf("purposes.event_prefixes[%d]", i)
		if ep.Prefix == "" {
			errs = append(errs, &FieldError{at + ".prefix", "must not be empty"})
		} else if seen[ep.Prefix] {
			errs = append(errs, &FieldError{at + ".prefix", fmt.Sprintf("%q is listed twice", ep.Prefix)})
		}
		seen[ep.Prefix] = true
		if ep.Purpose == "" {
			errs = append(errs, &FieldError{at + ".purpose", "must name a purpose"})
		}
		exists(at+".purpose", ep.Purpose)
	}
	return errors.Join(errs...)
}

// Signals whose retention a policy may set.
var Signals = []string{"traces", "logs", "metrics", "events"}

// Versioned is a policy in effect and its version (the ETag).
type Versioned struct {
	Version uint64
	Policy  Policy
}

// Engine checks and tries policies; the pii_redaction processor implements it, so a policy is
// validated with the same rules and messages as its YAML.
type Engine interface {
	// Check reports what is wrong with p as a tenant's policy: the processor's own validation and
	// the floor (a tenant may tighten the operator's policy, not loosen it, unless allowLoosening).
	Check(p Policy, allowLoosening bool) error
	// DryRun applies p to sample (an OTLP JSON export request of signal traces, logs or metrics)
	// without storing anything and returns the record as it would be stored and every change.
	DryRun(ctx context.Context, p Policy, signal string, sample []byte) (DryRunResult, error)
}

// DryRunResult is the answer of a dry run.
type DryRunResult struct {
	// Record is the sample as it would be stored (OTLP JSON).
	Record json.RawMessage `json:"record"`
	// Changes lists every attribute or field the policy changed.
	Changes []Change `json:"changes"`
	// Detectors that fired, from the processor's debug summary.
	Detectors []string `json:"detectors"`
}

// Change is one changed value.
type Change struct {
	// Field is the attribute key (resource., scope. or record-level) or span/log field.
	Field string `json:"field"`
	// Action: removed, redacted, hashed, masked, anonymized or changed.
	Action string `json:"action"`
	// Detector that caused it when known (pii_field, identifier, email, ip, ...).
	Detector string `json:"detector,omitempty"`
	Before   string `json:"before"`
	After    string `json:"after,omitempty"`
}

// FieldError is a validation failure that names its field (JSON path of the policy).
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldOf returns the field named by the first FieldError in err, else "".
func FieldOf(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// CheckRetention validates retention_days against the operator's maxima (0: no maximum).
func CheckRetention(p Policy, maxDays map[string]int) error {
	var errs []error
	for _, s := range Signals {
		d, ok := p.RetentionDays[s]
		if !ok {
			continue
		}
		field := "retention_days." + s
		switch {
		case d < 1 || d > 36500:
			errs = append(errs, &FieldError{field, fmt.Sprintf("%d must be between 1 and 36500 days", d)})
		case maxDays[s] > 0 && d > maxDays[s]:
			errs = append(errs, &FieldError{field, fmt.Sprintf("%d days is above the operator's maximum of %d; a tenant may shorten retention, not lengthen it", d, maxDays[s])})
		}
	}
	for s := range p.RetentionDays {
		if !slices.Contains(Signals, s) {
			errs = append(errs, &FieldError{"retention_days." + s, fmt.Sprintf("unknown signal, use %v", Signals)})
		}
	}
	return errors.Join(errs...)
}

// Registry holds the policies in effect on this collector, one immutable map swapped as a whole:
// Lookup takes no lock and does not allocate.
type Registry struct {
	snap   atomic.Pointer[map[string]Versioned]
	engine atomic.Pointer[engineHolder]

	ready atomic.Pointer[func() bool]

	checksMu sync.Mutex
	checks   []func(Policy, bool) error
	judges   map[string]ConsentJudge
}

// ConsentVerdict counts the records of a sample the consent processor would pass, drop or
// anonymize, by purpose and reason.
type ConsentVerdict struct {
	Purpose string `json:"purpose"`
	Outcome string `json:"outcome"` // passed, dropped or anonymized
	Reason  string `json:"reason"`
	Records int64  `json:"records"`
}

// ConsentJudge tells what the consent processor of a signal would do with sample (OTLP JSON) as
// records of tenant, without changing or counting anything.
// A non-nil draft replaces the tenant's policy in effect (its consent_default and purposes).
type ConsentJudge func(ctx context.Context, tenant string, draft *Policy, sample []byte) ([]ConsentVerdict, error)

// SetConsentJudge is called by the consent processor of signal (traces, logs, metrics) at start.
func (r *Registry) SetConsentJudge(signal string, j ConsentJudge) {
	r.checksMu.Lock()
	defer r.checksMu.Unlock()
	if r.judges == nil {
		r.judges = map[string]ConsentJudge{}
	}
	r.judges[signal] = j
}

// ConsentJudgeFor returns the judge of signal, nil when no consent processor runs it.
func (r *Registry) ConsentJudgeFor(signal string) ConsentJudge {
	r.checksMu.Lock()
	defer r.checksMu.Unlock()
	return r.judges[signal]
}

// AddCheck adds a validation of policies (components other than the Engine that apply a part of
// them, like the consent extension's consent_default): check(p, allowLoosening).
func (r *Registry) AddCheck(check func(Policy, bool) error) {
	r.checksMu.Lock()
	defer r.checksMu.Unlock()
	r.checks = append(r.checks, check)
}

// Check runs the engine's check and every added one.
func (r *Registry) Check(p Policy, allowLoosening bool) error {
	var errs []error
	if e := r.Engine(); e != nil {
		errs = append(errs, e.Check(p, allowLoosening))
	}
	r.checksMu.Lock()
	checks := append([]func(Policy, bool) error(nil), r.checks...)
	r.checksMu.Unlock()
	for _, c := range checks {
		errs = append(errs, c(p, allowLoosening))
	}
	return errors.Join(errs...)
}

type engineHolder struct{ e Engine }

// NewRegistry returns an empty registry (every tenant on the operator's YAML).
func NewRegistry() *Registry {
	r := &Registry{}
	empty := map[string]Versioned{}
	r.snap.Store(&empty)
	return r
}

// SetReady tells the registry how to know that it holds the fleet's policies (the first read of
// the fleet store succeeded).
func (r *Registry) SetReady(f func() bool) { r.ready.Store(&f) }

// Ready reports whether the policies are the fleet's. Until then a tenant's stricter policy may be
// missing, and users fail closed (pii_redaction applies strict, consent opt-in).
func (r *Registry) Ready() bool {
	if f := r.ready.Load(); f != nil {
		return (*f)()
	}
	return true
}

// Lookup returns the policy of tenant, false when it has none (the operator's YAML applies).
func (r *Registry) Lookup(tenant string) (Versioned, bool) {
	v, ok := (*r.snap.Load())[tenant]
	return v, ok
}

// All returns the policies in effect (the map must not be changed).
func (r *Registry) All() map[string]Versioned { return *r.snap.Load() }

// Len is the number of tenants with a policy.
func (r *Registry) Len() int { return len(*r.snap.Load()) }

// Replace swaps in the policies in effect.
func (r *Registry) Replace(m map[string]Versioned) { r.snap.Store(&m) }

// SetEngine is called by the processor that applies policies, at its start.
func (r *Registry) SetEngine(e Engine) { r.engine.Store(&engineHolder{e}) }

// Engine returns the registered engine, nil when no processor applies policies.
func (r *Registry) Engine() Engine {
	if h := r.engine.Load(); h != nil {
		return h.e
	}
	return nil
}

// Provider is implemented by the telemetry API extension.
type Provider interface {
	PrivacyPolicies() *Registry
}

// FromHost returns the registry of the extension providing one, nil when none is configured
// (every tenant on the YAML), an error when several are.
func FromHost(host component.Host) (*Registry, error) {
	var found *Registry
	n := 0
	for _, ext := range host.GetExtensions() {
		if p, ok := ext.(Provider); ok {
			n++
			found = p.PrivacyPolicies()
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("%d extensions provide privacy policies; at most one is supported", n)
	}
	return found, nil
}
