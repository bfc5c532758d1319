//go:build !race

package demo

// raceEnabled reports a -race build, where timings are not meaningful.
const raceEnabled = false
