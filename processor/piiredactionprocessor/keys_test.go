package piiredactionprocessor

import "testing"

// The key filter may only skip lookups of keys that are not in the map:
// every configured key must pass it, whatever its length or last byte.
func TestKeyFilterNeverRejectsAMember(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.HashIdentifiers = true
	cfg.AllowedKeys = append(cfg.AllowedKeys, "", "x", "a.very.long.key.name.that.is.longer.than.sixty.three.bytes.in.total")
	e := newEngine(cfg)
	for k := range e.keyFlags {
		if !e.flagKeys.mayHave([]byte(k)) {
			t.Errorf("flag filter rejects %q", k)
		}
	}
	for k := range e.loose {
		if !e.looseKeys.mayHave([]byte(k)) {
			t.Errorf("loose filter rejects %q", k)
		}
	}
	if e.looseKeys.mayHave([]byte("httprequestmethod")) && e.looseKeys.mayHave([]byte("method")) {
		t.Error("filter passes common non-member keys: it filters nothing")
	}
}
