package eventsreceiver

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
)

// frameKind is what the object or array being read is.
type frameKind uint8

const (
	kindProps frameKind = iota // the event's properties: keys must not be reserved
	kindCtx                    // the event's context: ip, user_agent, session_id, free keys
	kindMap                    // an object nested in properties or context
	kindSlice                  // an array nested in properties or context
)

type frame struct {
	kind  frameKind
	m     pcommon.Map
	s     pcommon.Slice
	depth int // containers from properties/context (depth 1) down to this one
	keys  int
}

// seg is one step of the path to the value being read; idx < 0 for object keys.
type seg struct {
	key string
	idx int
}

// eventReader walks a syntactically valid body with jsoniter and builds log records without
// intermediate Go values. Callbacks are method values made once per reader, so walking allocates
// only what pdata keeps. One reader serves one request at a time (sync.Pool).
type eventReader struct {
	it  *jsoniter.Iterator
	lim decodeLimits
	ri  *reqInfo

	ld       plog.Logs
	b        logsBuilder
	accepted int
	errs     []eventError
	// ids are the stored events' ids, one per event of the request ("" for a rejected one).
	ids      []string
	reqErr   *requestError
	index    int
	sawBatch bool

	// the event being read; lr is a scratch record moved into ld when the event is valid
	lr      plog.LogRecord
	name    string
	tenant  string
	eventID string
	ts      pcommon.Timestamp
	cur     frame
	path    []seg
	errPath string
	errMsg  string
	seen    uint8 // bit per known top-level field: a repeated field is a fault, not "last wins"

	envelopeCB, eventFieldCB, mapCB func(*jsoniter.Iterator, string) bool
	batchCB, sliceCB                func(*jsoniter.Iterator) bool
}

func newEventReader() *eventReader {
	r := &eventReader{lr: plog.NewLogRecord()}
	r.envelopeCB, r.eventFieldCB, r.mapCB = r.envelopeField, r.eventField, r.mapField
	r.batchCB, r.sliceCB = r.batchElem, r.sliceElem
	return r
}

func (r *eventReader) start(body []byte, lim decodeLimits, ri *reqInfo) {
	r.it = jsoniter.ConfigDefault.BorrowIterator(body)
	r.lim, r.ri = lim, ri
	r.ld = plog.NewLogs()
	r.b = logsBuilder{ld: r.ld, ri: ri}
	r.accepted, r.errs, r.ids, r.reqErr, r.index, r.sawBatch = 0, nil, nil, nil, 0, false
}

func (r *eventReader) release() {
	jsoniter.ConfigDefault.ReturnIterator(r.it)
	r.it, r.ri = nil, nil
	r.ld, r.b, r.errs, r.ids = plog.Logs{}, logsBuilder{}, nil, nil
	readers.Put(r)
}

func (r *eventReader) readEnvelope() {
	if r.it.WhatIsNext() != jsoniter.ObjectValue {
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", `body must be a JSON object {"events": [...]}`}
		return
	}
	r.it.ReadObjectCB(r.envelopeCB)
	if r.reqErr == nil && !r.sawBatch {
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", "events is required"}
	}
}

func (r *eventReader) envelopeField(it *jsoniter.Iterator, key string) bool {
	switch {
	case key != "events":
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", fmt.Sprintf("unknown field %q (a batch has only events)", truncate(key))}
	case r.sawBatch:
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", "events appears twice"}
	case it.WhatIsNext() != jsoniter.ArrayValue:
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", "events must be an array"}
	default:
		r.sawBatch = true
		it.ReadArrayCB(r.batchCB)
		return r.reqErr == nil
	}
	return false
}

func (r *eventReader) batchElem(it *jsoniter.Iterator) bool {
	if r.index >= r.lim.maxEvents {
		r.reqErr = &requestError{http.StatusRequestEntityTooLarge, "too_many_events",
			fmt.Sprintf("a batch may carry at most %d events (max_batch_events)", r.lim.maxEvents)}
		return false
	}
	r.readOne()
	r.index++
	return true
}

