package consentprocessor

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/privacypolicy"
	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// dryRunKey marks the context of a dry run (a *dryRunAt): flush hands the counts over instead of
// recording them, and a draft policy replaces the tenant's consent default and purposes.
type dryRunKey struct{}

type dryRunAt struct {
	counts []int64
	draft  *privacypolicy.Policy
	pm     *purposeMap // the draft's purposes
}

// registerDryRun lets the privacy policy dry run (POST /privacy/policy/test) ask this processor
// whether consent would drop a sample's records.
func (p *consentProcessor) registerDryRun(host component.Host) error {
	reg, err := privacypolicy.FromHost(host)
	if err != nil || reg == nil {
		return err
	}
	p.policies = &tenantPurposes{reg: reg}
	reg.SetConsentJudge(p.signal, p.dryRun)
	return nil
}

// dryRun judges sample as records of tenant exactly as the pipeline would, on a copy nobody sees;
// with draft as the tenant's policy when it is not nil.
func (p *consentProcessor) dryRun(ctx context.Context, tenant string, draft *privacypolicy.Policy, sample []byte) ([]privacypolicy.ConsentVerdict, error) {
	at := &dryRunAt{draft: draft}
	if draft != nil {
		at.pm = p.compilePurposes(draft.Purposes)
	}
	ctx = context.WithValue(ctx, dryRunKey{}, at)
	counts := &at.counts
	switch p.signal {
	case "traces":
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sample)
		if err != nil {
			return nil, err
		}
		for i := 0; i < td.ResourceSpans().Len(); i++ {
			td.ResourceSpans().At(i).Resource().Attributes().PutStr(telemetryapi.TenantAttribute, tenant)
		}
		_, _ = p.processTraces(ctx, td)
	case "logs":
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(sample)
		if err != nil {
			return nil, err
		}
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			ld.ResourceLogs().At(i).Resource().Attributes().PutStr(telemetryapi.TenantAttribute, tenant)
		}
		_, _ = p.processLogs(ctx, ld)
	case "metrics":
		md, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(sample)
		if err != nil {
			return nil, err
		}
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			md.ResourceMetrics().At(i).Resource().Attributes().PutStr(telemetryapi.TenantAttribute, tenant)
		}
		_, _ = p.processMetrics(ctx, md)
	default:
		return nil, fmt.Errorf("consent: no dry run for signal %q", p.signal)
	}
	out := []privacypolicy.ConsentVerdict{}
	for pu, name := range p.purposes {
		for o := range numOutcomes {
			for r := range numReasons {
				i := p.counter(pu, o, r)
				if i < len(*counts) && (*counts)[i] > 0 {
					out = append(out, privacypolicy.ConsentVerdict{Purpose: name, Outcome: outcomeNames[o], Reason: reasonName(r), Records: (*counts)[i]})
				}
			}
		}
	}
	return out, nil
}
