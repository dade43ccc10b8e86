package piiredactionprocessor

import (
	"strings"
	"testing"
)

func TestJSONFieldsInStrings(t *testing.T) {
	cfg := strictCfg()
	p := newTestProcessor(t, cfg)
	tok := p.e.getState().h.token("u-4711")
	cases := []struct{ in, want string }{
		{`{"user":{"email":"not-an-address","plan":"pro"}}`, `{"user":{"email":"[REDACTED:pii_field]","plan":"pro"}}`},
		{`{"req":"{\"userId\":\"u-4711\",\"phone\":4155552671}"}`, `{"req":"{\"userId\":\"` + tok + `\",\"phone\":[REDACTED:pii_field]}"}`},
		{`{"a":"{\"b\":\"{\\\"ssn\\\":\\\"219099999\\\"}\"}"}`, `{"a":"{\"b\":\"{\\\"ssn\\\":\\\"[REDACTED:pii_field]\\\"}\"}"}`},
		{`{"password": "with \"quote\" inside", "n": 1}`, `{"password": "[REDACTED:pii_field]", "n": 1}`},
		{`{"email":null,"ssn":""}`, `{"email":null,"ssn":""}`},
		{`{"status":"ok","count":3}`, `{"status":"ok","count":3}`},
		{`ratio "3:2" and "x": y`, `ratio "3:2" and "x": y`},
	}
	for _, c := range cases {
		ld, lr := oneLog()
		lr.Body().SetStr(c.in)
		out := runLogs(t, cfg, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
		if got := out.Body().Str(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	// The values found become self-mentions of the record.
	ld, lr := oneLog()
	lr.Attributes().PutStr("payload", `{"customer_id":"u-4711"}`)
	lr.Body().SetStr("retry for u-4711")
	out := runLogs(t, cfg, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if got := out.Body().Str(); strings.Contains(got, "u-4711") || !strings.Contains(got, tok) {
		t.Errorf("body %q", got)
	}
}
