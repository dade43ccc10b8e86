package eventsreceiver

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

var testLimits = decodeLimits{maxEvents: 1000, maxDepth: 8, maxKeys: 256, maxValue: 1 << 16}

var testNow = pcommon.NewTimestampFromTime(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))

func testInfo() *reqInfo {
	return &reqInfo{service: "shop", scopeVersion: "1.2.3", now: testNow}
}

// records returns every log record of ld with the tenant of its resource.
func records(ld plog.Logs) (lrs []plog.LogRecord, tenants []string) {
	for _, rl := range ld.ResourceLogs().All() {
		t, _ := rl.Resource().Attributes().Get("tenant.id")
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lrs = append(lrs, lr)
				tenants = append(tenants, t.Str())
			}
		}
	}
	return lrs, tenants
}

// eventAttrs are a record's attributes but its event id, which it must carry.
func eventAttrs(t *testing.T, lr plog.LogRecord) map[string]any {
	t.Helper()
	m := lr.Attributes().AsRaw()
	id, _ := m["log.record.uid"].(string)
	require.NotEmpty(t, id, "every stored event carries its id")
	delete(m, "log.record.uid")
	return m
}

func TestDecodeSpecExamples(t *testing.T) {
	body := `{"events": [
	  {"event_name": "user_action", "properties": {"action": "checkout", "value": 99.99, "currency": "USD", "items": 3},
	   "user_id": "user123", "tenant_id": "tenant456"},
	  {"event_name": "api_call", "properties": {"endpoint": "/api/users", "method": "GET", "duration_ms": 145,
	     "flags": {"beta": true, "tags": ["a", 1, null]}},
	   "context": {"ip": "192.168.1.1", "user_agent": "Mozilla/5.0", "session_id": "sess789", "locale": "de-DE"},
	   "timestamp": "2025-02-28T09:30:00.123Z"}
	]}`
	d, rerr := decodeBatch([]byte(body), testLimits, testInfo())
	require.Nil(t, rerr)
	assert.Equal(t, 2, d.accepted)
	assert.Empty(t, d.errors)
	require.Equal(t, 1, d.logs.ResourceLogs().Len(), "one tenant, one resource")
	rl := d.logs.ResourceLogs().At(0)
	assert.Equal(t, map[string]any{"service.name": "shop", "tenant.id": "default"}, rl.Resource().Attributes().AsRaw())
	assert.Equal(t, "1.2.3", rl.ScopeLogs().At(0).Scope().Version())

	lrs, _ := records(d.logs)
	require.Len(t, lrs, 2)
	assert.Equal(t, "user_action", lrs[0].EventName())
	assert.Equal(t, testNow, lrs[0].Timestamp(), "no timestamp: receive time")
	assert.Equal(t, testNow, lrs[0].ObservedTimestamp())
	assert.Equal(t, map[string]any{
		"event.name": "user_action", "action": "checkout", "value": 99.99, "currency": "USD", "items": int64(3),
		"user.id": "user123",
	}, eventAttrs(t, lrs[0]), "tenant_id is not an attribute")
	v, _ := lrs[0].Attributes().Get("items")
	assert.Equal(t, pcommon.ValueTypeInt, v.Type())
	v, _ = lrs[0].Attributes().Get("value")
	assert.Equal(t, pcommon.ValueTypeDouble, v.Type())

	assert.Equal(t, "api_call", lrs[1].EventName())
	assert.Equal(t, time.Date(2025, 2, 28, 9, 30, 0, 123e6, time.UTC), lrs[1].Timestamp().AsTime())
	assert.Equal(t, map[string]any{
		"event.name": "api_call", "endpoint": "/api/users", "method": "GET", "duration_ms": int64(145),
		"flags":          map[string]any{"beta": true, "tags": []any{"a", int64(1), nil}},
		"client.address": "192.168.1.1", "user_agent.original": "Mozilla/5.0", "session.id": "sess789",
		"context.locale": "de-DE",
	}, eventAttrs(t, lrs[1]))
}

