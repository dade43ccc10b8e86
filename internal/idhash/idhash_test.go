package idhash

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("user-4711"))
	want := Prefix + hex.EncodeToString(mac.Sum(nil)[:16])
	h := New(key)
	assert.Equal(t, want, h.Token("user-4711"))
	assert.Equal(t, want, h.Token("user-4711"), "stable across calls")
	assert.NotEqual(t, want, New([]byte("another key, also 32 bytes long!")).Token("user-4711"))
	assert.True(t, IsToken(want))
	assert.Nil(t, New(nil))
}

func TestIsToken(t *testing.T) {
	assert.False(t, IsToken("hmac:"))
	assert.False(t, IsToken("hmac:0123456789ABCDEF0123456789abcdef"), "upper case is not ours")
	assert.False(t, IsToken("hmac:0123456789abcdef0123456789abcdeg"))
	assert.False(t, IsToken("user-4711"))
	assert.True(t, IsToken("hmac:0123456789abcdef0123456789abcdef"))
}

func BenchmarkToken(b *testing.B) {
	h := New([]byte("0123456789abcdef0123456789abcdef"))
	var buf [TokenLen]byte
	b.ReportAllocs()
	for b.Loop() {
		_ = h.AppendToken(buf[:0], "user-4711")
	}
}
