package telemetrystorageexporter

import (
	"encoding/hex"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attribute keys that become first-class columns.
const (
	attrTenantID    = "tenant.id"
	attrUserID      = "user.id"
	attrEndUserID   = "enduser.id"
	attrSessionID   = "session.id"
	attrServiceName = "service.name"
	attrEventName   = "event.name"

	defaultTenant = "default"
)

// tenantOf reads tenant.id from the resource; everything without one belongs
// to the "default" tenant so tenant-scoped queries never miss rows.
func tenantOf(res pcommon.Map) string {
	if v, ok := res.Get(attrTenantID); ok {
		if s := v.AsString(); s != "" {
			return s
		}
	}
	return defaultTenant
}

// firstAttr returns the first non-empty value of keys, looking in the
// record's attributes before the resource's.
func firstAttr(attrs, res pcommon.Map, keys ...string) string {
	for _, m := range [2]pcommon.Map{attrs, res} {
		for _, k := range keys {
			if v, ok := m.Get(k); ok {
				if s := v.AsString(); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

func userOf(attrs, res pcommon.Map) string {
	return firstAttr(attrs, res, attrUserID, attrEndUserID)
}

func sessionOf(attrs, res pcommon.Map) string {
	return firstAttr(attrs, res, attrSessionID)
}

func serviceOf(res pcommon.Map) string {
	if v, ok := res.Get(attrServiceName); ok {
		return v.AsString()
	}
	return ""
}

func traceIDHex(id pcommon.TraceID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

func spanIDHex(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// kvMap is one Map(String, String) value backed by windows into a kvArena.
// It implements column.IterableOrderedMap so the driver appends it without
// building a Go map per row; it is its own iterator (single use per append).
type kvMap struct {
	keys []any // strings, interned by the arena (see kvArena.key)
	vals []string
	i    int
}

var _ column.IterableOrderedMap = (*kvMap)(nil)

// Put is required by the interface; rows are built by kvArena, never via Put.
func (m *kvMap) Put(_, _ any) {}

func (m *kvMap) Iterator() column.MapIterator { m.i = -1; return m }
func (m *kvMap) Next() bool                   { m.i++; return m.i < len(m.keys) }
func (m *kvMap) Key() any                     { return m.keys[m.i] }

// Value is a pointer into the arena (the driver's String column reads *string): a string put into
// an interface would be one allocation per attribute value of every row.
func (m *kvMap) Value() any { return &m.vals[m.i] }

// kvArenaChunk bounds how many kvMaps share one allocation; chunks are never
// reallocated so *kvMap stays valid while the batch is built.
const kvArenaChunk = 256

// kvArena stores the keys and values of every map of a batch in two flat
// slices: one allocation per growth instead of one map per row. Values are
// pcommon.Value.AsString (strings as-is, numbers formatted, maps and slices
// as JSON) so the stored text is exactly what was sent.
type kvArena struct {
	keys   []any
	vals   []string
	chunks [][]kvMap
	n      int
	// interned holds each attribute key seen as an interface value, so a key costs no allocation
	// per row (the driver takes map keys as `any`; attribute names repeat across rows and batches).
	// Bounded: emptied at maxInternedKeys, so hostile keys cannot grow it.
	interned map[string]any
}

const maxInternedKeys = 4096

func (a *kvArena) key(k string) any {
	if v, ok := a.interned[k]; ok {
		return v
	}
	if a.interned == nil || len(a.interned) >= maxInternedKeys {
		a.interned = make(map[string]any, 64)
	}
	k = strings.Clone(k) // outlives the batch: must not hold on to its buffers
	v := any(k)
	a.interned[k] = v
	return v
}

func (a *kvArena) add(m pcommon.Map) *kvMap {
	start := len(a.keys)
	for k, v := range m.All() {
		a.keys = append(a.keys, a.key(k))
		a.vals = append(a.vals, v.AsString())
	}
	km := a.alloc()
	end := len(a.keys)
	km.keys = a.keys[start:end:end]
	km.vals = a.vals[start:end:end]
	return km
}

func (a *kvArena) alloc() *kvMap {
	c, i := a.n/kvArenaChunk, a.n%kvArenaChunk
	if c == len(a.chunks) {
		a.chunks = append(a.chunks, make([]kvMap, kvArenaChunk))
	}
	a.n++
	return &a.chunks[c][i]
}

// reset keeps capacity for the next batch but drops references to the
// previous batch's strings.
func (a *kvArena) reset() {
	clear(a.keys)
	clear(a.vals)
	a.keys, a.vals = a.keys[:0], a.vals[:0]
	for c := 0; c*kvArenaChunk < a.n && c < len(a.chunks); c++ {
		clear(a.chunks[c])
	}
	a.n = 0
}

// bytes is the text of the map's keys and values, for the INSERT size estimate (split.go).
func (m *kvMap) bytes() int {
	if m == nil {
		return 0
	}
	n := 0
	for i, k := range m.keys {
		n += len(k.(string)) + len(m.vals[i]) + 2
	}
	return n
}