func TestDecodeTenant(t *testing.T) {
	body := []byte(`{"events":[{"event_name":"a","tenant_id":"t1"},{"event_name":"b","tenant_id":"t2"},{"event_name":"c","tenant_id":"t1"},{"event_name":"d"}]}`)
	f := func(ri *reqInfo, want []string, resources int) {
		t.Helper()
		d, rerr := decodeBatch(body, testLimits, ri)
		require.Nil(t, rerr)
		lrs, tenants := records(d.logs)
		require.Len(t, lrs, 4)
		assert.Equal(t, want, tenants)
		assert.Equal(t, resources, d.logs.ResourceLogs().Len())
	}
	ri := testInfo()
	f(ri, []string{"default", "default", "default", "default"}, 1)
	ri.tenant = "acme"
	f(ri, []string{"acme", "acme", "acme", "acme"}, 1)
	ri = testInfo()
	ri.payloadTenant = true
	f(ri, []string{"t1", "t1", "t2", "default"}, 3) // grouped by resource: t1, t2, default
}

func TestDecodeTimestamps(t *testing.T) {
	f := func(ts string, want time.Time) {
		t.Helper()
		d, rerr := decodeSingle([]byte(`{"event_name":"x","timestamp":`+ts+`}`), testLimits, testInfo())
		require.Nil(t, rerr)
		require.Empty(t, d.errors, ts)
		lrs, _ := records(d.logs)
		assert.Equal(t, want.UTC(), lrs[0].Timestamp().AsTime(), ts)
	}
	f(`1714564800123`, time.UnixMilli(1714564800123))
	f(`1714564800123.5`, time.UnixMicro(1714564800123500))
	f(`"2024-05-01T12:00:00+02:00"`, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC))
	f(`"2024-05-01T12:00:00.123456789Z"`, time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC))
	f(`null`, testNow.AsTime())
}

// TestDecodeInvalidEvents: every fault rejects exactly its event, names the field and keeps the others.
func TestDecodeInvalidEvents(t *testing.T) {
	f := func(event, field, msgPart string) {
		t.Helper()
		body := `{"events":[{"event_name":"ok"},` + event + `,{"event_name":"ok2"}]}`
		d, rerr := decodeBatch([]byte(body), decodeLimits{maxEvents: 10, maxDepth: 3, maxKeys: 4, maxValue: 16}, testInfo())
		require.Nil(t, rerr, event)
		assert.Equal(t, 2, d.accepted, event)
		require.Len(t, d.errors, 1, event)
		assert.Equal(t, 1, d.errors[0].Index)
		assert.Equal(t, field, d.errors[0].Field, event)
		assert.Contains(t, d.errors[0].Message, msgPart, event)
		lrs, _ := records(d.logs)
		require.Len(t, lrs, 2)
		assert.Equal(t, "ok2", lrs[1].EventName())
		assert.Equal(t, map[string]any{"event.name": "ok2"}, eventAttrs(t, lrs[1]), "nothing of the bad event leaks")
	}
	f(`{}`, "event_name", "required")
	f(`{"event_name":"v","properties":{"long":"12345678901234567"}}`, "properties.long", "17 bytes, more than 16 (max_property_value_bytes)")
	f(`{"event_name":"v","properties":{"a":["12345678901234567"]}}`, "properties.a[0]", "max_property_value_bytes")
	f(`{"properties":{"a":1}}`, "event_name", "required")
	f(`{"event_name":""}`, "event_name", "required")
	f(`{"event_name":null}`, "event_name", "required")
	f(`{"event_name":"has space"}`, "event_name", "A-Z")
	f(`{"event_name":"`+strings.Repeat("a", 129)+`"}`, "event_name", "128")
	f(`{"event_name":"é"}`, "event_name", "A-Z")
	f(`{"event_name":7}`, "event_name", "must be a string")
	f(`[1]`, "", "JSON object")
	f(`"x"`, "", "JSON object")
	f(`{"event_name":"a","tenant_id":"t","tenant_id":null}`, "tenant_id", "twice")
	f(`{"event_name":"a","propertes":{}}`, "propertes", "unknown field")
	f(`{"event_name":"a","properties":[]}`, "properties", "must be an object")
	f(`{"event_name":"a","properties":{"user.id":"u"}}`, "properties.user.id", "reserved")
	f(`{"event_name":"a","properties":{"context.x":"u"}}`, "properties.context.x", "reserved")
	f(`{"event_name":"a","properties":{"":1}}`, "properties.", "keys must have")
	f(`{"event_name":"a","properties":{"a":1,"b":2,"c":3,"d":4,"e":5}}`, "properties", "more than 4 keys")
	f(`{"event_name":"a","properties":{"a":{"b":{"c":{"d":1}}}}}`, "properties.a.b.c", "deeper than 3")
	f(`{"event_name":"a","properties":{"a":[1,[2,[3]]]}}`, "properties.a[1][1]", "deeper than 3")
	f(`{"event_name":"a","context":{"x":{"y":{"z":[]}}}}`, "context.x.y.z", "deeper than 3")
	f(`{"event_name":"a","properties":{"n":1e400}}`, "properties.n", "out of the range")
	f(`{"event_name":"a","user_id":5}`, "user_id", "must be a string")
	f(`{"event_name":"a","event_id":"a b"}`, "event_id", "A-Z")
	f(`{"event_name":"a","event_id":"`+strings.Repeat("e", 129)+`"}`, "event_id", "128")
	f(`{"event_name":"a","event_id":7}`, "event_id", "must be a string")
	f(`{"event_name":"a","event_id":"x","event_id":"y"}`, "event_id", "twice")
	f(`{"event_name":"a","properties":{"log.record.uid":"forged"}}`, "properties.log.record.uid", "reserved")
	f(`{"event_name":"a","user_id":"`+strings.Repeat("u", 257)+`"}`, "user_id", "256")
	f(`{"event_name":"a","tenant_id":"a b"}`, "tenant_id", "A-Z")
	f(`{"event_name":"a","context":{"ip":"999.1.1.1"}}`, "context.ip", "IP")
	f(`{"event_name":"a","context":{"session_id":true}}`, "context.session_id", "must be a string")
	f(`{"event_name":"a","context":"x"}`, "context", "must be an object")
	f(`{"event_name":"a","timestamp":"yesterday"}`, "timestamp", "RFC 3339")
	f(`{"event_name":"a","timestamp":-5}`, "timestamp", "epoch milliseconds")
	f(`{"event_name":"a","timestamp":1e20}`, "timestamp", "epoch milliseconds")
	f(`{"event_name":"a","timestamp":"1960-01-01T00:00:00Z"}`, "timestamp", "1970")
	f(`{"event_name":"a","timestamp":true}`, "timestamp", "RFC 3339")
}

