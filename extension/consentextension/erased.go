package consentextension

import (
	"sync/atomic"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// erasures hides a user's consents that an erasure ordered on any collector of the fleet has made
// stale. The collector that accepts a deletion drops them from its cache at once (Forget); the
// others learn of the deletion from the suppression list within its refresh interval (2 s), long
// before their next full reload of the consent table (10 min) would drop the deleted rows.
type erasures struct {
	list    atomic.Pointer[suppression.List]
	resolve func() *suppression.List // finds the data-rights extension's list; nil when none
}

// useSuppressionsFrom makes Get consult the data-rights extension of host, looked up when first
// needed: that extension may start after this one.
func (s *Store) useSuppressionsFrom(host component.Host) {
	s.erased.resolve = func() *suppression.List {
		l, _ := suppression.FromHost(host) // several lists are refused by the pipeline components
		return l
	}
}

// erasedAt returns when the user's erasure was accepted (unix ms), if one was.
func (s *Store) erasedAt(tenant, user string) (int64, bool) {
	l := s.erased.list.Load()
	if l == nil {
		if s.erased.resolve == nil {
			return 0, false
		}
		if l = s.erased.resolve(); l == nil {
			return 0, false
		}
		s.erased.list.Store(l)
	}
	e, ok := l.Get(tenant, l.Subject(user))
	return e.Since, ok
}
