package dashboardextension

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithhold(t *testing.T) {
	g := func(key, part string, users uint64, events float64) group {
		return group{key: key, part: part, users: users, values: []float64{events}}
	}
	keys := func(gs []group) []string {
		out := []string{}
		for _, x := range gs {
			out = append(out, x.key)
		}
		return out
	}
	f := func(name string, in []group, k int, wantShown []string, wantWithheld int) {
		t.Helper()
		shown, n := withhold(in, k)
		assert.Equal(t, wantShown, keys(shown), name)
		assert.Equal(t, wantWithheld, n, name)
	}
	groups := []group{g("signup", "", 8, 20), g("checkout", "", 4, 9), g("page_view", "", 6, 30)}
	// k=5: checkout (4 users) is withheld; alone it could be derived from a total, so the smallest
	// shown group (page_view, 6 users) goes with it.
	f("k5", groups, 5, []string{"signup"}, 2)
	f("k3", groups, 3, []string{"signup", "checkout", "page_view"}, 0)
	f("k9", groups, 9, []string{}, 3)
	// Two primary withholdings need no complementary one.
	f("two small", []group{g("a", "", 10, 1), g("b", "", 2, 1), g("c", "", 1, 1)}, 5, []string{"a"}, 2)
	// Partitions: a withheld day takes another day of its own week, not of another week.
	days := []group{
		g("mon1", "w1", 9, 1), g("tue1", "w1", 2, 1), g("wed1", "w1", 7, 1),
		g("mon2", "w2", 9, 1), g("tue2", "w2", 8, 1),
	}
	f("weeks", days, 5, []string{"mon1", "mon2", "tue2"}, 2)
	f("single group", []group{g("only", "", 3, 1)}, 5, []string{}, 1)
	f("empty", nil, 5, []string{}, 0)
}