// readOne reads the event at the iterator and files it as accepted or as an error at r.index.
func (r *eventReader) readOne() {
	if r.readEvent() {
		tenant := r.ri.tenant
		if tenant == "" {
			tenant = telemetryapi.DefaultTenant
			if r.ri.payloadTenant && r.tenant != "" {
				tenant = r.tenant
			}
		}
		if r.ts == 0 {
			r.ts = r.ri.now
		}
		r.lr.SetTimestamp(r.ts)
		r.lr.SetObservedTimestamp(r.ri.now)
		r.lr.SetEventName(r.name)
		if r.eventID == "" {
			r.eventID = newEventID()
		}
		r.lr.Attributes().PutStr(attrEventID, r.eventID)
		r.ids = append(r.ids, r.eventID)
		r.lr.MoveTo(r.b.records(tenant).AppendEmpty())
		r.accepted++
		return
	}
	r.ids = append(r.ids, "")
	r.errs = append(r.errs, eventError{Index: r.index, Field: r.errPath, Message: r.errMsg})
	r.lr.Attributes().Clear()
}

// readEvent reads one event into r.lr; false with errPath/errMsg set when it is invalid.
func (r *eventReader) readEvent() bool {
	r.name, r.tenant, r.eventID, r.ts, r.errPath, r.errMsg, r.seen = "", "", "", 0, "", "", 0
	r.path = r.path[:0]
	if r.it.WhatIsNext() != jsoniter.ObjectValue {
		r.it.Skip()
		r.fail("event must be a JSON object")
		return false
	}
	// event.name, user.id and a few properties or context keys: one allocation instead of growing
	r.lr.Attributes().EnsureCapacity(8)
	r.it.ReadObjectCB(r.eventFieldCB)
	if r.errMsg == "" && r.name == "" {
		r.path = append(r.path[:0], seg{key: fieldEventName, idx: -1})
		r.fail("is required")
	}
	return r.errMsg == ""
}

func (r *eventReader) failed() bool { return r.errMsg != "" }

// fail records the first fault of the event at the current path.
func (r *eventReader) fail(msg string) {
	if r.errMsg != "" {
		return
	}
	var b strings.Builder
	for i, s := range r.path {
		switch {
		case s.idx >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
		case i > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(truncate(s.key))
		}
	}
	r.errPath, r.errMsg = b.String(), msg
}

func (r *eventReader) push(s seg) { r.path = append(r.path, s) }
func (r *eventReader) pop()       { r.path = r.path[:len(r.path)-1] }

func (r *eventReader) eventField(it *jsoniter.Iterator, key string) bool {
	if r.failed() {
		it.Skip()
		return true
	}
	r.push(seg{key: key, idx: -1})
	defer r.pop()
	if bit := fieldBit(key); bit != 0 {
		if r.seen&bit != 0 {
			it.Skip()
			r.fail("appears twice")
			return true
		}
		r.seen |= bit
	}
	switch key {
	case fieldEventName:
		if s, ok := r.str(); ok {
			if !validName(s, maxEventNameLen) {
				r.fail(fmt.Sprintf("must be 1 to %d characters of A-Z a-z 0-9 _ . : -", maxEventNameLen))
				return true
			}
			r.name = s
			r.lr.Attributes().PutStr(attrEventName, s)
		}
	case fieldUserID:
		if s, ok := r.id(maxIDLen); ok {
			r.lr.Attributes().PutStr(attrUserID, s)
		}
	case fieldTenantID:
		if s, ok := r.str(); ok {
			if !validName(s, maxTenantIDLen) {
				r.fail(fmt.Sprintf("must be 1 to %d characters of A-Z a-z 0-9 _ . : -", maxTenantIDLen))
				return true
			}
			// A tenant the payload decides must be one the API can name with ?tenant=, else
			// its events could never be queried, exported or deleted.
			if r.ri.payloadTenant && !telemetryapi.ValidTenant(s) {
				r.fail("must be 1 to 128 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit (tenant_from_payload)")
				return true
			}
			r.tenant = s
		}
	case fieldTimestamp:
		r.readTimestamp()
	case fieldEventID:
		if s, ok := r.str(); ok {
			if !validName(s, maxEventIDLen) {
				r.fail(fmt.Sprintf("must be 1 to %d characters of A-Z a-z 0-9 _ . : - (a UUID fits)", maxEventIDLen))
				return true
			}
			r.eventID = s
		}
	case fieldProperties:
		r.readObject(frame{kind: kindProps, m: r.lr.Attributes(), depth: 1})
	case fieldContext:
		r.readObject(frame{kind: kindCtx, m: r.lr.Attributes(), depth: 1})
	default:
		it.Skip()
		r.fail("unknown field")
	}
	return true
}

