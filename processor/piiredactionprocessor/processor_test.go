package piiredactionprocessor

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/metadata"
)

const testKey = "k3y-for-tests-0123456789abcdef0123456789"

func strictCfg() *Config {
	cfg := createDefaultConfig()
	cfg.HashIdentifiers = true
	cfg.HashKey = testKey
	return cfg
}

func runLogs(t *testing.T, cfg *Config, ld plog.Logs) plog.Logs {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	return sink.AllLogs()[0]
}

func runTraces(t *testing.T, cfg *Config, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	return sink.AllTraces()[0]
}

func runMetrics(t *testing.T, cfg *Config, md pmetric.Metrics) pmetric.Metrics {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ConsumeMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	return sink.AllMetrics()[0]
}

func oneLog() (plog.Logs, plog.LogRecord) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	return ld, lr
}

func TestSpecExample(t *testing.T) {
	cfg := strictCfg()
	cfg.PIIFields = []string{"email", "phone", "ssn"}
	cfg.AnonymizeIPs = true

	ld, lr := oneLog()
	lr.Attributes().PutStr("event.name", "user_profile_update")
	props := lr.Body().SetEmptyMap()
	props.PutStr("email", "user@example.com")
	props.PutEmptySlice("changes").FromRaw([]any{"name", "avatar"})
	props.PutStr("timestamp", "2026-11-28T17:49:22.123456")
	props.PutStr("user.id", "u-42")

	out := runLogs(t, cfg, ld)
	body := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Map()
	if _, ok := body.Get("email"); ok {
		t.Errorf("email kept: %v", body.AsRaw())
	}
	if c, _ := body.Get("changes"); c.AsString() != `["name","avatar"]` {
		t.Errorf("changes = %s", c.AsString())
	}
	if ts, _ := body.Get("timestamp"); ts.Str() != "2026-11-28T17:49:22.123456" {
		t.Errorf("timestamp = %q", ts.Str())
	}
	uid, _ := body.Get("user.id")
	if !strings.HasPrefix(uid.Str(), "hmac:") || len(uid.Str()) != len("hmac:")+32 {
		t.Errorf("user.id = %q, want hmac token", uid.Str())
	}
}

