package piiredactionprocessor // import "github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor"

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-telemetry/otelcol-telemetry/processor/piiredactionprocessor/internal/detect"
)

// Counter indexes beyond the free-text detectors (whose index is their
// position in detect.All()).
var (
	counterNames       = append(detect.Names(), "pii_field", "identifier", "ip_address", "route", "cookie", "self_mention")
	counterPIIField    = len(counterNames) - 6
	counterID          = len(counterNames) - 5
	counterAddr        = len(counterNames) - 4
	counterRoute       = len(counterNames) - 3
	counterCookie      = len(counterNames) - 2
	counterSelfMention = len(counterNames) - 1
)

// rule is an enabled free-text detector with its action.
type rule struct {
	det detect.Detector
	// classed is det when it also takes the string's classes (names and
	// addresses skip their word passes on strings without white space).
	classed detect.ClassFinder
	counter int
	act     Action
}

// engine is the immutable redaction plan built from a Config.
type engine struct {
	rules []rule
	// candidates maps the character classes of a string to the bit set of
	// rules whose detectors can match it, so a string costs one Classify
	// pass plus only the detectors that have candidates.
	candidates []uint32
	// fewDigits[n] is the bit set of rules whose detectors need more than n
	// digits (detect.DigitBound), dropped from the candidates of a string
	// with n digits.
	fewDigits  [detect.MaxMinDigits + 1]uint32
	digitBound uint32 // rules with a DigitBound or RunBound
	// shortRuns[r] is the bit set of rules that need a longer run of digits
	// than r (detect.RunBound).
	shortRuns   [detect.MaxMinRun + 1]uint32
	cardRule    int // index in rules of the card detector, -1 if off
	piiFields   keySet
	piiAction   Action
	identifiers keySet // nil when not hashing identifiers
	addresses   keySet // nil when not anonymizing addresses
	// keyFlags holds allowed_keys, route_fields and the address_fields in
	// use in one map, and loose pii_fields and the identifier_fields in use,
	// so an attribute costs one lookup in each (a few more when nested or
	// dotted) rather than one per key set.
	keyFlags map[string]keyFlag
	loose    map[string]looseFlag
	// flagKeys and looseKeys filter the lookups in keyFlags and loose.
	flagKeys, looseKeys keyFilter
	key                 []byte
	summary             Summary
	// geoDecimals is what the anonymize action leaves of a coordinate.
	geoDecimals int
	// allowOnly is the attribute_allowlist of the YAML narrowed by a tenant policy's
	// (allowlist.go); nil keeps every key.
	allowOnly *allowlist
	pool      sync.Pool
}

func newEngine(cfg *Config) *engine {
	e := &engine{
		cardRule:  -1,
		piiFields: newLooseKeySet(cfg.PIIFields),
		piiAction: cfg.PIIFieldsAction,
		key:       []byte(string(cfg.HashKey)),
		summary:   cfg.Summary,

		geoDecimals: geoDecimals(cfg.Mode),
		allowOnly:   newAllowlist(cfg.AttributeAllowlist),
	}
	for i, d := range detect.All() {
		a := ruleAction(cfg, d.Name())
		if a == ActionKeep {
			continue
		}
		if d.Name() == "card" {
			e.cardRule = len(e.rules)
		}
		cf, _ := d.(detect.ClassFinder)
		e.rules = append(e.rules, rule{det: d, classed: cf, counter: i, act: a})
	}
	e.candidates = make([]uint32, 1<<detect.NumClasses)
	for c := range e.candidates {
		for i, r := range e.rules {
			if r.det.Candidate(detect.Class(c)) {
				e.candidates[c] |= 1 << i
			}
		}
	}
	for i, r := range e.rules {
		if b, ok := r.det.(detect.DigitBound); ok {
			e.digitBound |= 1 << i
			for n := 0; n < b.MinDigits() && n < len(e.fewDigits); n++ {
				e.fewDigits[n] |= 1 << i
			}
		}
		if b, ok := r.det.(detect.RunBound); ok {
			e.digitBound |= 1 << i
			for n := 0; n < b.MinRun() && n < len(e.shortRuns); n++ {
				e.shortRuns[n] |= 1 << i
			}
		}
	}
	if keyRulesApply(cfg.Mode) {
		if cfg.HashIdentifiers {
			e.identifiers = newLooseKeySet(cfg.IdentifierFields)
		}
		if cfg.AnonymizeIPs {
			e.addresses = newKeySet(cfg.AddressFields)
		}
	}
	var addrs, ids []string
	if e.addresses != nil {
		addrs = cfg.AddressFields
	}
	if e.identifiers != nil {
		ids = cfg.IdentifierFields
	}
	e.keyFlags = newKeyFlags(cfg.AllowedKeys, cfg.RouteFields, addrs)
	e.loose = newLooseFlags(cfg.PIIFields, ids)
	e.flagKeys, e.looseKeys = newKeyFilter(e.keyFlags), newKeyFilter(e.loose)
	e.pool.New = func() any {
		return &state{e: e, h: newHasher(e.key)}
	}
	return e
}

