package piiredactionprocessor

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestRouteFields: route and URL fields are checked structurally whatever
// allowed_keys says; templates and look-alike segments pass unchanged.
func TestRouteFields(t *testing.T) {
	cfg := strictCfg()
	p := newTestProcessor(t, cfg)
	tok := p.e.getState().h.token("u-555")
	cases := []struct{ key, in, want string }{
		{"http.route", "/users/jane.doe@example.com/orders/4111111111111111", "/users/{email}/orders/{card}"},
		{"http.route", "/users/{id}/orders/{orderId}", "/users/{id}/orders/{orderId}"},
		{"http.route", "/users/:id/files/*", "/users/:id/files/*"},
		{"http.route", "/api/v1/users/4711", "/api/v1/users/{id}"},
		{"http.route", "/api/v2.1/oauth2/s3/sha256/token", "/api/v2.1/oauth2/s3/sha256/token"},
		{"http.route", "/users/user-4711/profile", "/users/{id}/profile"},
		{"http.route", "/items/550e8400-e29b-41d4-a716-446655440000", "/items/{id}"},
		{"http.route", "/reports/2026-11-28", "/reports/2026-11-28"},
		{"http.route", "/call/+14155552671", "/call/{phone}"},
		{"http.route", "/ssn/123-45-6789", "/ssn/{ssn}"},
		{"http.route", "/u/jane.doe%40example.com", "/u/{email}"},
		{"http.route", "/s/eyJhbGciOiJIUzI1NiJ9AbCdEfGhIjKlMnOpQrStUv", "/s/{token}"},
		{"url.full", "https://shop.example.com/api/orders?user_id=u-555&page=2", "https://shop.example.com/api/orders?user_id=" + tok + "&page=2"},
		{"url.full", "https://shop.example.com/p?q=jane%40example.com&sort=name", "https://shop.example.com/p?q={email}&sort=name"},
		{"url.full", "https://shop.example.com/cb#access_token=abcDEF123456789xyz&state=1", "https://shop.example.com/cb#access_token=[REDACTED:query_param]&state=1"},
		{"url.full", "https://shop.example.com/a?ref=cus_8f3k2x9", "https://shop.example.com/a?ref={id}"},
		{"http.url", "http://x.example.com/?ts=1700000000123&limit=50", "http://x.example.com/?ts=1700000000123&limit=50"},
		{"url.query", "uid=u-555&session=abc123def456", "uid=" + tok + "&session=[REDACTED:query_param]"},
		{"url.path", "/u/4111-1111-1111-1111/x", "/u/{card}/x"},
		{"http.target", "/search?email=jane@example.com", "/search?email=[REDACTED:query_param]"},
		{"endpoint", "GET /users/jane@example.com", "GET /users/{email}"},
	}
	for _, c := range cases {
		ld, lr := oneLog()
		lr.Attributes().PutStr(c.key, c.in)
		out := runLogs(t, cfg, ld)
		got, _ := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get(c.key)
		if got.Str() != c.want {
			t.Errorf("%s=%q: got %q, want %q", c.key, c.in, got.Str(), c.want)
		}
	}
}

// TestRouteFieldsOff: route_fields: [] restores the old trust in allowed_keys.
func TestRouteFieldsOff(t *testing.T) {
	cfg := strictCfg()
	cfg.RouteFields = []string{}
	ld, lr := oneLog()
	lr.Attributes().PutStr("http.route", "/users/4711")
	out := runLogs(t, cfg, ld)
	got, _ := out.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get("http.route")
	if got.Str() != "/users/4711" {
		t.Errorf("got %q", got.Str())
	}
}

func TestSpanAndMetricNames(t *testing.T) {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("GET /users/jane.doe@example.com/orders/4111111111111111")
	out := runTraces(t, strictCfg(), td)
	if got := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name(); got != "GET /users/{email}/orders/{card}" {
		t.Errorf("span name %q", got)
	}

	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	ms.AppendEmpty().SetName("signup.jane.doe@example.com.count")
	ms.AppendEmpty().SetName("http.server.request.duration")
	ms.AppendEmpty().SetName("requests /users/4711")
	om := runMetrics(t, strictCfg(), md).ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i, want := range []string{"[REDACTED:email]", "http.server.request.duration", "requests /users/{id}"} {
		if got := om.At(i).Name(); got != want {
			t.Errorf("metric name %d = %q, want %q", i, got, want)
		}
	}
}

