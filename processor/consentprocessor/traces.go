package consentprocessor

import (
	"context"

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
