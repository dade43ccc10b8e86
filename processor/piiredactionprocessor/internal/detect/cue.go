package detect

// Context cues: a value whose format alone is too common to report (a date, a
// UUID, nine digits) is personal data when a cue word stands next to it
// ("born 12.03.1985", "IDFA 6D92078A-…", "passport no. X1234567"). Cues are
// lower-case phrases matched ASCII-case-insensitively at word boundaries
// (bytes >= 0x80 of UTF-8 cues are compared as they are). A cueSet indexes
// its phrases by first byte, so a window is read once whatever the number of
// cues.

type cueSet struct {
	byFirst [256][]string
}

func newCueSet(cues ...string) *cueSet {
	cs := &cueSet{}
	for _, c := range cues {
		if c == "" {
			continue
		}
		cs.byFirst[c[0]] = append(cs.byFirst[c[0]], c)
	}
	return cs
}

// lastEnd returns the end of the cue occurrence in s[from:to] that ends
// last (at word boundaries), or -1.
func (cs *cueSet) lastEnd(s string, from, to int) int {
	best := -1
	for j := from; j < to; j++ {
		list := cs.byFirst[lower(s[j])]
		if len(list) == 0 {
			continue
		}
		if j > 0 && isAlpha(s[j-1]) && isAlpha(s[j]) {
			continue
		}
		for _, cue := range list {
			n := len(cue)
			if j+n > to || !hasFoldPrefix(s[j:], cue) {
				continue
			}
			if isAlpha(cue[n-1]) && j+n < len(s) && isAlpha(s[j+n]) {
				continue
			}
			if j+n > best {
				best = j + n
			}
		}
	}
	return best
}

// cueBefore reports whether a cue occurs in the window bytes before pos with
// no digit between the cue and pos, so that a cue belongs to the nearest
// value after it ("born 1961, joined 2019-04-01": the join date has no cue).
func cueBefore(s string, pos, window int, cs *cueSet) bool {
	return cueEndBefore(s, pos, window, cs) >= 0
}

// cueEndBefore is cueBefore returning where the nearest cue ends (-1: none).
func cueEndBefore(s string, pos, window int, cs *cueSet) int {
	start := max(pos-window, 0)
	for j := pos - 1; j >= start; j-- {
		if isDigit(s[j]) {
			start = j + 1
			break
		}
	}
	return cs.lastEnd(s, start, pos)
}

// cueAfter reports a cue in the window bytes after end, no digit between
// ("1985-03-12 (DOB)").
func cueAfter(s string, end, window int, cs *cueSet) bool {
	stop := min(end+window, len(s))
	for j := end; j < stop; j++ {
		if isDigit(s[j]) {
			stop = j
			break
		}
	}
	return cs.lastEnd(s, end, stop) >= 0
}

// cueWithin reports whether a cue occurs in the window bytes before pos,
// digits between allowed ("datacenter eu-west-1 at 53.3498, -6.2603").
func cueWithin(s string, pos, window int, cs *cueSet) bool {
	return cs.lastEnd(s, max(pos-window, 0), pos) >= 0
}

// hasFoldPrefix reports whether s starts with the lower-case literal p,
// ASCII case folded.
func hasFoldPrefix(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lower(s[i]) != p[i] {
			return false
		}
	}
	return true
}
