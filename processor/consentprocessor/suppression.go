package consentprocessor

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"
)

// startSuppression finds the data_rights extension's suppression list, if one is configured:
// records of users whose deletion was requested are dropped whatever their consent, counted with
// outcome dropped and reason suppressed.
func (p *consentProcessor) startSuppression(host component.Host) error {
	l, err := suppression.FromHost(host)
	if err != nil {
		return fmt.Errorf("suppression: %w", err)
	}
	p.suppress = l
	return nil
}

// arrival is the time records of a batch are judged at: a consent grant that lifted a suppression
// applies to data arriving after it.
func (p *consentProcessor) arrival() int64 {
	if p.suppress == nil {
		return 0
	}
	return time.Now().UnixMilli()
}

func (p *consentProcessor) suppressed(tenant, user string, now int64) bool {
	return p.suppress != nil && p.suppress.Check(tenant, user, now)
}
