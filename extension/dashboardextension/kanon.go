package dashboardextension

import "sort"

// group is one row of a report section before k-anonymity: its key, the partition whose total
// could be known elsewhere (the week of a day), its distinct users and its measures.
type group struct {
	key    string
	part   string
	users  uint64
	values []float64
}

// withhold applies k-anonymity to one section and returns the groups that may be shown (in their
// input order) and how many were withheld.
//
//  1. Primary: a group with fewer than k distinct users is withheld.
//  2. Complementary: where exactly one group of a partition is withheld, the smallest shown group of
//     that partition is withheld too. Then anything a reader can subtract (a total, the same records
//     broken down another way, the parent week of a day) covers at least two withheld groups and never
//     reveals one of them.
func withhold(groups []group, k int) ([]group, int) {
	withheld := make([]bool, len(groups))
	byPart := map[string][]int{}
	for i, g := range groups {
		withheld[i] = g.users < uint64(k)
		byPart[g.part] = append(byPart[g.part], i)
	}
	parts := make([]string, 0, len(byPart))
	for p := range byPart {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	for _, p := range parts {
		idx := byPart[p]
		n, smallest := 0, -1
		for _, i := range idx {
			if withheld[i] {
				n++
				continue
			}
			if smallest < 0 || less(groups[i], groups[smallest]) {
				smallest = i
			}
		}
		if n == 1 && smallest >= 0 {
			withheld[smallest] = true
		}
	}
	shown := make([]group, 0, len(groups))
	count := 0
	for i, g := range groups {
		if withheld[i] {
			count++
			continue
		}
		shown = append(shown, g)
	}
	return shown, count
}

// less orders groups by users, then key, so the choice is deterministic.
func less(a, b group) bool {
	if a.users != b.users {
		return a.users < b.users
	}
	return a.key < b.key
}
