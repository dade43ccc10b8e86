package chschema

import (
	"errors"
	"testing"
)

func TestNotCreatedYet(t *testing.T) {
	f := func(msg string, want bool) {
		t.Helper()
		if got := NotCreatedYet(errors.New(msg)); got != want {
			t.Errorf("NotCreatedYet(%q) = %v, want %v", msg, got, want)
		}
	}
	f("Code: 60. DB::Exception: Table x does not exist", true)
	f(`sendQuery: [HTTP 500] response body: "Code: 81. DB::Exception: Database e2e_1 does not exist. (UNKNOWN_DATABASE)"`, true)
	f("Code: 241. DB::Exception: Memory limit exceeded", false)
	f("dial tcp: connection refused", false)
}
