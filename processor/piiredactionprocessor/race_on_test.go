//go:build race

package piiredactionprocessor

// raceEnabled: sync.Pool drops items at random under -race, so allocation
// counts are meaningless.
const raceEnabled = true
