package detect

import "testing"

func TestBearer(t *testing.T) {
	run(t, Bearer{}, []string{
		"Authorization: Bearer «mF_9.B5f-4.1JqM»",
		"bearer «0b79bab50daca910b000d4f1a2b675d604257e42»",
		"BEARER «AbCdEfGhIjKlMnOpQrStUv»",
		"Authorization: Basic «dXNlcjpwYXNzd29yZA==»",
		"auth=Bearer: «abc123def456ghi»",
		// look-alikes
		"Bearer authentication failed",
		"bearer token missing",
		"Bearer <token>",
		"Bearer [REDACTED:jwt]",
		"basic authentication required",
		"Basic dGhpcyBpcyBub3QgYSBjcmVk",
		"the bearer of bad news 12",
		"Bearer short1",
	})
}
