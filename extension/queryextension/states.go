package queryextension

import (
	"fmt"
	"regexp"
	"strings"
)

// aggCall finds the aggregate functions the value expressions use.
var aggCall = regexp.MustCompile(`\b(sum|sumIf|count|countIf|avg|min|max|quantileExact|uniqExact)\(`)

// splitStates rewrites an aggregate expression over pts (such as "if(sum(c) = 0, nan, sum(v) /
// sum(c))") into the partial states of each (bucket, group) — ["sumState(c)", "sumState(v)"] — and
// the expression that merges them — "if(sumMerge(s0) = 0, nan, sumMerge(s1) / sumMerge(s0))". The
// top-N query aggregates once into states, ranks groups by merging a group's states over the whole
// range and merges the folded "other" groups per bucket, so every aggregation (averages,
// percentiles, distinct counts included) stays exact across the fold with one scan of the data.
//
// rank is merge with each state's merge call replaced by w0, w1, ...: the columns windows[i] OVER
// (PARTITION BY g) gives (a window function is one aggregate call, never an expression of several).
func splitStates(expr string) (states []string, merge, rank string, windows []string) {
	var b, r strings.Builder
	index := map[string]int{}
	rest := expr
	for {
		loc := aggCall.FindStringSubmatchIndex(rest)
		if loc == nil {
			b.WriteString(rest)
			r.WriteString(rest)
			break
		}
		fn := rest[loc[2]:loc[3]]
		b.WriteString(rest[:loc[0]])
		r.WriteString(rest[:loc[0]])
		args, n := parenGroup(rest[loc[1]-1:])
		params := ""
		after := rest[loc[1]-1+n:]
		if fn == "quantileExact" { // parametric: quantileExact(level)(x)
			params = args
			args, n = parenGroup(after)
			after = after[n:]
		}
		state := fn + "State" + params + args
		i, ok := index[state]
		if !ok {
			i = len(states)
			index[state] = i
			states = append(states, state)
			windows = append(windows, fmt.Sprintf("%sMerge%s(s%d)", fn, params, i))
		}
		b.WriteString(windows[i])
		fmt.Fprintf(&r, "w%d", i)
		rest = after
	}
	return states, b.String(), r.String(), windows
}

// parenGroup returns the balanced "(...)" s starts with and its length.
func parenGroup(s string) (string, int) {
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[:i+1], i + 1
			}
		}
	}
	return s, len(s)
}
