//go:build !race

package bench

// raceEnabled is set when the tests run with the race detector.
const raceEnabled = false
