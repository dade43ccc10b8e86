package queryextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitStates(t *testing.T) {
	for _, c := range []struct {
		expr, merge, rank string
		states            []string
	}{
		{"sum(v)", "sumMerge(s0)", "w0", []string{"sumState(v)"}},
		{"count()", "countMerge(s0)", "w0", []string{"countState()"}},
		{"quantileExact(0.95)(v)", "quantileExactMerge(0.95)(s0)", "w0", []string{"quantileExactState(0.95)(v)"}},
		{"if(sum(c) = 0, nan, sum(v) / sum(c))", "if(sumMerge(s0) = 0, nan, sumMerge(s1) / sumMerge(s0))", "if(w0 = 0, nan, w1 / w0)", []string{"sumState(c)", "sumState(v)"}},
		{"ifNull(min(mn), nan)", "ifNull(minMerge(s0), nan)", "ifNull(w0, nan)", []string{"minState(mn)"}},
		{"uniqExact(if(u != '', u, NULL))", "uniqExactMerge(s0)", "w0", []string{"uniqExactState(if(u != '', u, NULL))"}},
	} {
		states, merge, rank, windows := splitStates(c.expr)
		assert.Equal(t, c.states, states, c.expr)
		assert.Equal(t, c.merge, merge, c.expr)
		assert.Equal(t, c.rank, rank, c.expr)
		assert.Len(t, windows, len(states))
	}
}

// The spans source's values use -If combinators: each is one state, or the top-N rank (with
// group_by) would be the raw expression over columns the ranked query no longer has.
func TestSplitStatesIfCombinators(t *testing.T) {
	for expr, want := range map[string][]string{
		"sumIf(1 / w, root)": {"sumIfState(1 / w, root)"},
		"countIf(err)":       {"countIfState(err)"},
	} {
		states, merge, rank, _ := splitStates(expr)
		if len(states) != 1 || states[0] != want[0] || merge != "sumIfMerge(s0)" && merge != "countIfMerge(s0)" || rank != "w0" {
			t.Errorf("splitStates(%q) = %q, %q, %q", expr, states, merge, rank)
		}
	}
}
