package piiredactionprocessor

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// allowlist is a fail-closed attribute_allowlist (the operator's, a tenant policy's, or both): on
// every span, span event, log record and data point only the listed attribute keys
// (case-insensitive; the summary attributes pii_redaction.* always) are kept, the rest removed and
// counted as detector "attribute_allowlist". Resource and scope attributes are left alone: they
// carry tenant.id, service.name and the like, which storage and routing need.
type allowlist struct{ keys keySet }

func newAllowlist(keys []string) *allowlist {
	if len(keys) == 0 {
		return nil
	}
	return &allowlist{keys: newKeySet(keys)}
}

// narrowAllowlist is the allowlist of an operator list and a tenant policy's list together: a key
// is kept only when every list that is set names it.
func narrowAllowlist(operator, tenant []string) *allowlist {
	switch {
	case len(operator) == 0:
		return newAllowlist(tenant)
	case len(tenant) == 0:
		return newAllowlist(operator)
	}
	op := newKeySet(operator)
	var both []string
	for k := range newKeySet(tenant) {
		if _, ok := op[k]; ok {
			both = append(both, k)
		}
	}
	if len(both) == 0 {
		// Nothing in common keeps nothing, not everything.
		return &allowlist{keys: keySet{}}
	}
	return newAllowlist(both)
}

func (a *allowlist) allows(lowerKey []byte, key string) bool {
	return a.keys.has(lowerKey) || strings.HasPrefix(key, "pii_redaction.")
}

// apply removes every key of m not allowed and returns how many it removed.
func (a *allowlist) apply(m pcommon.Map, buf *[]byte) int64 {
	if a == nil {
		return 0
	}
	var n int64
	m.RemoveIf(func(k string, _ pcommon.Value) bool {
		*buf = appendLower((*buf)[:0], k)
		if a.allows(*buf, k) {
			return false
		}
		n++
		return true
	})
	return n
}

// allow applies the engine's allowlist, if any, to a record's attributes.
func (st *state) allow(m pcommon.Map) {
	if st.e.allowOnly == nil {
		return
	}
	st.allowDropped += st.e.allowOnly.apply(m, &st.lkey)
}

// dropped reports whether the allowlist, applied after the record is processed, will remove the
// top-level attribute k with value v, so scanning it is wasted work. Identifier, pii_fields and
// cookie keys and map or slice values are processed anyway: the self-mention pass needs their raw
// values to replace them in the record's other strings (span name, body), which are kept.
func (st *state) dropped(k string, v pcommon.Value) bool {
	a := st.scoped
	if a == nil {
		return false
	}
	switch v.Type() {
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		return false
	}
	var slot *memoSlot
	if len(k) <= memoMaxLen {
		var hit bool
		if slot, hit = st.memoGet(memoDrop, "", k); hit {
			return slot.out != ""
		}
	}
	drop := st.drops(a, k)
	if slot != nil {
		out := ""
		if drop {
			out = "drop"
		}
		slot.put(memoDrop, "", k, out, -1)
	}
	return drop
}

func (st *state) drops(a *allowlist, k string) bool {
	st.lkey = appendLower(st.lkey[:0], k)
	if a.allows(st.lkey, k) || isCookieKey(st.lkey) {
		return false
	}
	st.nkey = appendLoose(st.nkey[:0], k)
	isPII, isIdent := st.e.looseFlags(st.nkey, 0)
	return !isPII && !isIdent
}
