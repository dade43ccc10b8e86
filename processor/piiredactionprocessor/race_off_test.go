//go:build !race

package piiredactionprocessor

const raceEnabled = false
