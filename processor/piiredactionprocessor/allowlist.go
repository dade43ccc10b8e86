package piiredactionprocessor

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// allowlist is a tenant policy's fail-closed attribute_allowlist: on every span, span event, log
// record and data point only the listed attribute keys (case-insensitive; the summary attributes
// pii_redaction.* always) are kept, the rest removed and counted as detector "attribute_allowlist".
// Resource and scope attributes are left alone: they carry tenant.id, service.name and the like,
// which storage and routing need.
type allowlist struct{ keys keySet }

func newAllowlist(keys []string) *allowlist {
	if len(keys) == 0 {
		return nil
	}
	return &allowlist{keys: newKeySet(keys)}
}

// apply removes every key of m not allowed and returns how many it removed.
func (a *allowlist) apply(m pcommon.Map, buf *[]byte) int64 {
	if a == nil {
		return 0
	}
	var n int64
	m.RemoveIf(func(k string, _ pcommon.Value) bool {
		*buf = appendLower((*buf)[:0], k)
		if a.keys.has(*buf) || strings.HasPrefix(k, "pii_redaction.") {
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
