package main

import (
	"fmt"
	"time"

	"github.com/airssys/rt/system"
)

// runMetrics measures what a system's metrics cost: tell-1to1 and restart
// with system.WithMetrics (impl runtime) against the same without (impl
// direct), in the same run. Each is run twice, in the order off, on, on,
// off, so that a machine getting faster or slower during the run weighs on
// both alike; each figure is the mean of its two runs (throughput from the
// total time, allocations from the total count).
func runMetrics(c config) ([]Result, error) {
	on := system.WithMetrics(system.MetricsConfig{})
	var tells [2]throughput // off, on
	for _, metricsOn := range []bool{false, true, true, false} {
		var opts []system.Option
		i := 0
		if metricsOn {
			opts, i = []system.Option{on}, 1
		}
		t, err := tellRuntime(c, c.tellN, 1, c.mailbox, opts...)
		if err != nil {
			return nil, fmt.Errorf("tell, metrics on %v: %w", metricsOn, err)
		}
		tells[i].elapsed += t.elapsed
		tells[i].mallocs += t.mallocs
	}
	var restarts [2][]Result
	for _, metricsOn := range []bool{false, true, true, false} {
		var opts []system.Option
		i := 0
		if metricsOn {
			opts, i = []system.Option{on}, 1
		}
		r, err := restartRun(c, 1, c.restartN, false, opts...)
		if err != nil {
			return nil, fmt.Errorf("restart, metrics on %v: %w", metricsOn, err)
		}
		restarts[i] = append(restarts[i], r)
	}
	var out []Result
	for i, impl := range []string{implDirect, implRuntime} {
		n := 2 * c.tellN
		rate := float64(n) / tells[i].elapsed.Seconds()
		out = append(out, Result{Scenario: "metrics", Impl: impl, Mailbox: c.mailbox, N: c.tellN, Senders: 1,
			MsgsPerSec: ptr(rate), NsPerOp: ptr(1e9 / rate), AllocsPerOp: ptr(float64(tells[i].mallocs) / float64(n)), Reps: 1})
	}
	for i, impl := range []string{implDirect, implRuntime} {
		a, b := restarts[i][0], restarts[i][1]
		total := time.Duration(float64(c.restartN)/(*a.RestartsPerSec)*1e9) + time.Duration(float64(c.restartN)/(*b.RestartsPerSec)*1e9)
		r := a
		r.Scenario, r.Impl = "metrics", impl
		r.RestartsPerSec = ptr(float64(2*c.restartN) / total.Seconds())
		r.P50, r.P99 = ptr((*a.P50+*b.P50)/2), ptr((*a.P99+*b.P99)/2)
		out = append(out, r)
	}
	return out, nil
}
