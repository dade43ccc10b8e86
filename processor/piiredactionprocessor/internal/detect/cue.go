package detect

// Context cues: a value whose format alone is too common to report (a date, a
// UUID, nine digits) is personal data when a cue word stands next to it
// ("born 12.03.1985", "IDFA 6D92078A-…", "passport no. X1234567"). Cues are
// lower-case phrases matched ASCII-case-insensitively at word boundaries
// (bytes >= 0x80 of UTF-8 cues are compared as they are).

// cueBefore reports whether one of cues occurs in the window bytes before pos
// with no digit between the cue and pos, so that a cue belongs to the
// nearest value after it ("born 1961, joined 2019-04-01": the join date has
// no cue).
func cueBefore(s string, pos, window int, cues []string) bool {
	start := pos - window
	if start < 0 {
		start = 0
	}
	// The gap must not hold a digit: walk back from pos to the nearest digit.
	for j := pos - 1; j >= start; j-- {
		if isDigit(s[j]) {
			start = j + 1
			break
		}
	}
	for _, cue := range cues {
		if indexCue(s[:pos], start, cue) {
			return true
		}
	}
	return false
}

// cueAround reports a cue before pos (window bytes, see cueBefore) or right
// after end ("1985-03-12 (DOB)", window bytes after, no digit between).
func cueAround(s string, pos, end, window int, cues []string) bool {
	if cueBefore(s, pos, window, cues) {
		return true
	}
	stop := end + window
	if stop > len(s) {
		stop = len(s)
	}
	for j := end; j < stop; j++ {
		if isDigit(s[j]) {
			stop = j
			break
		}
	}
	for _, cue := range cues {
		if indexCue(s[:stop], end, cue) {
			return true
		}
	}
	return false
}

// indexCue reports whether cue occurs in s at or after from, at word
// boundaries, ASCII case folded.
func indexCue(s string, from int, cue string) bool {
	n := len(cue)
	if n == 0 {
		return false
	}
	c0 := cue[0]
	for i := from; i+n <= len(s); i++ {
		if lower(s[i]) != c0 {
			continue
		}
		if !hasFoldPrefix(s[i:], cue) {
			continue
		}
		if isAlpha(c0) && i > 0 && isAlpha(s[i-1]) {
			continue
		}
		if isAlpha(cue[n-1]) && i+n < len(s) && isAlpha(s[i+n]) {
			continue
		}
		return true
	}
	return false
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

// hasAnyCue reports whether any of cues occurs anywhere in s: the cheap
// record-level pre-check of the cue-bound detectors.
func hasAnyCue(s string, cues []string) bool {
	for _, cue := range cues {
		if indexCue(s, 0, cue) {
			return true
		}
	}
	return false
}

// cueWithin reports whether one of cues occurs in the window bytes before
// pos, digits between allowed ("datacenter eu-west-1 at 53.3498, -6.2603").
func cueWithin(s string, pos, window int, cues []string) bool {
	start := pos - window
	if start < 0 {
		start = 0
	}
	for _, cue := range cues {
		if indexCue(s[:pos], start, cue) {
			return true
		}
	}
	return false
}