// allStrings renders every string reachable in the data for leak checks.
func logsJSON(t *testing.T, ld plog.Logs) string {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var piiValues = []string{
	"bob@example.com", "+1 415 555 2671", "123-45-6789", "4111 1111 1111 1111", "DE89370400440532013000",
	"203.0.113.195", "2001:db8:85a3::8a2e:370:7334",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
	"mF_9.B5f-4.1JqMx7", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "admin:s3cretpw", "tok3nvalue",
}

const piiText = "mail bob@example.com call +1 415 555 2671 ssn 123-45-6789 card 4111 1111 1111 1111 " +
	"iban DE89370400440532013000 from 203.0.113.195 and 2001:db8:85a3::8a2e:370:7334 " +
	"jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U " +
	"Authorization: Bearer mF_9.B5f-4.1JqMx7 key sk_live_4eC39HqLyjWDarjtT1zdp7dc " +
	"db postgres://admin:s3cretpw@db:5432/x url /cb?token=tok3nvalue&page=2"

// lookAlikes must survive every mode.
var lookAlikes = []string{
	"550e8400-e29b-41d4-a716-446655440000", "4bf92f3577b34da6a3ce929d0e0e4736", "2024-01-15T10:30:45Z",
	"v2.14.3", "ORD-2024-000123", "$1,234.56", "/api/v1/users/12345/orders",
}

func fillMap(m pcommon.Map) {
	m.PutStr("message", piiText)
	m.PutStr("safe", strings.Join(lookAlikes, " "))
	m.PutInt("card_int", 4111111111111111)
	n := m.PutEmptyMap("nested")
	n.PutStr("deep", piiText)
	n.PutEmptySlice("list").AppendEmpty().SetStr(piiText)
	n.PutEmptyMap("more").PutStr("Email", "x@example.org")
}

func checkNoPII(t *testing.T, where, dump string) {
	t.Helper()
	for _, v := range append(piiValues, "x@example.org", "4111111111111111") {
		if strings.Contains(dump, v) {
			t.Errorf("%s: %q survived", where, v)
		}
	}
	for _, v := range lookAlikes {
		if !strings.Contains(dump, v) {
			t.Errorf("%s: look-alike %q was changed", where, v)
		}
	}
}

func TestStrictAllPositionsLogs(t *testing.T) {
	ld, lr := oneLog()
	fillMap(ld.ResourceLogs().At(0).Resource().Attributes())
	fillMap(ld.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Attributes())
	fillMap(lr.Attributes())
	lr.Body().SetStr(piiText + " " + strings.Join(lookAlikes, " "))
	ld2, lr2 := oneLog()
	fillMap(lr2.Body().SetEmptyMap())
	sl := lr2.Attributes().PutEmptySlice("slice")
	sl.AppendEmpty().SetStr(piiText)
	fillMap(sl.AppendEmpty().SetEmptyMap())

	checkNoPII(t, "logs", logsJSON(t, runLogs(t, strictCfg(), ld)))
	checkNoPII(t, "logs map body", logsJSON(t, runLogs(t, strictCfg(), ld2)))
}

func TestStrictAllPositionsTraces(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	fillMap(rs.Resource().Attributes())
	ss := rs.ScopeSpans().AppendEmpty()
	fillMap(ss.Scope().Attributes())
	sp := ss.Spans().AppendEmpty()
	sp.SetName("GET /users/bob@example.com")
	sp.Status().SetMessage("denied for 123-45-6789")
	fillMap(sp.Attributes())
	ev := sp.Events().AppendEmpty()
	ev.SetName("login bob@example.com")
	fillMap(ev.Attributes())
	fillMap(sp.Links().AppendEmpty().Attributes())

	out := runTraces(t, strictCfg(), td)
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(out)
	if err != nil {
		t.Fatal(err)
	}
	checkNoPII(t, "traces", string(b))
	if got := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name(); got != "GET /users/{email}" {
		t.Errorf("span name = %q", got)
	}
}

func TestStrictAllPositionsMetrics(t *testing.T) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	fillMap(rm.Resource().Attributes())
	sm := rm.ScopeMetrics().AppendEmpty()
	fillMap(sm.Scope().Attributes())
	ms := sm.Metrics()
	g := ms.AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	fillMap(g.Attributes())
	fillMap(g.Exemplars().AppendEmpty().FilteredAttributes())
	s := ms.AppendEmpty().SetEmptySum().DataPoints().AppendEmpty()
	fillMap(s.Attributes())
	fillMap(s.Exemplars().AppendEmpty().FilteredAttributes())
	h := ms.AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty()
	fillMap(h.Attributes())
	fillMap(h.Exemplars().AppendEmpty().FilteredAttributes())
	eh := ms.AppendEmpty().SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	fillMap(eh.Attributes())
	fillMap(eh.Exemplars().AppendEmpty().FilteredAttributes())
	su := ms.AppendEmpty().SetEmptySummary().DataPoints().AppendEmpty()
	fillMap(su.Attributes())

	out := runMetrics(t, strictCfg(), md)
	b, err := (&pmetric.JSONMarshaler{}).MarshalMetrics(out)
	if err != nil {
		t.Fatal(err)
	}
	checkNoPII(t, "metrics", string(b))
	// Each of the 11 filled maps (3 ssn each) must have been processed.
	if n := strings.Count(string(b), "[REDACTED:ssn]"); n != 11*3 {
		t.Errorf("ssn placeholders = %d, want %d", n, 11*3)
	}
}

