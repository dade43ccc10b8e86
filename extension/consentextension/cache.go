package consentextension

import "sync"

// entry is the cached state of one (tenant, user, purpose). It is kept small (24 bytes) because a
// store holds millions: source and policy version are interned, the purpose is an index.
type entry struct {
	updated int64  // unix milliseconds of the change; the newest change wins
	source  uint32 // interned
	version uint32 // interned policy version
	purpose uint8  // index into Config.Purposes
	status  Status
}

// change is one consent row, read from ClickHouse or written through the API.
type change struct {
	tenant, user  string
	purpose       uint8
	status        Status
	updated       int64 // unix milliseconds
	source        string
	policyVersion string
}

// table is one generation of cached consents: tenant -> user -> entries (one per purpose with a
// record). Two levels keyed by plain strings let the per-record check look up strings taken from
// pdata without building a composite key (no allocation).
type table struct {
	tenants map[string]map[string][]entry
	n       int // entries
}

func newTable() *table { return &table{tenants: map[string]map[string][]entry{}} }

type applyResult uint8

const (
	applied  applyResult = iota
	stale                // an equal or newer change is already cached
	overflow             // the change would add an entry beyond max_entries
	numApplyResults
)

var applyResultNames = [numApplyResults]string{"applied", "stale", "overflow"}

// newer orders two changes of one key: the later time wins; on a tie (two collectors in the same
// millisecond) the more restrictive status wins, so every store picks the same one.
func newer(updated int64, st Status, e entry) bool {
	return updated > e.updated || (updated == e.updated && st > e.status)
}

// apply records c in t unless t holds a newer change; max bounds t.n.
func (t *table) apply(c change, src, ver uint32, max int) applyResult {
	users := t.tenants[c.tenant]
	if users == nil {
		if t.n >= max {
			return overflow
		}
		users = map[string][]entry{}
		t.tenants[c.tenant] = users
	}
	es := users[c.user]
	for i := range es {
		if es[i].purpose != c.purpose {
			continue
		}
		if !newer(c.updated, c.status, es[i]) {
			return stale
		}
		es[i] = entry{updated: c.updated, source: src, version: ver, purpose: c.purpose, status: c.status}
		return applied
	}
	if t.n >= max {
		return overflow
	}
	// Exact-size growth: most users have one entry per purpose and never more.
	grown := make([]entry, len(es)+1)
	copy(grown, es)
	grown[len(es)] = entry{updated: c.updated, source: src, version: ver, purpose: c.purpose, status: c.status}
	users[c.user] = grown
	t.n++
	return applied
}

func (t *table) lookup(tenant, user string, purpose uint8) (entry, bool) {
	for _, e := range t.tenants[tenant][user] {
		if e.purpose == purpose {
			return e, true
		}
	}
	return entry{}, false
}

// interner stores each distinct source and policy version once. It only grows; maxInterned bounds
// it against a flood of distinct values (beyond it values are cached as "", ClickHouse keeps them).
type interner struct {
	mu    sync.Mutex
	ids   map[string]uint32
	names []string
}

const maxInterned = 1 << 16

func newInterner() *interner { return &interner{ids: map[string]uint32{"": 0}, names: []string{""}} }

func (in *interner) id(s string) uint32 {
	in.mu.Lock()
	defer in.mu.Unlock()
	if id, ok := in.ids[s]; ok {
		return id
	}
	if len(in.names) >= maxInterned {
		return 0
	}
	id := uint32(len(in.names))
	in.ids[s] = id
	in.names = append(in.names, s)
	return id
}

func (in *interner) name(id uint32) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	if int(id) < len(in.names) {
		return in.names[id]
	}
	return ""
}

// cache is the store's memory: the current table behind a RWMutex (many record checks, few
// writers), and while a full reload builds the next table, the changes applied meanwhile so the
// swap does not lose them.
type cache struct {
	mu         sync.RWMutex
	tab        *table
	incomplete bool // max_entries was hit: records may be missing
	pending    []change
	forgotten  [][2]string // (tenant, user) erased while reloading
	reloading  bool

	max  int
	strs *interner
}

func newCache(max int) *cache {
	return &cache{tab: newTable(), max: max, strs: newInterner()}
}

// lookup is the hot path: one read lock, two map lookups, a scan of at most a few entries.
func (c *cache) lookup(tenant, user string, purpose uint8) (Status, bool) {
	c.mu.RLock()
	var st Status
	for _, e := range c.tab.tenants[tenant][user] {
		if e.purpose == purpose {
			st = e.status
			break
		}
	}
	incomplete := c.incomplete
	c.mu.RUnlock()
	return st, incomplete
}

// get returns a copy of the user's entries.
func (c *cache) get(tenant, user string) []entry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	es := c.tab.tenants[tenant][user]
	out := make([]entry, len(es))
	copy(out, es)
	return out
}

func (c *cache) apply(batch []change, results *[numApplyResults]int64) {
	ids := make([][2]uint32, len(batch))
	for i, ch := range batch {
		ids[i] = [2]uint32{c.strs.id(ch.source), c.strs.id(ch.policyVersion)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, ch := range batch {
		r := c.tab.apply(ch, ids[i][0], ids[i][1], c.max)
		if r == overflow {
			c.incomplete = true
		}
		if c.reloading {
			c.pending = append(c.pending, ch)
		}
		if results != nil {
			results[r]++
		}
	}
}

// forget removes every cached entry of the user (an erasure): the user is as if never recorded.
func (c *cache) forget(tenant, user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	users := c.tab.tenants[tenant]
	if es, ok := users[user]; ok {
		c.tab.n -= len(es)
		delete(users, user)
	}
	// A reload in progress may still read the user's rows (not yet deleted in ClickHouse): drop
	// pending changes of the user so they are not replayed, and forget again when it finishes.
	kept := c.pending[:0]
	for _, ch := range c.pending {
		if ch.tenant != tenant || ch.user != user {
			kept = append(kept, ch)
		}
	}
	c.pending = kept
	if c.reloading {
		c.forgotten = append(c.forgotten, [2]string{tenant, user})
	}
}

// fits reports whether adding up to n new entries stays within max_entries.
func (c *cache) fits(n int) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tab.n+n <= c.max
}

func (c *cache) entries() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tab.n
}

// beginReload starts recording applied changes for finishReload.
func (c *cache) beginReload() {
	c.mu.Lock()
	c.reloading, c.pending = true, nil
	c.mu.Unlock()
}

// finishReload swaps in next (built from a full read) after replaying the changes applied to the
// old table since beginReload. incomplete reports whether next hit max_entries. With next nil (the
// read failed) the old table stays.
func (c *cache) finishReload(next *table, incomplete bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pending, forgotten := c.pending, c.forgotten
	c.reloading, c.pending, c.forgotten = false, nil, nil
	if next == nil {
		return
	}
	for _, k := range forgotten { // erased while the full read ran: it may have read their rows
		if es, ok := next.tenants[k[0]][k[1]]; ok {
			next.n -= len(es)
			delete(next.tenants[k[0]], k[1])
		}
	}
	for _, ch := range pending {
		if next.apply(ch, c.strs.id(ch.source), c.strs.id(ch.policyVersion), c.max) == overflow {
			incomplete = true
		}
	}
	c.tab, c.incomplete = next, incomplete
}
