package detect

import "testing"

func TestQueryID(t *testing.T) {
	run(t, QueryID{}, []string{
		"GET /api/orders?user_id=«u-555»&page=2 failed",
		"https://x.example.com/p?a=1&userId=«4711»",
		"/p?uid=«jane%40example.com»#top",
		"/p?customer.id=«cus_8f3k2»;account=«acc-1»",
		"/p?session_id=abc123def456",      // a credential: QueryParam's
		"/p?user=&page=2",                 // empty
		"user_id=u-555 outside a query",   // no '?': an assignment, not a URL
		"/p?user_id=[REDACTED:query_id]",  // already done
		"/p?userid_hint=u-555&ref=user-1", // other names
	})
}