// hit is a finding of rule r.
type hit struct {
	sp detect.Span
	r  int
}

// state is the per-batch scratch space, pooled so that steady-state
// processing of values without PII does not allocate.
type state struct {
	e      *engine
	h      *hasher
	hits   []hit
	tmp    []detect.Span
	out    []byte
	lkey   []byte // lower-cased key or path being matched
	nkey   []byte // lkey without '_' and '-', for pii_fields
	path   []byte // lower-cased path of the enclosing map keys
	remove []string
	rename []string // keys of the current map whose name held PII
	rbuf   []byte   // output of the route templating
	norm   detect.Normalizer
	text   string // what the detectors saw in the last scan (s or its normalised form)
	normed bool   // whether text is normalised: hit spans are then mapped by norm.Orig
	counts [32]int64
	// allowDropped counts attributes the allowlist removed.
	allowDropped int64
	// scoped is the allowlist while a record's own attributes are processed (recordAttrs), nil
	// otherwise: keys it will remove are not scanned.
	scoped *allowlist
	// lastIP and lastIPOut are the last address anonymized and its result: a batch's spans mostly
	// share a few client and peer addresses, and anonymizing allocates.
	lastIP, lastIPOut string
	// memo remembers recent outcomes (memo.go); notes, lastNote and selfCalls let it tell which
	// outcomes can be replayed.
	memo      *memo
	memos     map[*engine]*memo
	notes     int
	lastNote  int
	selfCalls int

	// ids are the raw identifier and pii_fields values of the record being
	// processed (and of its resource and scope), with their replacement, for
	// the self-mention pass.
	ids []selfID

	// per-record summary
	recCount int
	recKeys  []string
	recDets  []string
}

func (e *engine) getState() *state { return e.pool.Get().(*state) }

func (e *engine) putState(st *state) {
	st.counts = [32]int64{}
	st.allowDropped = 0
	st.resetRecord()
	e.pool.Put(st)
}

func (st *state) resetRecord() {
	st.recCount = 0
	st.recKeys = st.recKeys[:0]
	st.recDets = st.recDets[:0]
}

func (st *state) note(counter int, key string) {
	st.counts[counter]++
	st.notes++
	st.lastNote = counter
	if st.e.summary == SummarySilent {
		return
	}
	st.recCount++
	if st.e.summary == SummaryDebug {
		st.recKeys = append(st.recKeys, key)
		st.recDets = append(st.recDets, counterNames[counter])
	}
}

// attrs processes an attribute map at the top of a record.
func (st *state) attrs(m pcommon.Map) {
	st.path = st.path[:0]
	st.mapEntries(m, "")
}

// recordAttrs processes the attributes of a span, span event, log record or data point: the maps
// the allowlist (allow) is applied to afterwards.
func (st *state) recordAttrs(m pcommon.Map) {
	st.scoped = st.e.allowOnly
	st.attrs(m)
	st.scoped = nil
}

// mapEntries processes every entry of m; topKey names the record-level key
// for the summary ("" at the top, where each entry's own key is used).
func (st *state) mapEntries(m pcommon.Map, topKey string) {
	mark, rmark := len(st.remove), len(st.rename)
	for k, v := range m.All() {
		tk := topKey
		var slot *memoSlot // set when the outcome may be remembered (memo.go)
		var before effects
		var in string
		if tk == "" {
			if st.dropped(k, v) {
				st.remove = append(st.remove, k)
				st.allowDropped++
				continue
			}
			tk = k
			if v.Type() == pcommon.ValueTypeStr && len(k) <= memoMaxLen && len(v.Str()) <= memoMaxLen {
				in = v.Str()
				out, hit, s, b := st.recall(memoAttr, k, in)
				if hit {
					if out != in {
						v.SetStr(out)
					}
					continue
				}
				slot, before = s, b
			}
		}
		if st.entry(k, v, tk) {
			st.remove = append(st.remove, k)
			continue
		}
		if nk, ok := st.scanKey(k, tk); ok {
			st.rename = append(st.rename, k, nk)
			continue
		}
		if slot != nil && v.Type() == pcommon.ValueTypeStr {
			st.remember(slot, before, memoAttr, k, in, v.Str())
		}
	}
	for _, k := range st.remove[mark:] {
		m.Remove(k)
	}
	st.remove = st.remove[:mark]
	for i := rmark; i+1 < len(st.rename); i += 2 {
		renameKey(m, st.rename[i], st.rename[i+1])
	}
	st.rename = st.rename[:rmark]
}

