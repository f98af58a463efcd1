//go:build race

package system_test

// slowdown is how much slower the race detector makes the code a
// timing bound measures.
const slowdown = 10