func TestDecodeRequestErrors(t *testing.T) {
	f := func(body string, single bool, status int, code, msgPart string) {
		t.Helper()
		dec := decodeBatch
		if single {
			dec = decodeSingle
		}
		_, rerr := dec([]byte(body), decodeLimits{maxEvents: 2, maxDepth: 8, maxKeys: 8, maxValue: 1 << 16}, testInfo())
		require.NotNil(t, rerr, body)
		assert.Equal(t, status, rerr.status, body)
		assert.Equal(t, code, rerr.code, body)
		assert.Contains(t, rerr.message, msgPart, body)
	}
	f(``, false, http.StatusBadRequest, "malformed_json", "byte 0 (line 1, column 1)")
	f("{\"events\": [\n  {\"event_name\": \"a\",}\n]}", false, http.StatusBadRequest, "malformed_json", "byte 34 (line 2, column 22)")
	f(`{"events":[]} x`, false, http.StatusBadRequest, "malformed_json", "byte 14 (line 1, column 15)")
	f(`{"events":[{"event_name":"a"}]`, false, http.StatusBadRequest, "malformed_json", "unexpected end")
	f(`[]`, false, http.StatusBadRequest, "invalid_request", "events")
	f(`{}`, false, http.StatusBadRequest, "invalid_request", "events is required")
	f(`{"events":{}}`, false, http.StatusBadRequest, "invalid_request", "must be an array")
	f(`{"events":[],"extra":1}`, false, http.StatusBadRequest, "invalid_request", `unknown field "extra"`)
	f(`{"events":[],"events":[]}`, false, http.StatusBadRequest, "invalid_request", "twice")
	f(`{"events":[{"event_name":"a"},{"event_name":"b"},{"event_name":"c"}]}`, false, http.StatusRequestEntityTooLarge, "too_many_events", "at most 2")
	f(`[{"event_name":"a"}]`, true, http.StatusBadRequest, "invalid_request", "one event")
	f(`nul`, true, http.StatusBadRequest, "malformed_json", "byte 3")
}

