package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// memChild is the actor of supervision-memory, supervised or not: idle,
// default options, no Init.
var memChild = actor.PropsOf(func() actor.Actor { return actor.Func(idle) })

// unsupervisedHeap spawns n processes of memChild with no supervisor and
// returns the live heap per process while all of them are alive and idle.
// Their PIDs are not kept: the registry keeps the processes alive.
func unsupervisedHeap(n int) (float64, error) {
	sys := system.New()
	h0, s0, g0 := snapshot()
	start := time.Now()
	for range n {
		if _, err := sys.SpawnProps(memChild); err != nil {
			return 0, shutdown(sys, err)
		}
	}
	f := perActor(n, time.Since(start), h0, s0, g0)
	if got := sys.Processes(); got != n {
		return 0, shutdown(sys, fmt.Errorf("%d processes alive, want %d", got, n))
	}
	return f.heapPerActor, shutdown(sys, nil)
}

// supervisedHeap starts a OneForOne supervisor of n children of memChild
// and returns the live heap per child while all of them are alive and
// idle: the children's processes and everything the supervisor holds for
// them (their specs, IDs, links and its own bookkeeping), and the
// supervisor's own process, a 1/n share.
func supervisedHeap(c config, n int) (float64, error) {
	sys := system.New()
	h0, s0, g0 := snapshot()
	start := time.Now()
	sup, err := spawnWide(c, sys, n)
	if err != nil {
		return 0, shutdown(sys, err)
	}
	f := perActor(n, time.Since(start), h0, s0, g0)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	counts, err := supervisor.CountChildren(ctx, sys, sup)
	if err == nil && counts.Active != n {
		err = fmt.Errorf("%d children running, want %d", counts.Active, n)
	}
	return f.heapPerActor, shutdown(sys, err)
}

// spawnWide starts a OneForOne supervisor of n children of memChild, each
// with the ID of its index and Brutal shutdown, so that the teardown is
// quick (a shutdown policy is a value in the child's spec, the same size
// whichever it is). The supervisor keeps a copy of the child list, so the
// list built here is garbage once it has started.
func spawnWide(c config, sys *system.System, n int) (actor.PID, error) {
	kids := make([]supervisor.Child, n)
	for i := range kids {
		kids[i] = supervisor.Child{ID: strconv.Itoa(i), Start: memChild, Shutdown: supervisor.Brutal}
	}
	spec := supervisor.Spec{Strategy: supervisor.OneForOne}
	return sys.Spawn(supervisor.New(spec, kids...), actor.WithInitTimeout(c.timeout))
}

// runSupervisionMemory measures the same number of the same actor
// unsupervised, then supervised, and reports the bytes supervision adds
// per child: what a supervisor costs beyond the processes it supervises.
func runSupervisionMemory(c config) ([]Result, error) {
	n := c.supN
	u, err := unsupervisedHeap(n)
	if err != nil {
		return nil, fmt.Errorf("unsupervised: %w", err)
	}
	s, err := supervisedHeap(c, n)
	if err != nil {
		return nil, fmt.Errorf("supervised: %w", err)
	}
	return []Result{{
		Scenario: "supervision-memory", Impl: implRuntime, Mailbox: actor.DefaultCapacity, N: n, Reps: 1,
		SupervisedBytesPerChild: ptr(s), UnsupervisedBytesPerProcess: ptr(u), BytesPerChildBeyondProcess: ptr(s - u),
	}}, nil
}
