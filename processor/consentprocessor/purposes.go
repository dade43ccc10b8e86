package consentprocessor

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
)

// purposeMap maps records to purpose indexes of the consent extension: the YAML's, or a tenant's
// privacy policy's purposes over it.
type purposeMap struct {
	traces   int
	metrics  int
	logs     int
	events   int
	prefixes []prefixPurpose // longest first
}

type prefixPurpose struct {
	prefix  string
	purpose int
}

// eventPurpose maps a log record's event name ("" for plain logs) to its purpose.
func (m *purposeMap) eventPurpose(name string) int {
	if name == "" {
		return m.logs
	}
	for _, pp := range m.prefixes {
		if strings.HasPrefix(name, pp.prefix) {
			return pp.purpose
		}
	}
	return m.events
}

// tenantPurposes caches the compiled purpose mapping of each tenant whose policy has one, keyed by
// the policy's *Purposes (a new policy in effect is a new pointer), so a record costs one registry
// lookup and one cache load.
type tenantPurposes struct {
	reg     *privacypolicy.Registry
	cache   sync.Map // tenant -> *compiledPurposes
	entries atomic.Int64
}

type compiledPurposes struct {
	src *privacypolicy.Purposes
	pm  *purposeMap
}

// purposesOf is the purpose mapping of tenant's records.
func (p *consentProcessor) purposesOf(tenant string) *purposeMap {
	tp := p.policies
	if tp == nil || tp.reg.Len() == 0 {
		return p.defaults
	}
	v, ok := tp.reg.Lookup(tenant)
	if !ok || v.Policy.Purposes == nil {
		return p.defaults
	}
	if c, ok := tp.cache.Load(tenant); ok && c.(*compiledPurposes).src == v.Policy.Purposes {
		return c.(*compiledPurposes).pm
	}
	pm := p.compilePurposes(v.Policy.Purposes)
	// Tenants whose policy was removed leave an entry behind: start over when they dominate.
	if tp.entries.Add(1) > int64(4*tp.reg.Len()+1024) {
		tp.cache.Clear()
		tp.entries.Store(1)
	}
	tp.cache.Store(tenant, &compiledPurposes{src: v.Policy.Purposes, pm: pm})
	return pm
}

// compilePurposes lays pol over the YAML's mapping. Names were checked against the consent
// extension when the policy was accepted; one unknown since (the extension's purposes changed at a
// restart) keeps the YAML's purpose for that field. The tenant's event prefixes join the YAML's;
// the longest matching prefix wins, the tenant's on a tie.
func (p *consentProcessor) compilePurposes(pol *privacypolicy.Purposes) *purposeMap {
	d := p.defaults
	if pol == nil {
		return d
	}
	pick := func(name string, def int) int {
		if name == "" {
			return def
		}
		if i, ok := p.store.PurposeIndex(name); ok {
			return i
		}
		return def
	}
	m := &purposeMap{
		traces:  pick(pol.Traces, d.traces),
		metrics: pick(pol.Metrics, d.metrics),
		logs:    pick(pol.Logs, d.logs),
		events:  pick(pol.Events, d.events),
	}
	for _, ep := range pol.EventPrefixes {
		if i, ok := p.store.PurposeIndex(ep.Purpose); ok && ep.Prefix != "" {
			m.prefixes = append(m.prefixes, prefixPurpose{ep.Prefix, i})
		}
	}
	m.prefixes = append(m.prefixes, d.prefixes...)
	sort.SliceStable(m.prefixes, func(i, j int) bool { return len(m.prefixes[i].prefix) > len(m.prefixes[j].prefix) })
	return m
}