// TestAttributeKeys: a key that is data is renamed; the value stays.
func TestAttributeKeys(t *testing.T) {
	ld, lr := oneLog()
	lr.Attributes().PutInt("jane.doe@example.com", 3)
	lr.Attributes().PutStr("http.request.method", "GET")
	n := lr.Body().SetEmptyMap().PutEmptyMap("visits")
	n.PutInt("bob@example.com", 1)
	n.PutInt("page2", 7)
	out := runLogs(t, strictCfg(), ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if _, ok := out.Attributes().Get("jane.doe@example.com"); ok {
		t.Error("e-mail key kept")
	}
	if v, ok := out.Attributes().Get("[REDACTED:email]"); !ok || v.Int() != 3 {
		t.Errorf("renamed key: %v %v", v.AsString(), ok)
	}
	if _, ok := out.Attributes().Get("http.request.method"); !ok {
		t.Error("ordinary key lost")
	}
	visits, _ := out.Body().Map().Get("visits")
	if _, ok := visits.Map().Get("bob@example.com"); ok {
		t.Error("nested e-mail key kept")
	}
	if v, ok := visits.Map().Get("page2"); !ok || v.Int() != 7 {
		t.Error("page2 changed")
	}
}

func TestCookies(t *testing.T) {
	ld, lr := oneLog()
	lr.Attributes().PutStr("http.request.header.cookie", "session=abc123; theme=dark; _ga=GA1.2.3")
	lr.Attributes().PutEmptySlice("http.response.header.set-cookie").AppendEmpty().SetStr("sid=xyz987; Path=/; HttpOnly; Secure")
	lr.Attributes().PutStr("Cookie", "rawvalue")
	out := runLogs(t, strictCfg(), ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
	get := func(k string) string { v, _ := out.Get(k); return v.AsString() }
	if got := get("http.request.header.cookie"); got != "session=[REDACTED:cookie]; theme=[REDACTED:cookie]; _ga=[REDACTED:cookie]" {
		t.Errorf("cookie %q", got)
	}
	if got := get("http.response.header.set-cookie"); got != `["sid=[REDACTED:cookie]; Path=/; HttpOnly; Secure"]` {
		t.Errorf("set-cookie %q", got)
	}
	if got := get("Cookie"); got != "[REDACTED:cookie]" {
		t.Errorf("bare cookie %q", got)
	}
	// Minimal mode keeps contact data, never cookies.
	cfg := createDefaultConfig()
	cfg.Mode = ModeMinimal
	ld2, lr2 := oneLog()
	lr2.Attributes().PutStr("cookie", "session=abc123")
	out2 := runLogs(t, cfg, ld2).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
	if v, _ := out2.Get("cookie"); strings.Contains(v.Str(), "abc123") {
		t.Errorf("minimal kept cookie %q", v.Str())
	}
}

// TestSelfMentions: a record's own identifier in its other strings becomes
// the same token as the identifier field; a pii_fields value the placeholder.
func TestSelfMentions(t *testing.T) {
	cfg := strictCfg()
	p := newTestProcessor(t, cfg)
	tok := p.e.getState().h.token("user-4711")

	ld, lr := oneLog()
	lr.Attributes().PutStr("user.id", "user-4711")
	lr.Attributes().PutStr("phone", "4155552671")
	lr.Attributes().PutStr("exception.message", "no cart for user-4711 (user-47110 is another one)")
	lr.Attributes().PutStr("exception.stacktrace", "at load(user-4711)\nsms to 4155552671 failed")
	lr.Attributes().PutStr("url.full", "https://x.example.com/p?ref=user-4711")
	lr.Body().SetStr("checkout failed for user-4711")
	out := runLogs(t, cfg, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	get := func(k string) string { v, _ := out.Attributes().Get(k); return v.AsString() }
	if got := get("user.id"); got != tok {
		t.Fatalf("user.id %q", got)
	}
	if got := out.Body().Str(); got != "checkout failed for "+tok {
		t.Errorf("body %q", got)
	}
	if got := get("exception.message"); got != "no cart for "+tok+" (user-47110 is another one)" {
		t.Errorf("message %q", got)
	}
	if got := get("exception.stacktrace"); got != "at load("+tok+")\nsms to [REDACTED:pii_field] failed" {
		t.Errorf("stack %q", got)
	}
	if got := get("url.full"); strings.Contains(got, "user-4711") {
		t.Errorf("url %q", got)
	}

	// Spans: event attributes and the status message get the token, the
	// name (a metric label) {id}; a resource's identifier covers its spans.
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("enduser.id", "user-4711")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("load cart user-4711")
	sp.Status().SetMessage("timeout for user-4711")
	sp.Events().AppendEmpty().Attributes().PutStr("exception.message", "user-4711 not found")
	// A second resource without the id keeps its text.
	rs2 := td.ResourceSpans().AppendEmpty()
	sp2 := rs2.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp2.Status().SetMessage("timeout for user-4711")
	ot := runTraces(t, cfg, td)
	osp := ot.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	if osp.Name() != "load cart {id}" || osp.Status().Message() != "timeout for "+tok {
		t.Errorf("span %q %q", osp.Name(), osp.Status().Message())
	}
	if v, _ := osp.Events().At(0).Attributes().Get("exception.message"); v.Str() != tok+" not found" {
		t.Errorf("event %q", v.Str())
	}
	if m := ot.ResourceSpans().At(1).ScopeSpans().At(0).Spans().At(0).Status().Message(); m != "timeout for user-4711" {
		t.Errorf("other resource changed: %q", m)
	}

	// Metrics: data point attributes.
	md := pmetric.NewMetrics()
	dp := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptySum().DataPoints().AppendEmpty()
	dp.Attributes().PutInt("customer_id", 98765)
	dp.Attributes().PutStr("note", "limit hit by 98765")
	om := runMetrics(t, cfg, md)
	attrs := om.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes()
	if v, _ := attrs.Get("note"); v.Str() != "limit hit by "+p.e.getState().h.token("98765") {
		t.Errorf("metric note %q", v.Str())
	}
}

// TestSelfMentionsNotWithoutHashing: minimal mode keeps identifiers, and so
// their mentions.
func TestSelfMentionsNotWithoutHashing(t *testing.T) {
	cfg := strictCfg()
	cfg.Mode = ModeMinimal
	ld, lr := oneLog()
	lr.Attributes().PutStr("user.id", "user-4711")
	lr.Body().SetStr("failed for user-4711")
	out := runLogs(t, cfg, ld).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if out.Body().Str() != "failed for user-4711" {
		t.Errorf("body %q", out.Body().Str())
	}
}
