package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// footprint is one spawn run: time per spawn and what the spawned things
// hold once the garbage is collected.
type footprint struct {
	nsPerSpawn, heapPerActor, stackPerActor, goroutinesPerActor float64
}

// snapshot collects garbage and returns the live heap, the goroutine stacks
// in use and the goroutine count.
func snapshot() (heap, stack uint64, goroutines int) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.StackInuse, runtime.NumGoroutine()
}

func perActor(n int, elapsed time.Duration, h0, s0 uint64, g0 int) footprint {
	h1, s1, g1 := snapshot()
	return footprint{
		nsPerSpawn:         float64(elapsed.Nanoseconds()) / float64(n),
		heapPerActor:       (float64(h1) - float64(h0)) / float64(n),
		stackPerActor:      (float64(s1) - float64(s0)) / float64(n),
		goroutinesPerActor: float64(g1-g0) / float64(n),
	}
}

// idle is the behaviour of an idle actor: it would ignore any message.
func idle(actor.Context, any) {}

// spawnRuntime spawns n idle actors (default options, no Init) and measures
// them while they are all alive.
func spawnRuntime(n int) (footprint, error) {
	sys := system.New()
	pids := make([]actor.PID, n) // allocated before the baseline snapshot
	h0, s0, g0 := snapshot()
	start := time.Now()
	for i := range pids {
		pid, err := sys.Spawn(actor.Func(idle))
		if err != nil {
			return footprint{}, shutdown(sys, err)
		}
		pids[i] = pid
	}
	f := perActor(n, time.Since(start), h0, s0, g0)
	if got := sys.Processes(); got < n {
		return f, shutdown(sys, fmt.Errorf("%d processes alive, want %d", got, n))
	}
	runtime.KeepAlive(pids)
	return f, shutdown(sys, nil)
}

// spawnChan is the baseline: a goroutine blocked on its own unbuffered
// channel per "actor", Go's plainest idle process.
func spawnChan(n int) footprint {
	chans := make([]chan any, n)
	var wg sync.WaitGroup
	h0, s0, g0 := snapshot()
	start := time.Now()
	for i := range chans {
		ch := make(chan any)
		chans[i] = ch
		wg.Go(func() {
			for range ch {
			}
		})
	}
	f := perActor(n, time.Since(start), h0, s0, g0)
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	return f
}

// runSpawn spawns the goroutines, then the actors, and measures each while
// all of them are alive.
func runSpawn(c config) ([]Result, error) {
	n := c.spawnN
	mk := func(impl string, mbox int, f footprint) Result {
		return Result{
			Scenario: "spawn", Impl: impl, Mailbox: mbox, N: n, Reps: 1,
			NsPerOp: ptr(f.nsPerSpawn), BytesPerActor: ptr(f.heapPerActor),
			StackBytesPerActor: ptr(f.stackPerActor), GoroutinesPerActor: ptr(f.goroutinesPerActor),
		}
	}
	ch := spawnChan(n)
	rt, err := spawnRuntime(n)
	if err != nil {
		return nil, err
	}
	return []Result{mk(implChan, 0, ch), mk(implRuntime, actor.DefaultCapacity, rt)}, nil
}