func TestDecodeInvalidUTF8IsReplaced(t *testing.T) {
	body := []byte("{\"event_name\":\"a\",\"properties\":{\"s\":\"x\xffy\"},\"context\":{\"user_agent\":\"\xfe\"}}")
	d, rerr := decodeSingle(body, testLimits, testInfo())
	require.Nil(t, rerr)
	require.Empty(t, d.errors)
	lrs, _ := records(d.logs)
	assert.Equal(t, "x\uFFFDy", lrs[0].Attributes().AsRaw()["s"])
	assert.Equal(t, "\uFFFD", lrs[0].Attributes().AsRaw()["user_agent.original"])
}

func TestDecodeNumbers(t *testing.T) {
	f := func(lit string, want any) {
		t.Helper()
		d, rerr := decodeSingle([]byte(`{"event_name":"a","properties":{"n":`+lit+`}}`), testLimits, testInfo())
		require.Nil(t, rerr)
		require.Empty(t, d.errors, lit)
		lrs, _ := records(d.logs)
		assert.Equal(t, want, lrs[0].Attributes().AsRaw()["n"], lit)
	}
	f(`0`, int64(0))
	f(`-12`, int64(-12))
	f(`9223372036854775807`, int64(9223372036854775807))
	f(`9223372036854775808`, 9223372036854775808.0) // beyond int64: a double
	f(`1.0`, 1.0)
	f(`1e3`, 1000.0)
	f(`-0.5E-2`, -0.005)
}

// A tenant taken from the payload (tenant_from_payload) must be one the API can name with
// ?tenant= (telemetryapi.ValidTenant), else its events could never be queried, exported or deleted.
func TestPayloadTenantMustBeAddressable(t *testing.T) {
	f := func(tenant string, ok bool) {
		t.Helper()
		ri := testInfo()
		ri.payloadTenant = true
		d, rerr := decodeSingle([]byte(`{"event_name":"a","tenant_id":"`+tenant+`"}`), decodeLimits{maxEvents: 10, maxDepth: 3, maxKeys: 4, maxValue: 1 << 16}, ri)
		require.Nil(t, rerr)
		if ok {
			require.Equal(t, 1, d.accepted, tenant)
			_, tenants := records(d.logs)
			assert.Equal(t, []string{tenant}, tenants)
			return
		}
		assert.Equal(t, 0, d.accepted, tenant)
		require.Len(t, d.errors, 1, tenant)
		assert.Equal(t, "tenant_id", d.errors[0].Field)
	}
	f("acme", true)
	f("acme-eu.1_x", true)
	f("acme:eu", false)
	f("-acme", false)
	f(".", false)

	// When the key decides the tenant, tenant_id is ignored and keeps its documented charset.
	ri := testInfo()
	ri.tenant = "acme"
	d, rerr := decodeSingle([]byte(`{"event_name":"a","tenant_id":"x:y"}`), decodeLimits{maxEvents: 10, maxDepth: 3, maxKeys: 4, maxValue: 1 << 16}, ri)
	require.Nil(t, rerr)
	assert.Equal(t, 1, d.accepted)
}

// TestDecodeEventIDs: the client's event_id is kept, a missing one is generated, each accepted
// event's id is on its record (log.record.uid) and in d.ids at its index; a rejected one has "".
func TestDecodeEventIDs(t *testing.T) {
	body := `{"events":[{"event_name":"a","event_id":"0190b6a4-7d2e-7c1a-9f00-000000000001"},{"event_name":"b"},{"event_name":"bad name"},{"event_name":"c","event_id":null}]}`
	d, rerr := decodeBatch([]byte(body), testLimits, testInfo())
	require.Nil(t, rerr)
	require.Len(t, d.ids, 4)
	assert.Equal(t, "0190b6a4-7d2e-7c1a-9f00-000000000001", d.ids[0])
	assert.Len(t, d.ids[1], 36)
	assert.Equal(t, "", d.ids[2])
	assert.Len(t, d.ids[3], 36, "null: generated")
	assert.NotEqual(t, d.ids[1], d.ids[3])
	lrs, _ := records(d.logs)
	require.Len(t, lrs, 3)
	for i, want := range []string{d.ids[0], d.ids[1], d.ids[3]} {
		uid, _ := lrs[i].Attributes().Get("log.record.uid")
		assert.Equal(t, want, uid.Str())
	}
}