func TestModes(t *testing.T) {
	build := func() (plog.Logs, plog.LogRecord) {
		ld, lr := oneLog()
		a := lr.Attributes()
		a.PutStr("user.id", "u-42")
		a.PutStr("client.address", "203.0.113.195")
		a.PutStr("password", "hunter2")
		a.PutStr("msg", "bob@example.com paid 4111 1111 1111 1111 from 198.51.100.7 with sk_live_4eC39HqLyjWDarjtT1zdp7dc phone +1 415 555 2671")
		return ld, lr
	}
	get := func(ld plog.Logs, k string) string {
		v, ok := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get(k)
		if !ok {
			return "<removed>"
		}
		return v.AsString()
	}
	f := func(mode Mode, wantUID, wantAddr, wantMsg string) {
		t.Helper()
		cfg := strictCfg()
		cfg.Mode = mode
		ld, _ := build()
		out := runLogs(t, cfg, ld)
		if got := get(out, "password"); got != "<removed>" {
			t.Errorf("%s: password = %q", mode, got)
		}
		if got := get(out, "user.id"); (wantUID == "hmac" && !strings.HasPrefix(got, "hmac:")) || (wantUID != "hmac" && got != wantUID) {
			t.Errorf("%s: user.id = %q, want %s", mode, got, wantUID)
		}
		if got := get(out, "client.address"); got != wantAddr {
			t.Errorf("%s: client.address = %q, want %q", mode, got, wantAddr)
		}
		if got := get(out, "msg"); got != wantMsg {
			t.Errorf("%s: msg = %q\n want %q", mode, got, wantMsg)
		}
	}
	f(ModeStrict, "hmac", "203.0.113.0",
		"[REDACTED:email] paid [REDACTED:card] from 198.51.100.0 with [REDACTED:secret] phone [REDACTED:phone]")
	f(ModeBalanced, "hmac", "203.0.113.0",
		"b***@example.com paid **** **** **** 1111 from 198.51.100.7 with [REDACTED:secret] phone +* *** *** 2671")
	f(ModeMinimal, "u-42", "203.0.113.195",
		"bob@example.com paid [REDACTED:card] from 198.51.100.7 with [REDACTED:secret] phone +1 415 555 2671")
}

func TestIdentifierHashing(t *testing.T) {
	hash := func(key, v string) string {
		cfg := strictCfg()
		cfg.HashKey = "k"
		cfg.HashKey = configopaqueString(key)
		ld, lr := oneLog()
		lr.Attributes().PutStr("enduser.id", v)
		lr.Attributes().PutEmptyMap("user").PutInt("id", 42)
		out := runLogs(t, cfg, ld)
		a := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
		id, _ := a.Get("enduser.id")
		nested, _ := a.Get("user")
		nid, _ := nested.Map().Get("id")
		if !strings.HasPrefix(nid.Str(), "hmac:") {
			t.Errorf("nested user.id not hashed: %v", nested.AsRaw())
		}
		return id.Str()
	}
	a1, a2 := hash(testKey, "alice"), hash(testKey, "alice")
	b := hash(testKey, "bob")
	c := hash(testKey+"-other", "alice")
	if a1 != a2 || a1 == b || a1 == c || !strings.HasPrefix(a1, "hmac:") {
		t.Fatalf("tokens: same=%q,%q other value=%q other key=%q", a1, a2, b, c)
	}
}

