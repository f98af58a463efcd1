//go:build !race

package otelrt_test

// churnProcesses is the number of processes the series test spawns and
// ends: the full million, in the Makefile's pass without the race detector.
const churnProcesses = 1_000_000