func fieldBit(key string) uint8 {
	switch key {
	case fieldEventName:
		return 1
	case fieldProperties:
		return 2
	case fieldUserID:
		return 4
	case fieldTenantID:
		return 8
	case fieldContext:
		return 16
	case fieldTimestamp:
		return 32
	case fieldEventID:
		return 64
	}
	return 0
}

// str reads a string or null (ok=false, no fault); anything else is a fault.
func (r *eventReader) str() (string, bool) {
	switch r.it.WhatIsNext() {
	case jsoniter.StringValue:
		s := r.it.ReadString()
		return s, s != ""
	case jsoniter.NilValue:
		r.it.Skip()
		return "", false
	}
	r.it.Skip()
	r.fail("must be a string")
	return "", false
}

// id reads an identifier: a string of valid UTF-8 up to max bytes.
func (r *eventReader) id(max int) (string, bool) {
	s, ok := r.str()
	switch {
	case !ok:
		return "", false
	case len(s) > max:
		r.fail(fmt.Sprintf("must be at most %d bytes", max))
	case !utf8.ValidString(s):
		r.fail("must be valid UTF-8")
	default:
		return s, true
	}
	return "", false
}

// maxMillis is the last millisecond a pcommon.Timestamp (uint64 ns) and Go's UnixNano both hold:
// 2262-04-11.
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

func (r *eventReader) readTimestamp() {
	switch r.it.WhatIsNext() {
	case jsoniter.NilValue:
		r.it.Skip()
	case jsoniter.StringValue:
		t, err := time.Parse(time.RFC3339Nano, r.it.ReadString())
		if err != nil {
			r.fail("must be RFC 3339 (2024-05-01T12:00:00Z) or epoch milliseconds")
			return
		}
		if t.Before(time.Unix(0, 1)) || t.After(time.UnixMilli(maxMillis)) {
			r.fail("must be between 1970-01-01 and 2262-04-11")
			return
		}
		r.ts = pcommon.NewTimestampFromTime(t)
	case jsoniter.NumberValue:
		n := string(r.it.ReadNumber())
		if ms, err := strconv.ParseInt(n, 10, 64); err == nil { // exact, the common case
			if ms > 0 && ms <= maxMillis {
				r.ts = pcommon.Timestamp(ms * int64(time.Millisecond))
				return
			}
		} else if f, err := strconv.ParseFloat(n, 64); err == nil && f >= 1 && f <= float64(maxMillis) {
			// whole and fractional milliseconds apart: f*1e6 alone would round to ~256 ns steps
			whole, frac := math.Modf(f)
			r.ts = pcommon.Timestamp(int64(whole)*int64(time.Millisecond) + int64(math.Round(frac*1e6)))
			return
		}
		r.fail("epoch milliseconds must be between 1 and 9223372036854 (1970-01-01 to 2262-04-11)")
	default:
		r.it.Skip()
		r.fail("must be RFC 3339 (2024-05-01T12:00:00Z) or epoch milliseconds")
	}
}

// readObject reads properties or context (f.depth 1) or a nested object into f.m.
func (r *eventReader) readObject(f frame) {
	switch r.it.WhatIsNext() {
	case jsoniter.ObjectValue:
	case jsoniter.NilValue:
		if f.kind == kindProps || f.kind == kindCtx {
			r.it.Skip()
			return
		}
	default:
		r.it.Skip()
		r.fail("must be an object")
		return
	}
	saved := r.cur
	r.cur = f
	r.it.ReadObjectCB(r.mapCB)
	r.cur = saved
}