// scanKey checks an attribute key itself: a key is data when an app puts an
// e-mail address or a number in it ({"jane@example.com": 3}). Only keys
// with an '@' or a digit can hold what the detectors find, so the common
// key costs one pass over its bytes.
func (st *state) scanKey(k, topKey string) (string, bool) {
	c := detect.Classify(k)
	if c&(detect.ClassAt|detect.ClassDigit) == 0 {
		return k, false
	}
	out, changed := k, false
	if c.Has(detect.ClassSlash) {
		out, changed = st.routeText(k, topKey)
	}
	if o, ok := st.scan(out, topKey); ok {
		out, changed = o, true
	}
	return out, changed
}

// renameKey moves the value of old to nk; a value already under nk (two keys
// redacted to the same placeholder) is replaced.
func renameKey(m pcommon.Map, old, nk string) {
	v, ok := m.Get(old)
	if !ok || old == nk {
		return
	}
	tmp := pcommon.NewValueEmpty()
	v.CopyTo(tmp)
	m.Remove(old)
	tmp.CopyTo(m.PutEmpty(nk))
}

// matchKey lower-cases path+"."+k into st.lkey and reports which key sets
// match; the key alone is also tried for nested keys.
func (st *state) entry(k string, v pcommon.Value, topKey string) (remove bool) {
	e := st.e
	keyStart := len(st.path)
	if keyStart > 0 {
		keyStart++
	}
	st.lkey = append(st.lkey[:0], st.path...)
	if len(st.path) > 0 {
		st.lkey = append(st.lkey, '.')
	}
	st.lkey = appendLower(st.lkey, k)
	full, own := st.lkey, st.lkey[keyStart:]

	// Route and URL fields are checked structurally whatever allowed_keys
	// says: no field is trusted by its name alone.
	fl := e.flags(full, own)
	if fl&flagRoute != 0 {
		st.route(v, fl&flagQuery != 0, topKey)
		return false
	}
	if fl&flagAllowed != 0 {
		return false
	}
	st.nkey = appendLoose(st.nkey[:0], full[:keyStart])
	nKeyStart := len(st.nkey)
	st.nkey = appendLoose(st.nkey, k)
	isPII, isIdent := e.looseFlags(st.nkey, nKeyStart)
	if isPII {
		st.note(counterPIIField, topKey)
		raw := selfValue(v)
		switch e.piiAction {
		case ActionRedact:
			v.SetStr(piiFieldPlaceholder)
			st.addSelf(raw, piiFieldPlaceholder)
		case ActionHash:
			tok := st.h.token(valueString(v))
			v.SetStr(tok)
			st.addSelf(raw, tok)
		default:
			st.addSelf(raw, piiFieldPlaceholder)
			return true
		}
		return false
	}
	if isCookieKey(own) {
		st.cookie(v, topKey)
		return false
	}
	if isIdent {
		switch v.Type() {
		case pcommon.ValueTypeStr, pcommon.ValueTypeInt, pcommon.ValueTypeDouble, pcommon.ValueTypeBool:
			if v.Type() == pcommon.ValueTypeStr && isHashToken(v.Str()) {
				return false
			}
			raw := selfValue(v)
			tok := st.h.token(valueString(v))
			v.SetStr(tok)
			st.addSelf(raw, tok)
			st.note(counterID, topKey)
			return false
		}
	}
	if fl&flagAddress != 0 && v.Type() == pcommon.ValueTypeStr {
		s := v.Str()
		if looksLikeIP(s) {
			if a, ok := st.anonymizeAddr(s); ok {
				if a != s {
					v.SetStr(a)
					st.note(counterAddr, topKey)
				}
				return false
			}
		}
		// Lists (X-Forwarded-For), zoned IPv6 and Forwarded-style values:
		// anonymize every address inside, whatever the mode's ip detector.
		if out, ok := st.anonymizeIPsIn(s); ok {
			v.SetStr(out)
			st.note(counterAddr, topKey)
		}
	}
	if v.Type() == pcommon.ValueTypeMap {
		saved := len(st.path)
		if saved > 0 {
			st.path = append(st.path, '.')
		}
		st.path = appendLower(st.path, k)
		st.mapEntries(v.Map(), topKey)
		st.path = st.path[:saved]
		return false
	}
	st.value(v, topKey)
	return false
}

