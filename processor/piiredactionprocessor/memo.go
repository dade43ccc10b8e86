package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import "hash/maphash"

// memo remembers what the processor did with recent top-level attribute values and span names, so
// the values a service sends on every record (peer.service, http.request.method, a span name) are
// checked once per state rather than once per record. It is direct-mapped: a lookup costs two string
// hashes and a compare, a miss overwrites its slot, and memory is fixed (memoSlots entries per
// state). Only outcomes that are a pure function of the key and value are stored: at most one
// counter noted, nothing handed to the self-mention pass, no key removed or renamed (memoizable).
type memo struct {
	seed  maphash.Seed
	slots [memoSlots]memoSlot
}

const (
	memoSlots = 512
	// memoMaxLen bounds the key and value lengths worth remembering: long values are rarely
	// repeated, and hashing them would cost what the check costs.
	memoMaxLen = 96
)

type memoKind uint8

const (
	memoAttr memoKind = iota + 1
	memoName
	memoDrop // whether the allowlist drops a key (dropped); out is "" for no
)

type memoSlot struct {
	kind    memoKind
	key, in string
	out     string
	counter int // the counter noted once, or -1 for none
}

func (m *memo) slot(kind memoKind, key, in string) *memoSlot {
	h := maphash.String(m.seed, in)
	if key != "" {
		h ^= maphash.String(m.seed, key) * 0x9e3779b97f4a7c15
	}
	return &m.slots[(h+uint64(kind))%memoSlots]
}

// maxMemos bounds the engines (the YAML's and tenants' policies) a state keeps a memo for.
const maxMemos = 16

// useEngine points the state at e (a state moves between the YAML's and tenants' engines from one
// resource to the next): outcomes depend on the engine's settings, so each engine has its own memo.
func (st *state) useEngine(e *engine) {
	if st.e != e {
		st.e, st.memo = e, nil
	}
}

// memoGet returns the slot of (kind, key, in) in the current engine's memo, and whether it holds
// that outcome.
func (st *state) memoGet(kind memoKind, key, in string) (*memoSlot, bool) {
	if st.memo == nil {
		if st.memo = st.memos[st.e]; st.memo == nil {
			if st.memos == nil || len(st.memos) >= maxMemos {
				st.memos = make(map[*engine]*memo)
			}
			st.memo = &memo{seed: maphash.MakeSeed()}
			st.memos[st.e] = st.memo
		}
	}
	s := st.memo.slot(kind, key, in)
	return s, s.kind == kind && s.in == in && s.key == key
}

// recall looks (kind, key, in) up; on a hit it replays the remembered counter and returns the
// remembered output. On a miss, slot and before are what remember needs after the check.
func (st *state) recall(kind memoKind, key, in string) (out string, hit bool, slot *memoSlot, before effects) {
	slot, hit = st.memoGet(kind, key, in)
	if !hit {
		return "", false, slot, st.effects()
	}
	if slot.counter >= 0 {
		st.note(slot.counter, key)
	}
	return slot.out, true, nil, effects{}
}

// remember stores the check of in that gave out, if it can be replayed.
func (st *state) remember(slot *memoSlot, before effects, kind memoKind, key, in, out string) {
	if counter, ok := st.memoizable(before); ok && (counter >= 0) == (out != in) {
		slot.put(kind, key, in, out, counter)
	}
}

// effects is what memoizable compares before and after a check.
type effects struct{ notes, selfCalls int }

func (st *state) effects() effects { return effects{st.notes, st.selfCalls} }

// memoizable reports whether the check run since before can be replayed from its output: at most
// one counter noted (st.lastNote), no value handed to the self-mention pass.
func (st *state) memoizable(before effects) (counter int, ok bool) {
	if st.selfCalls != before.selfCalls {
		return 0, false
	}
	switch st.notes - before.notes {
	case 0:
		return -1, true
	case 1:
		return st.lastNote, true
	}
	return 0, false
}

func (s *memoSlot) put(kind memoKind, key, in, out string, counter int) {
	*s = memoSlot{kind: kind, key: key, in: in, out: out, counter: counter}
}
