package telemetrystorageexporter

import (
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
)

// logBlock holds rows of telemetry_events or telemetry_logs; the two tables
// share every column except event_name.
type logBlock struct {
	events bool

	tenantID, eventName, userID, sessionID, serviceName []string
	traceID, spanID, severityText, body                 []string
	scopeName, scopeVersion                             []string
	timestamp, observedTimestamp                        []time.Time
	traceFlags, severityNumber                          []uint8
	attributes, resourceAttributes                      []*kvMap
	// sampleRate is the probability the record was kept with (sampling.threshold); see samplerate.go.
	sampleRate []float64

	arena kvArena
}

func (b *logBlock) rows() int { return len(b.tenantID) }

func (b *logBlock) columns() map[string]any {
	cols := map[string]any{
		"tenant_id":           b.tenantID,
		"timestamp":           b.timestamp,
		"observed_timestamp":  b.observedTimestamp,
		"user_id":             b.userID,
		"session_id":          b.sessionID,
		"service_name":        b.serviceName,
		"trace_id":            b.traceID,
		"span_id":             b.spanID,
		"trace_flags":         b.traceFlags,
		"severity_text":       b.severityText,
		"severity_number":     b.severityNumber,
		"body":                b.body,
		"attributes":          b.attributes,
		"resource_attributes": b.resourceAttributes,
		"scope_name":          b.scopeName,
		"scope_version":       b.scopeVersion,
		"sample_rate":         b.sampleRate,
	}
	if b.events {
		cols["event_name"] = b.eventName
	}
	return cols
}

func (b *logBlock) reset() {
	clearSlices(&b.tenantID, &b.eventName, &b.userID, &b.sessionID, &b.serviceName,
		&b.traceID, &b.spanID, &b.severityText, &b.body, &b.scopeName, &b.scopeVersion)
	clearSlices(&b.timestamp, &b.observedTimestamp)
	clearSlices(&b.traceFlags, &b.severityNumber)
	clearSlices(&b.sampleRate)
	clearSlices(&b.attributes, &b.resourceAttributes)
	b.arena.reset()
}

// eventName is the LogRecord's EventName (OTLP 1.5+) or, for older senders,
// its event.name attribute. A non-empty name routes the record to telemetry_events.
func eventName(lr plog.LogRecord) string {
	if n := lr.EventName(); n != "" {
		return n
	}
	if v, ok := lr.Attributes().Get(attrEventName); ok {
		return v.AsString()
	}
	return ""
}

// appendLogs converts ld into rows of events and logs. now stamps records
// that carry neither a timestamp nor an observed timestamp; rows later than
// lim are refused because their TTL would wrap.
func appendLogs(ld plog.Logs, events, logs *logBlock, now time.Time, lim rowLimit) (d drops) {
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		tenant := tenantOf(res)
		service := serviceOf(res)
		var resEvents, resLogs *kvMap // built lazily: one per resource and table
		for _, sl := range rl.ScopeLogs().All() {
			scope := sl.Scope()
			for _, lr := range sl.LogRecords().All() {
				ts, obs := lr.Timestamp(), lr.ObservedTimestamp()
				if !validTimestamp(uint64(ts)) || !validTimestamp(uint64(obs)) {
					d[dropTimestampOutOfRange]++
					continue
				}
				tsTime, obsTime := nsTime(uint64(ts)), nsTime(uint64(obs))
				switch {
				case ts == 0 && obs == 0:
					tsTime, obsTime = now, now
				case ts == 0:
					tsTime = obsTime
				case obs == 0:
					obsTime = tsTime
				}
				if !lim.fits(uint64(tsTime.UnixNano())) {
					d[dropTTLOutOfRange]++
					continue
				}

				b := logs
				name := eventName(lr)
				if name != "" {
					b = events
					b.eventName = append(b.eventName, name)
					if resEvents == nil {
						resEvents = b.arena.add(res)
					}
					b.resourceAttributes = append(b.resourceAttributes, resEvents)
				} else {
					if resLogs == nil {
						resLogs = b.arena.add(res)
					}
					b.resourceAttributes = append(b.resourceAttributes, resLogs)
				}
				attrs := lr.Attributes()
				b.tenantID = append(b.tenantID, tenant)
				b.timestamp = append(b.timestamp, tsTime)
				b.observedTimestamp = append(b.observedTimestamp, obsTime)
				b.userID = append(b.userID, userOf(attrs, res))
				b.sessionID = append(b.sessionID, sessionOf(attrs, res))
				b.serviceName = append(b.serviceName, service)
				b.traceID = append(b.traceID, traceIDHex(lr.TraceID()))
				b.spanID = append(b.spanID, spanIDHex(lr.SpanID()))
				b.traceFlags = append(b.traceFlags, uint8(lr.Flags()))
				b.severityText = append(b.severityText, lr.SeverityText())
				b.severityNumber = append(b.severityNumber, severity(lr.SeverityNumber()))
				b.body = append(b.body, lr.Body().AsString())
				b.attributes = append(b.attributes, b.arena.add(attrs))
				b.sampleRate = append(b.sampleRate, recordRate(attrs))
				b.scopeName = append(b.scopeName, scope.Name())
				b.scopeVersion = append(b.scopeVersion, scope.Version())
			}
		}
	}
	return d
}

// severity clamps to UInt8; OTLP defines 0..24, anything else is stored as 0.
func severity(n plog.SeverityNumber) uint8 {
	if n < 0 || n > 255 {
		return 0
	}
	return uint8(n)
}
