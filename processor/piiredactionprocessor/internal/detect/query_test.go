package detect

import "testing"

func TestQueryParam(t *testing.T) {
	run(t, QueryParam{}, []string{
		"GET /login?token=«abc123»&next=/home",
		"https://x.example/cb?code=ok&access_token=«ya29.a0Af»#frag",
		"/reset?email=«bob%40example.com»",
		"?Password=«hunter2»",
		"/s3/obj?X-Amz-Signature=«fe5f80f77d5fa3beca038a248ff027»&X-Amz-Expires=300",
		"url=/api?a=1;sid=«s%3Aabc»;b=2",
		"/a?api_key=«K1»&key=«K2» end",
		// look-alikes
		"/search?q=password&page=2",
		"/login?token=",
		"/login?token=[REDACTED:query_param]",
		"is it ok? token=abc",
		"/api/v1/tokens/123",
		"/items?id=5&sort=desc",
	})
}
