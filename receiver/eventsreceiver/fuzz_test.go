package eventsreceiver

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// FuzzDecode: decoding never panics, rejects every body encoding/json rejects, accounts for every
// event exactly once, and what it accepts passes an independent check built on encoding/json.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"event_name":"a","properties":{"x":[1,{"y":null}],"z":1.5},"user_id":"u","context":{"ip":"::1","k":{"a":"b"}},"timestamp":1714564800123}]}`,
		`{"events":[{"event_name":"checkout","tenant_id":"t","timestamp":"2024-05-01T12:00:00Z"},{"event_name":""},5]}`,
		`{"event_name":"one","properties":{"user.id":"x"}}`,
		`{"events":[{"event_name":"a","context":{"session_id":"s","user_agent":"ua"}}]}`,
		`{"events":[{"event_name":"a","properties":{"deep":[[[[[[[[[1]]]]]]]]]}}]}`,
		`{"events":[]}`, `[]`, `{`, `{"events":[{"event_name":"a\u0000"}]}`,
	} {
		f.Add([]byte(s))
	}
	lim := decodeLimits{maxEvents: 50, maxDepth: 4, maxKeys: 16, maxValue: 1 << 16}
	f.Fuzz(func(t *testing.T, body []byte) {
		ri := testInfo()
		ri.payloadTenant = true
		valid := json.Valid(body)
		for _, batch := range []bool{true, false} {
			var (
				d    decoded
				rerr *requestError
			)
			if batch {
				d, rerr = decodeBatch(body, lim, ri)
			} else {
				d, rerr = decodeSingle(body, lim, ri)
			}
			if !valid {
				require.NotNil(t, rerr, "invalid JSON must be refused")
			}
			if rerr != nil {
				continue
			}
			events := []json.RawMessage{body}
			if batch {
				var env struct{ Events []json.RawMessage }
				require.NoError(t, json.Unmarshal(body, &env))
				events = env.Events
			}
			require.Equal(t, len(events), d.accepted+len(d.errors), "every event accounted for once")
			lrs, tenants := records(d.logs)
			require.Len(t, lrs, d.accepted)
			rejected := map[int]bool{}
			for _, e := range d.errors {
				require.False(t, rejected[e.Index], "one error per event")
				require.True(t, e.Index >= 0 && e.Index < len(events))
				require.NotEmpty(t, e.Message)
				require.True(t, utf8.ValidString(e.Field) && utf8.ValidString(e.Message))
				rejected[e.Index] = true
			}
			next := 0
			for i, raw := range events {
				if rejected[i] {
					continue
				}
				checkAccepted(t, raw, lrs[next], tenants[next])
				next++
			}
		}
	})
}

// checkAccepted re-reads an accepted event with encoding/json and checks the contract's rules.
func checkAccepted(t *testing.T, raw json.RawMessage, lr interface {
	EventName() string
	Attributes() pcommon.Map
	Timestamp() pcommon.Timestamp
}, tenant string) {
	t.Helper()
	var ev map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &ev), "accepted events are objects: %s", raw)
	for k := range ev {
		switch k {
		case fieldEventName, fieldProperties, fieldUserID, fieldTenantID, fieldContext, fieldTimestamp:
		default:
			t.Fatalf("accepted an unknown field %q: %s", k, raw)
		}
	}
	var name string
	require.NoError(t, json.Unmarshal(ev[fieldEventName], &name), "event_name is a string: %s", raw)
	require.True(t, validName(name, maxEventNameLen), "event_name %q is valid", name)
	require.Equal(t, name, lr.EventName())
	got, _ := lr.Attributes().Get(attrEventName)
	require.Equal(t, name, got.Str())
	require.NotZero(t, lr.Timestamp())
	if p, ok := ev[fieldProperties]; ok && !bytes.Equal(p, []byte("null")) {
		var props map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(p, &props), "properties is an object: %s", raw)
		for k := range props {
			require.False(t, reservedKey(k), "reserved key %q accepted", k)
		}
	}
	if v, ok := lr.Attributes().Get(attrClientAddress); ok {
		_, err := netip.ParseAddr(v.Str())
		require.NoError(t, err)
	}
	var tid *string
	if raw, ok := ev[fieldTenantID]; ok {
		require.NoError(t, json.Unmarshal(raw, &tid))
	}
	if tid != nil && *tid != "" {
		require.Equal(t, *tid, tenant)
	} else {
		require.Equal(t, "default", tenant)
	}
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		require.True(t, utf8.ValidString(k))
		if v.Type() == pcommon.ValueTypeStr {
			require.True(t, utf8.ValidString(v.Str()), "attribute %q is valid UTF-8", k)
		}
		return true
	})
}
