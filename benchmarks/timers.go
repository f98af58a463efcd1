package main

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// Messages of the timers scenario's actor.
type (
	timerNoop struct{} // do nothing but acknowledge: warms the worker pool
	timerArm  struct{} // arm a periodic timer to Self, then acknowledge
	timerTick struct{} // the tick, which never comes within the run
)

// timerActor arms a SendInterval to itself when told to, and acknowledges
// each command on ack, or reports on fail why it could not.
func timerActor(ack chan<- struct{}, fail chan<- error) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		switch msg.(type) {
		case timerArm:
			if _, err := ctx.SendInterval(time.Hour, ctx.Self(), timerTick{}); err != nil {
				report(fail, err)
				return
			}
		case timerNoop:
		default:
			return
		}
		ack <- struct{}{}
	})
}

// command sends msg to every pid and waits for every acknowledgement.
func command(sys *system.System, pids []actor.PID, msg any, ack <-chan struct{}, fail <-chan error, w *watchdog) error {
	for _, pid := range pids {
		if err := sys.Send(pid, msg); err != nil {
			return err
		}
	}
	for range pids {
		if _, err := recv(w, ack, fail); err != nil {
			return fmt.Errorf("%T: %w", msg, err)
		}
	}
	return nil
}

// runTimers spawns c.timerN idle processes, has each arm a periodic timer
// (an hour, so that none fires while measured), and reports what the armed
// timers hold: heap bytes and goroutines per timer, beyond the processes
// themselves. (The time to arm one is not reported: a message to each of
// n processes costs a turn each, which would swamp it.) Each process has
// handled a message before the baseline is taken, so that the worker pool
// is already warm and the difference is the timers alone.
//
// The live heap of a run also holds, at random, what the runtime's shared
// structures grew by meanwhile (up to hundreds of bytes per process, mostly
// in the first rounds of the program). That noise only ever adds, so the
// figure is the least of timerRounds rounds, after one thrown away.
func runTimers(c config) ([]Result, error) {
	perTimer, goroutines := math.Inf(1), 0.0
	for round := range timerRounds + 1 {
		b, g, err := armedTimers(c, c.timerN)
		if err != nil {
			return nil, err
		}
		if round > 0 && b < perTimer {
			perTimer, goroutines = b, g
		}
	}
	return []Result{{
		Scenario: "timers", Impl: implRuntime, Mailbox: actor.DefaultCapacity, N: c.timerN, Reps: 1,
		BytesPerTimer: ptr(perTimer), GoroutinesPerTimer: ptr(goroutines),
	}}, nil
}

// timerRounds is how many rounds runTimers takes the least of.
const timerRounds = 3

// armedTimers is one measurement of runTimers with n processes.
func armedTimers(c config, n int) (perTimer, goroutines float64, err error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New()
	ack, fail := make(chan struct{}, n), make(chan error, 1)
	pids := make([]actor.PID, n)
	for i := range pids {
		pid, err := sys.Spawn(timerActor(ack, fail))
		if err != nil {
			return 0, 0, shutdown(sys, err)
		}
		pids[i] = pid
	}
	if err := command(sys, pids, timerNoop{}, ack, fail, w); err != nil {
		return 0, 0, shutdown(sys, err)
	}
	h0, _, g0 := settledSnapshot()
	if err := command(sys, pids, timerArm{}, ack, fail, w); err != nil {
		return 0, 0, shutdown(sys, err)
	}
	h1, _, g1 := settledSnapshot()
	if got := sys.Processes(); got != n {
		return 0, 0, shutdown(sys, fmt.Errorf("%d processes alive, want %d", got, n))
	}
	perTimer = (float64(h1) - float64(h0)) / float64(n)
	goroutines = float64(g1-g0) / float64(n)
	return perTimer, goroutines, shutdown(sys, nil)
}

// settledSnapshot is snapshot once the mailboxes' segment pools are empty:
// a sync.Pool keeps what it held for one collection more, which would add
// the segments that happened to be pooled, tens of bytes per process, at
// random to one side.
func settledSnapshot() (heap, stack uint64, goroutines int) {
	runtime.GC()
	return snapshot()
}
