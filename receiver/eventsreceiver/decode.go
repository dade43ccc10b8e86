package eventsreceiver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	jsoniter "github.com/json-iterator/go"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/telemetryapi"
	"github.com/otelcol-telemetry/otelcol-telemetry/receiver/eventsreceiver/internal/metadata"
)

// decodeLimits are the configured bounds of one request.
type decodeLimits struct {
	maxEvents int
	maxDepth  int
	maxKeys   int
	// maxValue bounds each string value inside properties and context.
	maxValue int
}

// reqInfo is what the request, not its payload, says about its events.
type reqInfo struct {
	tenant        string // authenticated tenant; "" when the request is unauthenticated
	payloadTenant bool   // unauthenticated and tenant_from_payload: the event's tenant_id decides
	service       string
	scopeVersion  string
	now           pcommon.Timestamp
}

// decoded is the outcome of one request body: the valid events as logs, and why the others failed.
type decoded struct {
	logs     plog.Logs
	accepted int
	errors   []eventError
	// ids are the events' ids, one per event of the request ("" for a rejected one).
	ids []string
}

// requestError is a fault of the whole request; no event of it is accepted.
type requestError struct {
	status  int
	code    string
	message string
}

func (e *requestError) Error() string { return e.message }

// decodeBatch reads {"events": [...]}.
func decodeBatch(body []byte, lim decodeLimits, ri *reqInfo) (decoded, *requestError) {
	return decode(body, lim, ri, true)
}

// decodeSingle reads one event object.
func decodeSingle(body []byte, lim decodeLimits, ri *reqInfo) (decoded, *requestError) {
	return decode(body, lim, ri, false)
}

var readers = sync.Pool{New: func() any { return newEventReader() }}

func decode(body []byte, lim decodeLimits, ri *reqInfo, batch bool) (decoded, *requestError) {
	// The streaming reader below trusts the syntax it walks; encoding/json's scanner is the strict
	// judge of RFC 8259 and knows the offset of the first error.
	if err := checkSyntax(body); err != nil {
		return decoded{}, err
	}
	r := readers.Get().(*eventReader)
	defer r.release()
	r.start(body, lim, ri)
	if batch {
		r.readEnvelope()
	} else if r.it.WhatIsNext() != jsoniter.ObjectValue {
		r.reqErr = &requestError{http.StatusBadRequest, "invalid_request", "body must be a JSON object (one event)"}
	} else {
		r.readOne()
	}
	if r.reqErr == nil && r.it.Error != nil {
		r.reqErr = &requestError{http.StatusBadRequest, "malformed_json", "malformed JSON: " + r.it.Error.Error()}
	}
	if r.reqErr != nil {
		return decoded{}, r.reqErr
	}
	return decoded{logs: r.ld, accepted: r.accepted, errors: r.errs, ids: r.ids}, nil
}

// checkSyntax returns nil for one valid JSON value, else a 400 naming the byte offset, line and column.
func checkSyntax(body []byte) *requestError {
	if json.Valid(body) {
		return nil
	}
	var v struct{}
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &requestError{http.StatusBadRequest, "malformed_json", "malformed JSON"}
	}
	// Offset counts the bytes read including the offending one; name that byte, or the end of the
	// body when the input stopped early.
	// (at the end encoding/json scans a virtual space: "invalid character ' ' in literal null").
	off, n := se.Offset, int64(len(body))
	atEnd := strings.HasPrefix(se.Error(), "unexpected end") ||
		off == n && n > 0 && strings.Contains(se.Error(), "character ' '") && body[n-1] != ' '
	if off > 0 && off <= n && !atEnd {
		off--
	}
	line, col := position(body, off)
	return &requestError{http.StatusBadRequest, "malformed_json",
		fmt.Sprintf("malformed JSON at byte %d (line %d, column %d): %s", off, line, col, se.Error())}
}

// position turns a byte offset into a 1-based line and column (in bytes).
func position(body []byte, offset int64) (line, col int) {
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	line, lineStart := 1, 0
	for i, c := range body[:offset] {
		if c == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, int(offset) - lineStart + 1
}

// logsBuilder groups accepted records by tenant: one ResourceLogs per tenant of the request.
type logsBuilder struct {
	ld       plog.Logs
	ri       *reqInfo
	curName  string
	cur      plog.LogRecordSlice
	has      bool
	byTenant map[string]plog.LogRecordSlice
}

func (b *logsBuilder) records(tenant string) plog.LogRecordSlice {
	if b.has && tenant == b.curName {
		return b.cur
	}
	s, ok := b.byTenant[tenant]
	if !ok {
		rl := b.ld.ResourceLogs().AppendEmpty()
		res := rl.Resource().Attributes()
		res.PutStr(attrServiceName, b.ri.service)
		res.PutStr(telemetryapi.TenantAttribute, tenant)
		sl := rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(metadata.ScopeName)
		sl.Scope().SetVersion(b.ri.scopeVersion)
		s = sl.LogRecords()
		if b.has { // a second tenant: from now on look tenants up
			if b.byTenant == nil {
				b.byTenant = map[string]plog.LogRecordSlice{b.curName: b.cur}
			}
			b.byTenant[tenant] = s
		}
	}
	b.curName, b.cur, b.has = tenant, s, true
	return s
}

// setNumber stores a JSON number literal in v: integers that fit int64 as Int, everything else as
// Double. It fails only for numbers beyond float64 (1e400).
func setNumber(v pcommon.Value, s string) bool {
	integer := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '.' || c == 'e' || c == 'E' {
			integer = false
			break
		}
	}
	if integer {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			v.SetInt(i)
			return true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false
	}
	v.SetDouble(f)
	return true
}
