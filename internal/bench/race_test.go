//go:build race

package bench

// raceEnabled is set when the tests run with the race detector: the stage
// children are race-built too, so the end-to-end test does less.
const raceEnabled = true
