//go:build race

package otelrt_test

// churnProcesses under the race detector, which makes a spawn and a kill
// several times slower (on 2 cores, 200,000 took 4.9 s with it, the
// million 3.6 s without): the million runs in the Makefile's pass without
// the race detector, which covers ./otelrt.
const churnProcesses = 200_000
