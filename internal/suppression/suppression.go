// Package suppression is the in-memory suppression list of the data-rights extension, read by the
// consent processor (records in the pipeline) and the telemetry_storage exporter (records leaving
// the persistent queue). A record is suppressed when its tenant and user id name a subject whose
// data was ordered deleted.
//
// Entries are keyed by a subject pseudonym, HMAC-SHA256(subject key, "dsr\x00" + token) where
// token is the pii_redaction token of the user id (internal/idhash) and the subject key is derived
// from the hash key, so one entry matches the raw id (before pii_redaction, or in minimal mode) and
// the token (after it) alike, and the list in ClickHouse holds neither.
package suppression // import "github.com/otelcol-telemetry/otelcol-telemetry/internal/suppression"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-telemetry/otelcol-telemetry/internal/idhash"
)

// SubjectPrefix starts every subject pseudonym.
const SubjectPrefix = "dsr:"

// subjectLen is SubjectPrefix and 32 hex digits.
const subjectLen = len(SubjectPrefix) + 32

// Entry is one suppressed subject of one tenant. Times are unix milliseconds.
type Entry struct {
	Tenant    string
	Subject   string
	RequestID string
	// Since is when the deletion request was accepted; records are suppressed from then on,
	// whatever their own timestamp (data acknowledged earlier may still be queued).
	Since int64
	// Lifted, when not 0, is the time of the user's first explicit consent grant after Since:
	// records at or after it are kept (a new relationship); earlier ones stay suppressed.
	Lifted int64
}

// Suppresses reports whether a record of the entry's subject at atMs (unix ms) must be dropped.
func (e Entry) Suppresses(atMs int64) bool { return e.Lifted == 0 || atMs < e.Lifted }

type snapshot map[string]map[string]Entry // tenant -> subject -> entry

// List is safe for concurrent use. Reads take no lock: writers replace an immutable snapshot
// (writes are rare: one per deletion request or refresh that changed something).
type List struct {
	snap    atomic.Pointer[snapshot]
	mu      sync.Mutex // serialises writers
	hashers sync.Pool

	// memo remembers the subject of recently seen user ids: a busy user's records then cost a map
	// lookup instead of two HMACs. Cleared when it reaches memoMax.
	memoMu sync.RWMutex
	memo   map[string][subjectLen]byte
}

// memoMax bounds the memo (about 100 bytes an entry).
const memoMax = 1 << 16

type hashers struct {
	token *idhash.Hasher
	mac   hash.Hash
	buf   []byte
	sum   [sha256.Size]byte
}

// NewList returns an empty list; key is the pii_redaction hash key (at least 32 bytes).
func NewList(key []byte) (*List, error) {
	if len(key) == 0 {
		return nil, fmt.Errorf("suppression: empty hash key")
	}
	k := append([]byte(nil), key...)
	sk := subjectKey(k)
	l := &List{}
	l.hashers.New = func() any { return &hashers{token: idhash.New(k), mac: hmac.New(sha256.New, sk)} }
	empty := snapshot{}
	l.snap.Store(&empty)
	return l, nil
}

// subjectKey derives the key of subject pseudonyms from the hash key. Not an HMAC under the hash
// key: its outputs are the tokens of values anyone can send, so one chosen id would reveal it.
func subjectKey(key []byte) []byte {
	h := sha256.New()
	h.Write([]byte("otelcol-telemetry subject key v1\x00"))
	h.Write(key)
	return h.Sum(nil)
}

// Subject returns the pseudonym of a user id given raw or as a pii_redaction token.
func (l *List) Subject(value string) string {
	h := l.hashers.Get().(*hashers)
	defer l.hashers.Put(h)
	return string(h.appendSubject(make([]byte, 0, subjectLen), value))
}

// Token returns the pii_redaction token of a raw user id.
func (l *List) Token(raw string) string {
	h := l.hashers.Get().(*hashers)
	defer l.hashers.Put(h)
	return h.token.Token(raw)
}

func (h *hashers) appendSubject(dst []byte, value string) []byte {
	h.buf = h.buf[:0]
	h.buf = append(h.buf, "dsr\x00"...)
	if idhash.IsToken(value) {
		h.buf = append(h.buf, value...)
	} else {
		h.buf = h.token.AppendToken(h.buf, value)
	}
	h.mac.Reset()
	_, _ = h.mac.Write(h.buf)
	sum := h.mac.Sum(h.sum[:0])
	dst = append(dst, SubjectPrefix...)
	return hex.AppendEncode(dst, sum[:16])
}

// Empty reports whether nothing is suppressed, so callers skip the per-record work.
func (l *List) Empty() bool { return len(*l.snap.Load()) == 0 }

// Len is the number of entries.
func (l *List) Len() int {
	n := 0
	for _, m := range *l.snap.Load() {
		n += len(m)
	}
	return n
}

// Check reports whether a record of tenant whose user id is value (raw or token) at atMs must be
// dropped. Tenants without entries cost one map lookup; others one or two HMACs, no allocation.
func (l *List) Check(tenant, value string, atMs int64) bool {
	if value == "" {
		return false
	}
	m, ok := (*l.snap.Load())[tenant]
	if !ok || len(m) == 0 {
		return false
	}
	subject := l.memoSubject(value)
	e, ok := m[string(subject[:])]
	return ok && e.Suppresses(atMs)
}

func (l *List) memoSubject(value string) [subjectLen]byte {
	l.memoMu.RLock()
	s, ok := l.memo[value]
	l.memoMu.RUnlock()
	if ok {
		return s
	}
	h := l.hashers.Get().(*hashers)
	h.appendSubject(s[:0], value)
	l.hashers.Put(h)
	l.memoMu.Lock()
	if len(l.memo) >= memoMax || l.memo == nil {
		l.memo = make(map[string][subjectLen]byte, 1024)
	}
	l.memo[value] = s
	l.memoMu.Unlock()
	return s
}

// Get returns the entry of a subject.
func (l *List) Get(tenant, subject string) (Entry, bool) {
	e, ok := (*l.snap.Load())[tenant][subject]
	return e, ok
}

// Put adds or replaces entries.
func (l *List) Put(entries ...Entry) {
	if len(entries) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := *l.snap.Load()
	next := make(snapshot, len(old)+1)
	for t, m := range old {
		next[t] = m
	}
	copied := map[string]bool{}
	for _, e := range entries {
		if !copied[e.Tenant] {
			m := make(map[string]Entry, len(next[e.Tenant])+1)
			for k, v := range next[e.Tenant] {
				m[k] = v
			}
			next[e.Tenant] = m
			copied[e.Tenant] = true
		}
		next[e.Tenant][e.Subject] = e
	}
	l.snap.Store(&next)
}

// Provider is implemented by the data-rights extension.
type Provider interface {
	SuppressionList() *List
}

// FromHost returns the list of the one data-rights extension among the host's extensions, nil when
// none is configured (nothing is suppressed), and an error when there are several (which one a
// component should obey would be a guess).
func FromHost(host component.Host) (*List, error) {
	var (
		found *List
		id    component.ID
		n     int
	)
	for eid, ext := range host.GetExtensions() {
		p, ok := ext.(Provider)
		if !ok {
			continue
		}
		n++
		found, id = p.SuppressionList(), eid
	}
	switch {
	case n > 1:
		return nil, fmt.Errorf("%d data-rights extensions are configured; at most one is supported", n)
	case n == 1 && found == nil:
		return nil, fmt.Errorf("data-rights extension %q has not started", id)
	}
	return found, nil
}