// value processes a value that is not subject to key rules (or whose key
// matched none): strings are scanned, card-number ints replaced, slices and
// maps walked.
func (st *state) value(v pcommon.Value, topKey string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s, changed := st.jsonFields(v.Str(), topKey)
		if out, ok := st.scan(s, topKey); ok {
			s, changed = out, true
		}
		if changed {
			v.SetStr(s)
		}
	case pcommon.ValueTypeInt:
		if st.e.cardRule >= 0 && detect.IsCardInt(v.Int()) {
			r := st.e.rules[st.e.cardRule]
			digits := strconv.FormatInt(v.Int(), 10)
			st.out = st.apply(st.out[:0], r, digits)
			v.SetStr(string(st.out))
			st.note(r.counter, topKey)
		}
	case pcommon.ValueTypeDouble:
		// JSON decoders turn numbers into doubles: a card number sent as a
		// JSON number arrives here, exact below 2^53.
		if st.e.cardRule >= 0 {
			if d := v.Double(); d >= 1e12 && d < 9e18 && d == math.Trunc(d) && detect.IsCardInt(int64(d)) {
				r := st.e.rules[st.e.cardRule]
				digits := strconv.FormatInt(int64(d), 10)
				st.out = st.apply(st.out[:0], r, digits)
				v.SetStr(string(st.out))
				st.note(r.counter, topKey)
			}
		}
	case pcommon.ValueTypeMap:
		st.mapEntries(v.Map(), topKey)
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			st.value(sl.At(i), topKey)
		}
	}
}

// anonymizeAddr is anonymizeIP remembering the last address.
func (st *state) anonymizeAddr(s string) (string, bool) {
	if s == st.lastIP && s != "" {
		return st.lastIPOut, true
	}
	a, ok := anonymizeIP(s)
	if ok {
		st.lastIP, st.lastIPOut = s, a
	}
	return a, ok
}

// anonymizeIPsIn truncates every IP address found in s (used for address
// keys whose value is not a single address).
func (st *state) anonymizeIPsIn(s string) (string, bool) {
	if !(detect.IP{}).Candidate(detect.Classify(s)) {
		return s, false
	}
	st.tmp = detect.IP{}.Find(s, st.tmp[:0])
	if len(st.tmp) == 0 {
		return s, false
	}
	out := st.out[:0]
	last := 0
	for _, sp := range st.tmp {
		out = append(out, s[last:sp.Start]...)
		if a, ok := anonymizeIP(s[sp.Start:sp.End]); ok {
			out = append(out, a...)
		} else {
			out = append(out, "[REDACTED:ip]"...)
		}
		last = sp.End
	}
	out = append(out, s[last:]...)
	st.out = out
	if string(out) == s {
		return s, false
	}
	return string(out), true
}

// str scans a string that is not an attribute value (span name, event name,
// status message) and returns the redacted form.
func (st *state) str(s, topKey string) string {
	if out, ok := st.scan(s, topKey); ok {
		return out
	}
	return s
}

// name processes a span or metric name: the structural check of the paths
// in it, then the free-text detectors.
func (st *state) name(s, topKey string) string {
	if len(s) > memoMaxLen {
		return st.checkName(s, topKey)
	}
	out, hit, slot, before := st.recall(memoName, topKey, s)
	if hit {
		return out
	}
	out = st.checkName(s, topKey)
	st.remember(slot, before, memoName, topKey, s, out)
	return out
}

func (st *state) checkName(s, topKey string) string {
	out, _ := st.routeText(s, topKey)
	return st.str(out, topKey)
}

