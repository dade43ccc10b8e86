package telemetrystorageexporter

import (
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanBlock holds rows of telemetry_spans; span events and links become
// parallel arrays (the Nested columns events.* and links.*).
type spanBlock struct {
	tenantID, traceID, spanID, parentSpanID, traceState []string
	spanName, serviceName, userID, sessionID            []string
	statusMessage, scopeName, scopeVersion              []string
	timestamp                                           []time.Time
	duration                                            []uint64
	kind, status                                        []int8
	attributes, resourceAttributes                      []*kvMap
	// sampleRate is the probability the span was kept with (tracestate th); see samplerate.go.
	sampleRate []float64
	rates      rateCache
	// staging rows (telemetry_spans_staging) also name the sampler instance that decides them.
	staging bool
	sampler []*string
	// instance is the sampler instance of the staged rows: every row of sampler points at it, so
	// the driver's LowCardinality column boxes no string per row (one dictionary entry, by pointer).
	instance string

	evTime                   [][]time.Time
	evName                   [][]string
	evAttrs                  [][]*kvMap
	lnTrace, lnSpan, lnState [][]string
	lnAttrs                  [][]*kvMap

	// flat backing arrays for the nested columns
	flatTime  []time.Time
	flatStr   []string
	flatAttrs []*kvMap
	arena     kvArena
}

func (b *spanBlock) rows() int { return len(b.tenantID) }

func (b *spanBlock) columns() map[string]any {
	cols := map[string]any{
		"tenant_id":           b.tenantID,
		"timestamp":           b.timestamp,
		"duration_ns":         b.duration,
		"trace_id":            b.traceID,
		"span_id":             b.spanID,
		"parent_span_id":      b.parentSpanID,
		"trace_state":         b.traceState,
		"span_name":           b.spanName,
		"span_kind":           b.kind,
		"service_name":        b.serviceName,
		"user_id":             b.userID,
		"session_id":          b.sessionID,
		"status_code":         b.status,
		"status_message":      b.statusMessage,
		"attributes":          b.attributes,
		"resource_attributes": b.resourceAttributes,
		"scope_name":          b.scopeName,
		"scope_version":       b.scopeVersion,
		"events.timestamp":    b.evTime,
		"events.name":         b.evName,
		"events.attributes":   b.evAttrs,
		"links.trace_id":      b.lnTrace,
		"links.span_id":       b.lnSpan,
		"links.trace_state":   b.lnState,
		"links.attributes":    b.lnAttrs,
		"sample_rate":         b.sampleRate,
	}
	if b.staging {
		cols["sampler"] = b.sampler
		// Derived from the maps by the copy into telemetry_spans (sampler.go), for the kept traces only.
		delete(cols, "service_name")
		delete(cols, "user_id")
		delete(cols, "session_id")
	}
	return cols
}

// stageAs makes the block one of staged rows, for the named sampler instance: call it before
// appendSpans (staged rows leave the columns derived from the maps to the copy into telemetry_spans)
// and again after, to name the instance on every row.
func (b *spanBlock) stageAs(instance string) {
	b.staging = true
	b.instance = instance
	for range b.tenantID[len(b.sampler):] {
		b.sampler = append(b.sampler, &b.instance)
	}
}

func (b *spanBlock) reset() {
	b.staging = false
	clearSlices(&b.sampler)
	clearSlices(&b.tenantID, &b.traceID, &b.spanID, &b.parentSpanID, &b.traceState,
		&b.spanName, &b.serviceName, &b.userID, &b.sessionID, &b.statusMessage, &b.scopeName, &b.scopeVersion, &b.flatStr)
	clearSlices(&b.timestamp, &b.flatTime)
	clearSlices(&b.duration)
	clearSlices(&b.sampleRate)
	clearSlices(&b.kind, &b.status)
	clearSlices(&b.attributes, &b.resourceAttributes, &b.flatAttrs)
	clearSlices(&b.evTime)
	clearSlices(&b.evName, &b.lnTrace, &b.lnSpan, &b.lnState)
	clearSlices(&b.evAttrs, &b.lnAttrs)
	b.arena.reset()
}

// Enum8 values of span_kind and status_code equal the OTLP numbers; values
// outside the enum (a misbehaving sender) are stored as unspecified/unset
// rather than failing the whole batch.
func spanKind(k ptrace.SpanKind) int8 {
	if k < ptrace.SpanKindUnspecified || k > ptrace.SpanKindConsumer {
		return 0
	}
	return int8(k)
}

func statusCode(c ptrace.StatusCode) int8 {
	if c < ptrace.StatusCodeUnset || c > ptrace.StatusCodeError {
		return 0
	}
	return int8(c)
}

// appendSpans converts td into span rows. now stamps spans that carry no
// start time (a zero time would be stored as 1970 and deleted by the TTL);
// rows later than lim are refused because their TTL would wrap.
func appendSpans(td ptrace.Traces, b *spanBlock, now time.Time, lim rowLimit) (d drops) {
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource().Attributes()
		tenant := tenantOf(res)
		service := ""
		if !b.staging {
			service = serviceOf(res)
		}
		resMap := b.arena.add(res)
		for _, ss := range rs.ScopeSpans().All() {
			scope := ss.Scope()
			for _, sp := range ss.Spans().All() {
				start, end := uint64(sp.StartTimestamp()), uint64(sp.EndTimestamp())
				if !validTimestamp(start) || !validTimestamp(end) {
					d[dropTimestampOutOfRange]++
					continue
				}
				startTime := nsTime(start)
				switch {
				case start == 0 && end == 0:
					startTime = now
				case start == 0:
					startTime, start = nsTime(end), end
				}
				if !lim.fits(uint64(startTime.UnixNano())) {
					d[dropTTLOutOfRange]++
					continue
				}
				var dur uint64
				if end > start {
					dur = end - start
				}
				attrs := sp.Attributes()
				b.tenantID = append(b.tenantID, tenant)
				b.timestamp = append(b.timestamp, startTime)
				b.duration = append(b.duration, dur)
				b.traceID = append(b.traceID, traceIDHex(sp.TraceID()))
				b.spanID = append(b.spanID, spanIDHex(sp.SpanID()))
				b.parentSpanID = append(b.parentSpanID, spanIDHex(sp.ParentSpanID()))
				traceState := sp.TraceState().AsRaw()
				b.traceState = append(b.traceState, traceState)
				b.sampleRate = append(b.sampleRate, b.rates.spanRate(traceState))
				b.spanName = append(b.spanName, sp.Name())
				b.kind = append(b.kind, spanKind(sp.Kind()))
				if !b.staging {
					b.serviceName = append(b.serviceName, service)
					b.userID = append(b.userID, userOf(attrs, res))
					b.sessionID = append(b.sessionID, sessionOf(attrs, res))
				}
				b.status = append(b.status, statusCode(sp.Status().Code()))
				b.statusMessage = append(b.statusMessage, sp.Status().Message())
				b.attributes = append(b.attributes, b.arena.add(attrs))
				b.resourceAttributes = append(b.resourceAttributes, resMap)
				b.scopeName = append(b.scopeName, scope.Name())
				b.scopeVersion = append(b.scopeVersion, scope.Version())
				b.appendEvents(sp.Events())
				b.appendLinks(sp.Links())
			}
		}
	}
	return d
}

