package consentprocessor

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// processTraces judges every span; one resource's spans share a purpose, so a resource-level user
// id is anonymized on the resource itself.
func (p *consentProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	b := p.newBatch(ctx)
	td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		res := p.resourceOf(b, rs.Resource())
		stripResource := false
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			ss.Spans().RemoveIf(func(s ptrace.Span) bool {
				v, fromResource := p.judge(b, res, s.Attributes(), res.pm.traces)
				if v == anonymize {
					user, ok := p.userID(s.Attributes())
					if !ok {
						user = res.user
					}
					unmention(s, user)
					p.strip(s.Attributes())
					stripResource = stripResource || fromResource
				}
				return v == drop
			})
			return ss.Spans().Len() == 0
		})
		if stripResource {
			p.strip(rs.Resource().Attributes())
		}
		return rs.ScopeSpans().Len() == 0
	})
	p.flush(ctx, b)
	if td.ResourceSpans().Len() == 0 {
		return td, processorhelper.ErrSkipProcessingData
	}
	return td, nil
}

// minMention is the shortest user id replaced in a span's name and status message: shorter ones
// would match inside ordinary words.
const minMention = 4

// unmention replaces an anonymized user's id where the span's name and status message repeat it
// ("checkout for jdoe"): the RED pipeline labels its series by span name, and once the id attribute
// is stripped pii_redaction can no longer tell that the name mentions it.
func unmention(s ptrace.Span, user string) {
	if len(user) < minMention {
		return
	}
	if n := s.Name(); strings.Contains(n, user) {
		s.SetName(strings.ReplaceAll(n, user, "{id}"))
	}
	if m := s.Status().Message(); strings.Contains(m, user) {
		s.Status().SetMessage(strings.ReplaceAll(m, user, "{id}"))
	}
}
