package detect

import (
	"strings"
	"testing"
)

func TestNextDigit(t *testing.T) {
	for _, s := range []string{"", "abc", "abcdefgh1", "12", "abcdefghijklmnop/x", "é9", "\xff\xff\xff\xff\xff\xff\xff\xff5", strings.Repeat("a", 17) + "7z"} {
		for i := 0; i <= len(s); i++ {
			want := len(s)
			for j := i; j < len(s); j++ {
				if isDigit(s[j]) {
					want = j
					break
				}
			}
			if got := nextDigit(s, i); got != want {
				t.Errorf("nextDigit(%q, %d) = %d, want %d", s, i, got, want)
			}
			want = len(s)
			for j := i; j < len(s); j++ {
				if c := s[j]; c >= '-' && c <= ':' {
					want = j
					break
				}
			}
			if got := nextNumberByte(s, i); got != want {
				t.Errorf("nextNumberByte(%q, %d) = %d, want %d", s, i, got, want)
			}
		}
	}
	// Every byte value, at every position of a word.
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 9; pos++ {
			b := []byte("aaaaaaaaa")
			b[pos] = byte(c)
			s := string(b)
			want := len(s)
			if isDigit(byte(c)) {
				want = pos
			}
			if got := nextDigit(s, 0); got != want {
				t.Fatalf("nextDigit with byte %#x at %d = %d, want %d", c, pos, got, want)
			}
			want = len(s)
			if c >= '-' && c <= ':' {
				want = pos
			}
			if got := nextNumberByte(s, 0); got != want {
				t.Fatalf("nextNumberByte with byte %#x at %d = %d, want %d", c, pos, got, want)
			}
		}
	}
}

func TestAtLeastDigits(t *testing.T) {
	for _, s := range []string{"", "a1", "okey-dokey-0", "1.2.3.4", "abcdefgh12345678xyz9", "\xff9\xff9\xff9\xff9\xff9", "2024-01-15T10:30:45Z"} {
		n := 0
		for i := 0; i < len(s); i++ {
			if isDigit(s[i]) {
				n++
			}
		}
		for want := 0; want <= n+1; want++ {
			if got := atLeastDigits(s, want); got != (n >= want) {
				t.Errorf("atLeastDigits(%q, %d) = %v, has %d", s, want, got, n)
			}
		}
	}
}

func BenchmarkNextDigit(b *testing.B) {
	s := strings.Repeat("the quick brown fox jumps over the lazy dog ", 8) + "1"
	b.ReportAllocs()
	for b.Loop() {
		if nextDigit(s, 0) != len(s)-1 {
			b.Fatal("wrong")
		}
	}
	b.SetBytes(int64(len(s)))
}