func (b *spanBlock) appendEvents(evs ptrace.SpanEventSlice) {
	n := evs.Len()
	if n == 0 {
		b.evTime = append(b.evTime, nil)
		b.evName = append(b.evName, nil)
		b.evAttrs = append(b.evAttrs, nil)
		return
	}
	t0, s0, a0 := len(b.flatTime), len(b.flatStr), len(b.flatAttrs)
	for _, ev := range evs.All() {
		ts := uint64(ev.Timestamp())
		if !validTimestamp(ts) {
			ts = 0 // keep the event; its time is unrepresentable
		}
		b.flatTime = append(b.flatTime, nsTime(ts))
		b.flatStr = append(b.flatStr, ev.Name())
		b.flatAttrs = append(b.flatAttrs, b.arena.add(ev.Attributes()))
	}
	b.evTime = append(b.evTime, b.flatTime[t0:len(b.flatTime):len(b.flatTime)])
	b.evName = append(b.evName, b.flatStr[s0:len(b.flatStr):len(b.flatStr)])
	b.evAttrs = append(b.evAttrs, b.flatAttrs[a0:len(b.flatAttrs):len(b.flatAttrs)])
}

func (b *spanBlock) appendLinks(links ptrace.SpanLinkSlice) {
	n := links.Len()
	if n == 0 {
		b.lnTrace = append(b.lnTrace, nil)
		b.lnSpan = append(b.lnSpan, nil)
		b.lnState = append(b.lnState, nil)
		b.lnAttrs = append(b.lnAttrs, nil)
		return
	}
	a0 := len(b.flatAttrs)
	s0 := len(b.flatStr)
	for _, l := range links.All() {
		b.flatStr = append(b.flatStr, traceIDHex(l.TraceID()))
	}
	s1 := len(b.flatStr)
	for _, l := range links.All() {
		b.flatStr = append(b.flatStr, spanIDHex(l.SpanID()))
	}
	s2 := len(b.flatStr)
	for _, l := range links.All() {
		b.flatStr = append(b.flatStr, l.TraceState().AsRaw())
		b.flatAttrs = append(b.flatAttrs, b.arena.add(l.Attributes()))
	}
	s3 := len(b.flatStr)
	b.lnTrace = append(b.lnTrace, b.flatStr[s0:s1:s1])
	b.lnSpan = append(b.lnSpan, b.flatStr[s1:s2:s2])
	b.lnState = append(b.lnState, b.flatStr[s2:s3:s3])
	b.lnAttrs = append(b.lnAttrs, b.flatAttrs[a0:len(b.flatAttrs):len(b.flatAttrs)])
}
