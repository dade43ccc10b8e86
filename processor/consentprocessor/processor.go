package consentprocessor

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-telemetry/otelcol-telemetry/extension/consentextension"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/processor/consentprocessor/internal/metadata"
)

// Outcomes and the reasons the processor adds to the store's.
const (
	outcomePassed = iota
	outcomeDropped
	outcomeAnonymized
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"passed", "dropped", "anonymized"}

const (
	reasonAnonymous  = consentextension.NumReasons + iota // no user id
	reasonDisabled                                        // enabled: false
	reasonSuppressed                                      // the user's data was ordered deleted (suppression.go)
	numReasons
)

func reasonName(r int) string {
	switch r {
	case reasonAnonymous:
		return "anonymous"
	case reasonDisabled:
		return "disabled"
	case reasonSuppressed:
		return "suppressed"
	}
	return consentextension.Reason(r).String()
}

// verdict is what happens to one record.
type verdict uint8

const (
	keep verdict = iota
	drop
	anonymize
)

type consentProcessor struct {
	cfg    *Config
	signal string
	tel    *metadata.TelemetryBuilder
	// id is the component id (consent, consent/red), the "processor" attribute of its counts: two
	// instances in one collector (the RED pipeline's consent/red) must not add up in one series.
	id string

	store     *consentextension.Store
	suppress  *suppression.List // nil without a data_rights extension
	drop      bool
	anonKeys  []string    // user_id_keys + anonymize_keys
	defaults  *purposeMap // the YAML's purposes
	policies  *tenantPurposes
	purposes  []string
	attrOpts  []metric.AddOption // by counter index
	numCounts int
}

func newConsentProcessor(cfg *Config, signal string, tel *metadata.TelemetryBuilder) *consentProcessor {
	return &consentProcessor{cfg: cfg, signal: signal, tel: tel, drop: cfg.Action == ActionDrop}
}

// start finds the store and resolves purpose names to the store's indexes once.
func (p *consentProcessor) start(_ context.Context, host component.Host) error {
	store, err := consentextension.GetStore(host, p.cfg.ConsentExtension)
	if err != nil {
		return fmt.Errorf("consent_extension: %w", err)
	}
	resolve := func(key, name string) int {
		i, ok := store.PurposeIndex(name)
		if !ok && err == nil {
			err = fmt.Errorf("%s: purpose %q is not configured in extension %q (purposes: %v)", key, name, p.cfg.ConsentExtension, store.Purposes())
		}
		return i
	}
	m := &purposeMap{
		traces:  resolve("purposes::traces", p.cfg.Purposes.Traces),
		metrics: resolve("purposes::metrics", p.cfg.Purposes.Metrics),
		logs:    resolve("purposes::logs", p.cfg.Purposes.Logs),
		events:  resolve("purposes::events", p.cfg.Purposes.Events),
	}
	for i, ep := range p.cfg.Purposes.EventPrefixes {
		m.prefixes = append(m.prefixes, prefixPurpose{ep.Prefix, resolve(fmt.Sprintf("purposes::event_prefixes[%d]::purpose", i), ep.Purpose)})
	}
	if err != nil {
		return err
	}
	sort.SliceStable(m.prefixes, func(i, j int) bool { return len(m.prefixes[i].prefix) > len(m.prefixes[j].prefix) })
	p.defaults = m
	p.anonKeys = append(append([]string(nil), p.cfg.UserIDKeys...), p.cfg.AnonymizeKeys...)
	p.purposes = store.Purposes()
	// One prepared attribute set per (purpose, outcome, reason): counting allocates nothing.
	p.numCounts = len(p.purposes) * numOutcomes * numReasons
	p.attrOpts = make([]metric.AddOption, p.numCounts)
	for pu, name := range p.purposes {
		for o := range numOutcomes {
			for r := range numReasons {
				p.attrOpts[p.counter(pu, o, r)] = metric.WithAttributeSet(attribute.NewSet(
					attribute.String("processor", p.id),
					attribute.String("signal", p.signal), attribute.String("purpose", name),
					attribute.String("outcome", outcomeNames[o]), attribute.String("reason", reasonName(r))))
			}
		}
	}
	p.store = store
	if err := p.registerDryRun(host); err != nil {
		return err
	}
	return p.startSuppression(host)
}

func (p *consentProcessor) counter(purpose, outcome, reason int) int {
	return (purpose*numOutcomes+outcome)*numReasons + reason
}

