package main

import (
	"fmt"

	"github.com/airssys/rt/system"
)

// metricsOrder is the order of the runs of each half of the metrics
// scenario (true: metrics on): twice off, on, on, off, so that a machine
// getting faster or slower during the run weighs on both alike.
var metricsOrder = []bool{false, true, true, false, false, true, true, false}

// runMetrics measures what a system's metrics cost: tell-1to1 and restart
// with system.WithMetrics (impl runtime) against the same without (impl
// direct), in the same run, each run four times in metricsOrder. Each
// figure is the median of its four runs, so that a burst of load from
// elsewhere on a shared machine, which slows one run, moves it little.
func runMetrics(c config) ([]Result, error) {
	on := system.WithMetrics(system.MetricsConfig{})
	var rates, allocs [2][]float64 // by off, on
	for _, metricsOn := range metricsOrder {
		var opts []system.Option
		i := 0
		if metricsOn {
			opts, i = []system.Option{on}, 1
		}
		t, err := tellRuntime(c, c.tellN, 1, c.mailbox, opts...)
		if err != nil {
			return nil, fmt.Errorf("tell, metrics on %v: %w", metricsOn, err)
		}
		rates[i] = append(rates[i], float64(c.tellN)/t.elapsed.Seconds())
		allocs[i] = append(allocs[i], float64(t.mallocs)/float64(c.tellN))
	}
	var restarts [2][]Result
	for _, metricsOn := range metricsOrder {
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
		rate := median(rates[i])
		out = append(out, Result{Scenario: "metrics", Impl: impl, Mailbox: c.mailbox, N: c.tellN, Senders: 1,
			MsgsPerSec: ptr(rate), NsPerOp: ptr(1e9 / rate), AllocsPerOp: ptr(median(allocs[i])), Reps: 1})
	}
	for i, impl := range []string{implDirect, implRuntime} {
		var per, mean, p50, p99 []float64
		for _, r := range restarts[i] {
			per, mean = append(per, *r.RestartsPerSec), append(mean, *r.NsPerOp)
			p50, p99 = append(p50, *r.P50), append(p99, *r.P99)
		}
		r := restarts[i][0]
		r.Scenario, r.Impl = "metrics", impl
		r.RestartsPerSec, r.NsPerOp = ptr(median(per)), ptr(median(mean))
		r.P50, r.P99 = ptr(median(p50)), ptr(median(p99))
		out = append(out, r)
	}
	return out, nil
}
