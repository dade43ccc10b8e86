package suppression

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
)

const testKey = "0123456789abcdef0123456789abcdef"

func TestSubjectMatchesRawAndToken(t *testing.T) {
	l, err := NewList([]byte(testKey))
	require.NoError(t, err)
	tok := idhash.New([]byte(testKey)).Token("user-a")
	s := l.Subject("user-a")
	assert.True(t, strings.HasPrefix(s, SubjectPrefix))
	assert.Len(t, s, subjectLen)
	assert.Equal(t, s, l.Subject(tok), "raw id and its token name one subject")
	assert.Equal(t, tok, l.Token("user-a"))
	assert.NotEqual(t, s, l.Subject("user-b"))
	assert.NotContains(t, s, strings.TrimPrefix(tok, idhash.Prefix), "the subject is not the token")
}

func TestCheck(t *testing.T) {
	l, err := NewList([]byte(testKey))
	require.NoError(t, err)
	assert.True(t, l.Empty())
	assert.False(t, l.Check("acme", "user-a", 100))
	l.Put(Entry{Tenant: "acme", Subject: l.Subject("user-a"), Since: 1000})
	assert.False(t, l.Empty())
	assert.Equal(t, 1, l.Len())
	f := func(tenant, value string, at int64, want bool) {
		t.Helper()
		assert.Equal(t, want, l.Check(tenant, value, at), "%s %s %d", tenant, value, at)
	}
	f("acme", "user-a", 500, true) // queued before the request: still suppressed
	f("acme", "user-a", 5000, true)
	f("acme", l.Token("user-a"), 5000, true)
	f("acme", "user-b", 5000, false)
	f("globex", "user-a", 5000, false) // per tenant
	f("acme", "", 5000, false)
	// A later consent grant lifts the suppression for records from then on.
	l.Put(Entry{Tenant: "acme", Subject: l.Subject("user-a"), Since: 1000, Lifted: 3000})
	f("acme", "user-a", 2999, true)
	f("acme", "user-a", 3000, false)
	assert.Equal(t, 1, l.Len())
}

func TestFromHost(t *testing.T) {
	l, err := NewList([]byte(testKey))
	require.NoError(t, err)
	got, err := FromHost(host{})
	assert.NoError(t, err)
	assert.Nil(t, got)
	got, err = FromHost(host{component.MustNewID("data_rights"): provider{l}})
	assert.NoError(t, err)
	assert.Same(t, l, got)
	_, err = FromHost(host{component.MustNewID("data_rights"): provider{nil}})
	assert.ErrorContains(t, err, "has not started")
	_, err = FromHost(host{component.MustNewID("data_rights"): provider{l}, component.MustNewIDWithName("data_rights", "b"): provider{l}})
	assert.ErrorContains(t, err, "at most one")
}

type host map[component.ID]component.Component

func (h host) GetExtensions() map[component.ID]component.Component { return h }

type provider struct{ l *List }

func (provider) Start(_ context.Context, _ component.Host) error { return nil }
func (provider) Shutdown(context.Context) error                  { return nil }
func (p provider) SuppressionList() *List                        { return p.l }

var _ extension.Extension = provider{}

func BenchmarkCheck(b *testing.B) {
	l, _ := NewList([]byte(testKey))
	l.Put(Entry{Tenant: "acme", Subject: l.Subject("user-a"), Since: 1})
	b.Run("tenant_without_entries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Check("globex", "user-b", 2)
		}
	})
	b.Run("raw_id", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Check("acme", "user-b", 2)
		}
	})
	b.Run("token", func(b *testing.B) {
		tok := l.Token("user-b")
		b.ReportAllocs()
		for b.Loop() {
			_ = l.Check("acme", tok, 2)
		}
	})
}