func (r *eventReader) mapField(it *jsoniter.Iterator, key string) bool {
	if r.failed() {
		it.Skip()
		return true
	}
	f := &r.cur
	f.keys++
	if f.keys > r.lim.maxKeys {
		it.Skip()
		r.fail(fmt.Sprintf("has more than %d keys (max_property_keys)", r.lim.maxKeys))
		return true
	}
	r.push(seg{key: key, idx: -1})
	defer r.pop()
	switch {
	case key == "" || len(key) > maxKeyLen:
		it.Skip()
		r.fail(fmt.Sprintf("keys must have 1 to %d bytes", maxKeyLen))
		return true
	case !utf8.ValidString(key):
		it.Skip()
		r.fail("keys must be valid UTF-8")
		return true
	case f.kind == kindProps && reservedKey(key):
		it.Skip()
		r.fail("is reserved: event.name, user.id, session.id, client.address, user_agent.original and context.* are set by the receiver")
		return true
	case f.kind == kindCtx:
		if r.contextField(key) {
			return true
		}
		key = contextPrefix + key
	}
	r.readValue(f.m.PutEmpty(key), f.depth)
	return true
}

// contextField reads the well-known context keys; false for a free key.
func (r *eventReader) contextField(key string) bool {
	attrs := r.lr.Attributes()
	switch key {
	case ctxIP:
		if s, ok := r.str(); ok {
			if _, err := netip.ParseAddr(s); err != nil {
				r.fail("must be an IPv4 or IPv6 address")
				return true
			}
			attrs.PutStr(attrClientAddress, s)
		}
	case ctxUserAgent:
		if s, ok := r.str(); ok {
			if len(s) > maxUserAgentLen {
				r.fail(fmt.Sprintf("must be at most %d bytes", maxUserAgentLen))
				return true
			}
			attrs.PutStr(attrUserAgent, validUTF8(s))
		}
	case ctxSessionID:
		if s, ok := r.id(maxIDLen); ok {
			attrs.PutStr(attrSessionID, s)
		}
	default:
		return false
	}
	return true
}

// readValue reads any JSON value into v; depth is that of the container holding v.
func (r *eventReader) readValue(v pcommon.Value, depth int) {
	it := r.it
	switch it.WhatIsNext() {
	case jsoniter.StringValue:
		s := it.ReadString()
		if len(s) > r.lim.maxValue {
			r.fail(fmt.Sprintf("is a string of %d bytes, more than %d (max_property_value_bytes)", len(s), r.lim.maxValue))
			return
		}
		v.SetStr(validUTF8(s))
	case jsoniter.NumberValue:
		if !setNumber(v, string(it.ReadNumber())) {
			r.fail("number is out of the range of a 64-bit float")
		}
	case jsoniter.BoolValue:
		v.SetBool(it.ReadBool())
	case jsoniter.NilValue:
		it.Skip() // stays an empty value
	case jsoniter.ArrayValue:
		if depth >= r.lim.maxDepth {
			it.Skip()
			r.fail(fmt.Sprintf("is nested deeper than %d levels (max_property_depth)", r.lim.maxDepth))
			return
		}
		saved := r.cur
		r.cur = frame{kind: kindSlice, s: v.SetEmptySlice(), depth: depth + 1}
		r.push(seg{idx: 0})
		it.ReadArrayCB(r.sliceCB)
		r.pop()
		r.cur = saved
	case jsoniter.ObjectValue:
		if depth >= r.lim.maxDepth {
			it.Skip()
			r.fail(fmt.Sprintf("is nested deeper than %d levels (max_property_depth)", r.lim.maxDepth))
			return
		}
		r.readObject(frame{kind: kindMap, m: v.SetEmptyMap(), depth: depth + 1})
	default:
		it.Skip()
		r.fail("is not a JSON value")
	}
}

func (r *eventReader) sliceElem(it *jsoniter.Iterator) bool {
	if r.failed() {
		it.Skip()
		return true
	}
	r.readValue(r.cur.s.AppendEmpty(), r.cur.depth)
	r.path[len(r.path)-1].idx++
	return true
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// truncate keeps client-chosen names short in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return validUTF8(s)
	}
	return validUTF8(s[:max]) + "…"
}
