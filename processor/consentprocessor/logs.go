package consentprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// eventNameAttribute carries the event name when the EventName field is not set.
const eventNameAttribute = "event.name"

func eventName(lr plog.LogRecord) string {
	if n := lr.EventName(); n != "" {
		return n
	}
	// Any type: the storage exporter routes a record with a non-empty event.name of any type (in
	// text form) to telemetry_events, so it must be judged as an event.
	if v, ok := lr.Attributes().Get(eventNameAttribute); ok {
		if v.Type() == pcommon.ValueTypeStr {
			return v.Str()
		}
		return v.AsString()
	}
	return ""
}

// Log verdicts remembered between the two passes; fromResource marks a decision on the
// resource's user id.
const fromResourceFlag verdict = 4

// processLogs judges every log record. Unlike spans, one resource's log records can have different
// purposes (events and plain logs), so one user can be consented for some and not for others. When
// records relying on the resource's user id must be anonymized while others keep it, they move to a
// copy of the resource without the user identifiers.
func (p *consentProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	b := p.newBatch(ctx)
	var verdicts []verdict
	var split []plog.ResourceLogs
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		res := p.resourceOf(b, rl.Resource())
		verdicts = verdicts[:0]
		anonResource, keepResource := false, false
		for i := 0; i < rl.ScopeLogs().Len(); i++ {
			lrs := rl.ScopeLogs().At(i).LogRecords()
			for j := 0; j < lrs.Len(); j++ {
				lr := lrs.At(j)
				v, fromResource := p.judge(b, res, lr.Attributes(), res.pm.eventPurpose(eventName(lr)))
				anonResource = anonResource || (v == anonymize && fromResource)
				keepResource = keepResource || (v == keep && fromResource)
				if fromResource {
					v |= fromResourceFlag
				}
				verdicts = append(verdicts, v)
			}
		}
		var moved plog.ResourceLogs
		if anonResource && keepResource {
			moved = plog.NewResourceLogs()
			rl.Resource().CopyTo(moved.Resource())
			moved.SetSchemaUrl(rl.SchemaUrl())
			p.strip(moved.Resource().Attributes())
		}
		n := 0
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			var target plog.LogRecordSlice
			hasTarget := false
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				v := verdicts[n]
				n++
				switch v &^ fromResourceFlag {
				case drop:
					return true
				case anonymize:
					p.strip(lr.Attributes())
					if v&fromResourceFlag != 0 && keepResource {
						if !hasTarget {
							ms := moved.ScopeLogs().AppendEmpty()
							sl.Scope().CopyTo(ms.Scope())
							ms.SetSchemaUrl(sl.SchemaUrl())
							target, hasTarget = ms.LogRecords(), true
						}
						lr.MoveTo(target.AppendEmpty())
						return true
					}
				}
				return false
			})
			return sl.LogRecords().Len() == 0
		})
		if anonResource && !keepResource {
			p.strip(rl.Resource().Attributes())
		}
		if anonResource && keepResource {
			split = append(split, moved)
		}
		return rl.ScopeLogs().Len() == 0
	})
	for _, rl := range split {
		rl.MoveTo(ld.ResourceLogs().AppendEmpty())
	}
	p.flush(ctx, b)
	if ld.ResourceLogs().Len() == 0 {
		return ld, processorhelper.ErrSkipProcessingData
	}
	return ld, nil
}
