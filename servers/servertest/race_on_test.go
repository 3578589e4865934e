//go:build race

package servertest_test

// raceOn: this test binary was built with the race detector.
const raceOn = true
