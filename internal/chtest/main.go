package chtest

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// Main runs a package's tests, stops the shared engine they may have started, and then fails the
// run if a goroutine outlives the tests (goleak): every component started in a test must be shut
// down. Use it as
//
//	func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	StopShared() // the engine's goroutines end with it
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	return code
}