// scan runs the enabled detectors over s and returns the redacted string.
// Strings in which no detector's candidate characters occur return after
// one classification pass, without allocating.
func (st *state) scan(s, topKey string) (string, bool) {
	if len(s) < 3 || len(st.e.rules) == 0 {
		return s, false
	}
	// text is what the detectors see: s, or its normalised form (full-width
	// and Unicode spaces/dashes folded, percent-encoding decoded); spans are
	// mapped back to s.
	text, norm, cls := s, false, detect.Classify(s)
	if cls&detect.ClassNormalize != 0 {
		if text, norm = st.norm.Normalize(s); norm {
			cls = detect.Classify(text)
		}
	}
	st.text, st.normed = text, norm
	cand := st.e.candidates[cls&detect.CandidateMask]
	if cand&st.e.digitBound != 0 {
		n, run := detect.DigitFacts(text)
		cand &^= st.e.fewDigits[n] | st.e.shortRuns[run]
	}
	if cand == 0 {
		return s, false
	}
	st.hits = st.hits[:0]
	for cand != 0 {
		i := bits.TrailingZeros32(cand)
		cand &^= 1 << i
		if r := &st.e.rules[i]; r.classed != nil {
			st.tmp = r.classed.FindClass(text, cls, st.tmp[:0])
		} else {
			st.tmp = r.det.Find(text, st.tmp[:0])
		}
		for _, sp := range st.tmp {
			st.hits = append(st.hits, hit{sp: sp, r: i})
		}
	}
	if len(st.hits) == 0 {
		return s, false
	}
	hits := st.hits
	if len(hits) > 1 {
		slices.SortFunc(hits, func(a, b hit) int {
			if a.sp.Start != b.sp.Start {
				return a.sp.Start - b.sp.Start
			}
			return a.r - b.r
		})
		// Merge overlapping findings; the merged span takes the action of
		// the most specific (lowest-index) rule among them.
		w := 0
		for _, h := range hits[1:] {
			cur := &hits[w]
			if h.sp.Start < cur.sp.End {
				if h.sp.End > cur.sp.End {
					cur.sp.End = h.sp.End
				}
				if h.r < cur.r {
					cur.r = h.r
				}
				continue
			}
			w++
			hits[w] = h
		}
		hits = hits[:w+1]
		st.hits = hits
	}
	out := st.out[:0]
	last := 0
	changed := false
	for _, h := range hits {
		r := st.e.rules[h.r]
		// The action sees the normalised value (a mask of full-width digits
		// must not copy them as "separators"; a hash equals the ASCII form's).
		v := text[h.sp.Start:h.sp.End]
		osp := h.sp
		if norm {
			osp = st.norm.Orig(h.sp)
		}
		out = append(out, s[last:osp.Start]...)
		n := len(out)
		out = st.apply(out, r, v)
		if string(out[n:]) != s[osp.Start:osp.End] {
			changed = true
			st.note(r.counter, topKey)
		}
		last = osp.End
	}
	out = append(out, s[last:]...)
	st.out = out
	if !changed {
		return s, false
	}
	return string(out), true
}

// apply appends the replacement of v under rule r.
func (st *state) apply(dst []byte, r rule, v string) []byte {
	name := r.det.Name()
	switch r.act {
	case ActionHash:
		return st.h.appendToken(dst, v)
	case ActionMask:
		return appendMask(dst, name, v)
	case ActionAnonymize:
		if name == "geo" {
			return appendTruncatedDecimal(dst, v, st.e.geoDecimals)
		}
		if a, ok := anonymizeIP(v); ok {
			return append(dst, a...)
		}
	}
	return appendPlaceholder(dst, name)
}

// valueString is the string that identifier hashing and pii_fields hashing
// feed to the HMAC.
func valueString(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return v.AsString()
}

// flushSummary writes the summary attributes of the record just processed
// into attrs and resets the record counters.
func (st *state) flushSummary(attrs pcommon.Map) {
	st.allow(attrs)
	if st.e.summary == SummarySilent || st.recCount == 0 {
		st.resetRecord()
		return
	}
	attrs.PutInt("pii_redaction.redacted.count", int64(st.recCount))
	if st.e.summary == SummaryDebug {
		attrs.PutStr("pii_redaction.redacted.keys", joinUnique(st.recKeys))
		attrs.PutStr("pii_redaction.detectors", joinUnique(st.recDets))
	}
	st.resetRecord()
}

func joinUnique(v []string) string {
	sort.Strings(v)
	w := 0
	for i, s := range v {
		if i > 0 && s == v[w-1] {
			continue
		}
		v[w] = s
		w++
	}
	return strings.Join(v[:w], ",")
}