// batch is the per-call state: counts flushed to the metric at the end.
type batch struct {
	counts []int64
	now    int64     // arrival time (unix ms) for the suppression check
	dry    *dryRunAt // set in a dry run (dryrun.go)
}

func (p *consentProcessor) newBatch(ctx context.Context) *batch {
	b := &batch{counts: make([]int64, p.numCounts), now: p.arrival()}
	b.dry, _ = ctx.Value(dryRunKey{}).(*dryRunAt)
	return b
}

func (p *consentProcessor) flush(ctx context.Context, b *batch) {
	if b.dry != nil { // a dry run counts nothing
		b.dry.counts = b.counts
		return
	}
	for i, n := range b.counts {
		if n > 0 {
			p.tel.Records.Add(ctx, n, p.attrOpts[i])
		}
	}
}

// resource is what a resource contributes to the decisions of its records.
type resource struct {
	tenant string
	pm     *purposeMap // the tenant's purposes
	user   string
	hasID  bool
}

func (p *consentProcessor) resourceOf(b *batch, res pcommon.Resource) resource {
	r := resource{tenant: telemetryapi.DefaultTenant}
	attrs := res.Attributes()
	// The tenant as the storage exporter stores it: a non-string tenant.id in text form, so its
	// records are never judged by another tenant's (the default's) consents.
	if v, ok := attrs.Get(telemetryapi.TenantAttribute); ok {
		if v.Type() == pcommon.ValueTypeStr {
			if s := v.Str(); s != "" {
				r.tenant = s
			}
		} else if s := v.AsString(); s != "" {
			r.tenant = s
		}
	}
	r.user, r.hasID = p.userID(attrs)
	if b.dry != nil && b.dry.draft != nil {
		r.pm = b.dry.pm
	} else {
		r.pm = p.purposesOf(r.tenant)
	}
	return r
}

// userID returns the first non-empty user id key present; Str values are returned without copying.
// Values of other types are the user's id in text form (as the storage exporter stores them), so
// they are checked rather than passed as anonymous.
func (p *consentProcessor) userID(attrs pcommon.Map) (string, bool) {
	for _, k := range p.cfg.UserIDKeys {
		v, ok := attrs.Get(k)
		if !ok {
			continue
		}
		switch v.Type() {
		case pcommon.ValueTypeStr:
			if s := v.Str(); s != "" {
				return s, true
			}
		case pcommon.ValueTypeInt:
			return strconv.FormatInt(v.Int(), 10), true
		case pcommon.ValueTypeEmpty:
		default:
			if s := v.AsString(); s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// judge decides one record of purpose with attributes attrs. fromResource reports that the user
// id came from the resource; for anonymize it also holds when only the record carried the id but the
// resource has one as well, because whatever reads the record next (the storage exporter's user_id,
// a query) falls back to the resource's id once the record's is gone.
func (p *consentProcessor) judge(b *batch, res resource, attrs pcommon.Map, purpose int) (v verdict, fromResource bool) {
	if !p.cfg.Enabled {
		b.counts[p.counter(purpose, outcomeDropped, reasonDisabled)]++
		return drop, false
	}
	user, ok := p.userID(attrs)
	if !ok {
		user, ok, fromResource = res.user, res.hasID, true
	}
	if !ok {
		b.counts[p.counter(purpose, outcomePassed, reasonAnonymous)]++
		return keep, false
	}
	if p.suppressed(res.tenant, user, b.now) {
		b.counts[p.counter(purpose, outcomeDropped, reasonSuppressed)]++
		return drop, fromResource
	}
	var consented bool
	var reason consentextension.Reason
	if b.dry != nil && b.dry.draft != nil {
		consented, reason = p.store.CheckDraft(res.tenant, user, purpose, *b.dry.draft)
	} else {
		consented, reason = p.store.Check(res.tenant, user, purpose)
	}
	switch {
	case consented:
		b.counts[p.counter(purpose, outcomePassed, int(reason))]++
		return keep, fromResource
	case p.drop:
		b.counts[p.counter(purpose, outcomeDropped, int(reason))]++
		return drop, fromResource
	}
	b.counts[p.counter(purpose, outcomeAnonymized, int(reason))]++
	return anonymize, fromResource || res.hasID
}

func (p *consentProcessor) strip(attrs pcommon.Map) {
	for _, k := range p.anonKeys {
		attrs.Remove(k)
	}
}