func TestKeyMatching(t *testing.T) {
	cfg := strictCfg()
	cfg.PIIFields = []string{"email", "profile.ssn"}
	ld, lr := oneLog()
	a := lr.Attributes()
	a.PutStr("user.EMAIL", "not-an-address")
	a.PutStr("Email", "also")
	a.PutEmptyMap("profile").PutStr("ssn", "000000000")
	a.PutStr("emailer", "keep me")
	a.PutStr("http.request.method", "GET")
	a.PutStr("service.name", "bob@example.com") // allowed keys are never scanned
	out := runLogs(t, cfg, ld)
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().AsRaw()
	want := map[string]any{"profile": map[string]any{}, "emailer": "keep me", "http.request.method": "GET", "service.name": "bob@example.com"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || (k != "profile" && g != v) {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

func TestAddressAnonymization(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		ld, lr := oneLog()
		lr.Attributes().PutStr("client.address", in)
		out := runLogs(t, strictCfg(), ld)
		got, _ := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("client.address")
		if got.Str() != want {
			t.Errorf("client.address %q -> %q, want %q", in, got.Str(), want)
		}
	}
	f("203.0.113.195", "203.0.113.0")
	f("2001:db8:85a3:1:2:3:4:5", "2001:db8:85a3::")
	f("::ffff:192.0.2.128", "192.0.2.0")
	f("203.0.113.195:4711", "203.0.113.0:4711")
	f("[2001:db8:85a3::1]:443", "[2001:db8:85a3::]:443")
	f("api.example.com", "api.example.com")
}

func TestPIIFieldsActions(t *testing.T) {
	f := func(a Action, check func(v pcommon.Value, ok bool) bool) {
		t.Helper()
		cfg := strictCfg()
		cfg.PIIFieldsAction = a
		ld, lr := oneLog()
		lr.Attributes().PutStr("email", "bob@example.com")
		out := runLogs(t, cfg, ld)
		v, ok := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("email")
		if !check(v, ok) {
			t.Errorf("%s: got %v %v", a, v.AsString(), ok)
		}
	}
	f(ActionRemove, func(_ pcommon.Value, ok bool) bool { return !ok })
	f(ActionRedact, func(v pcommon.Value, ok bool) bool { return ok && v.Str() == "[REDACTED:pii_field]" })
	f(ActionHash, func(v pcommon.Value, ok bool) bool { return ok && strings.HasPrefix(v.Str(), "hmac:") })
}

func TestActionOverrides(t *testing.T) {
	cfg := strictCfg()
	cfg.Actions = map[string]Action{"email": ActionHash, "card": ActionMask, "ip": ActionKeep, "phone": ActionKeep}
	ld, lr := oneLog()
	lr.Body().SetStr("bob@example.com 4111111111111111 10.1.2.3 +1 415 555 2671")
	out := runLogs(t, cfg, ld)
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()
	tok := newHasher([]byte(testKey)).token("bob@example.com")
	want := tok + " ************1111 10.1.2.3 +1 415 555 2671"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestIdempotent(t *testing.T) {
	cfg := strictCfg()
	ld, lr := oneLog()
	lr.Body().SetStr(piiText)
	lr.Attributes().PutStr("user.id", "u-1")
	once := runLogs(t, cfg, ld)
	first := logsJSON(t, once)
	twice := runLogs(t, cfg, once)
	if second := logsJSON(t, twice); second != first {
		t.Fatalf("second pass changed data:\n%s\n%s", first, second)
	}
}

func TestSummary(t *testing.T) {
	f := func(s Summary, want map[string]any) {
		t.Helper()
		cfg := strictCfg()
		cfg.Summary = s
		ld, lr := oneLog()
		lr.Attributes().PutStr("msg", "bob@example.com and 123-45-6789")
		lr.Attributes().PutStr("email", "x")
		lr.Attributes().PutStr("ok", "fine")
		out := runLogs(t, cfg, ld)
		a := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
		for k, w := range want {
			v, ok := a.Get(k)
			if w == nil {
				if ok {
					t.Errorf("%s: unexpected %s=%v", s, k, v.AsRaw())
				}
				continue
			}
			if !ok || v.AsRaw() != w {
				t.Errorf("%s: %s = %v, want %v", s, k, v.AsRaw(), w)
			}
		}
	}
	f(SummarySilent, map[string]any{"pii_redaction.redacted.count": nil})
	f(SummaryInfo, map[string]any{"pii_redaction.redacted.count": int64(3), "pii_redaction.redacted.keys": nil})
	f(SummaryDebug, map[string]any{
		"pii_redaction.redacted.count": int64(3),
		"pii_redaction.redacted.keys":  "email,msg",
		"pii_redaction.detectors":      "email,pii_field,ssn",
	})
}

func TestLifecycle(t *testing.T) {
	cfg := strictCfg()
	f := NewFactory()
	if f.Type().String() != "pii_redaction" {
		t.Fatalf("type = %s", f.Type())
	}
	set := processortest.NewNopSettings(metadata.Type)
	tp, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if !tp.Capabilities().MutatesData {
		t.Error("processor must declare MutatesData")
	}
	if err := tp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	processortest.VerifyShutdown(t, f, cfg)
}

func TestConcurrentBatches(t *testing.T) {
	p := newTestProcessor(t, strictCfg())
	done := make(chan string, 4)
	for range 4 {
		go func() {
			ld, lr := oneLog()
			lr.Body().SetStr(piiText)
			out, _ := p.processLogs(context.Background(), ld)
			done <- out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str()
		}()
	}
	first := <-done
	for range 3 {
		if got := <-done; got != first {
			t.Fatalf("concurrent results differ:\n%s\n%s", first, got)
		}
	}
}

// Review findings: positions and value shapes that used to pass through raw.

func TestLogEventNameScanned(t *testing.T) {
	ld, lr := oneLog()
	lr.SetEventName("signup bob@example.com")
	out := runLogs(t, strictCfg(), ld)
	if got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).EventName(); got != "signup [REDACTED:email]" {
		t.Errorf("event name = %q", got)
	}
}

func TestDoubleCardNumber(t *testing.T) {
	ld, lr := oneLog()
	lr.Attributes().PutDouble("amount", 4111111111111111)
	lr.Attributes().PutDouble("price", 12.5)
	lr.Attributes().PutDouble("big", 1e300)
	out := runLogs(t, strictCfg(), ld)
	a := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
	if v, _ := a.Get("amount"); v.AsString() != "[REDACTED:card]" {
		t.Errorf("double card = %q", v.AsString())
	}
	if v, _ := a.Get("price"); v.Double() != 12.5 {
		t.Errorf("price = %v", v.AsRaw())
	}
	if v, _ := a.Get("big"); v.Double() != 1e300 {
		t.Errorf("big = %v", v.AsRaw())
	}
}

func TestIdentifierWithTokenPrefixIsHashed(t *testing.T) {
	cfg := strictCfg()
	f := func(in string, keep bool) {
		t.Helper()
		ld, lr := oneLog()
		lr.Attributes().PutStr("user.id", in)
		out := runLogs(t, cfg, ld)
		got, _ := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("user.id")
		if (got.Str() == in) != keep || !strings.HasPrefix(got.Str(), "hmac:") {
			t.Errorf("user.id %q -> %q (keep=%v)", in, got.Str(), keep)
		}
	}
	f("hmac:bob@example.com", false)
	f("hmac:", false)
	f("hmac:0123456789abcdef0123456789abcdef", true) // a token from an earlier pass
}

func TestAddressAnonymizationBalancedLists(t *testing.T) {
	f := func(mode Mode, in, want string) {
		t.Helper()
		cfg := strictCfg()
		cfg.Mode = mode
		ld, lr := oneLog()
		lr.Attributes().PutStr("client.address", in)
		out := runLogs(t, cfg, ld)
		got, _ := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("client.address")
		if got.Str() != want {
			t.Errorf("%s: client.address %q -> %q, want %q", mode, in, got.Str(), want)
		}
	}
	for _, m := range []Mode{ModeStrict, ModeBalanced} {
		f(m, "203.0.113.195, 198.51.100.7", "203.0.113.0, 198.51.100.0")
		f(m, "fe80::1ff:fe23:4567:890a%eth0", "fe80::%eth0")
		f(m, "for=203.0.113.195;proto=https", "for=203.0.113.0;proto=https")
		f(m, "api.example.com", "api.example.com")
	}
	f(ModeMinimal, "203.0.113.195, 198.51.100.7", "203.0.113.195, 198.51.100.7")
}

func TestPIIFieldsIgnoreSeparators(t *testing.T) {
	ld, lr := oneLog()
	b := lr.Body().SetEmptyMap()
	b.PutStr("phoneNumber", "4155552671")
	b.PutStr("dateOfBirth", "1990-01-02")
	b.PutStr("Phone-Number", "4155552671")
	b.PutEmptyMap("user").PutStr("EmailAddress", "x")
	b.PutStr("customer.phoneNumber", "4155552671")
	b.PutStr("phone_book", "kept")
	out := runLogs(t, strictCfg(), ld)
	got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().AsString()
	if got != `{"phone_book":"kept","user":{}}` {
		t.Errorf("body = %s", got)
	}
}

func TestMaskKeepsUTF8(t *testing.T) {
	cfg := strictCfg()
	cfg.Mode = ModeBalanced
	ld, lr := oneLog()
	lr.Body().SetStr("from émile@example.de")
	out := runLogs(t, cfg, ld)
	if got := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str(); got != "from é***@example.de" {
		t.Errorf("masked = %q", got)
	}
}

func TestIdentifierFieldsIgnoreSeparators(t *testing.T) {
	ld, lr := oneLog()
	b := lr.Body().SetEmptyMap()
	b.PutStr("sessionId", "s-1")
	b.PutStr("customerId", "c-1")
	b.PutStr("Account-Id", "a-1")
	b.PutStr("deviceId", "d-1")
	b.PutStr("session_name", "kept")
	out := runLogs(t, strictCfg(), ld)
	m := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Map()
	for _, k := range []string{"sessionId", "customerId", "Account-Id", "deviceId"} {
		if v, _ := m.Get(k); !isHashToken(v.Str()) {
			t.Errorf("%s = %q, want hmac token", k, v.Str())
		}
	}
	if v, _ := m.Get("session_name"); v.Str() != "kept" {
		t.Errorf("session_name = %q", v.Str())
	}
}
