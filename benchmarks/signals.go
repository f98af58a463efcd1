package main

import (
	"context"
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// stamp is the exit reason of a victim: the moment it decided to exit. The
// watcher's latency is the time from it to the Exit or Down that carries it,
// so no memory is shared between the two.
type stamp struct{ at time.Time }

func (stamp) Error() string { return "benchmark exit" }

type (
	die       struct{}
	newVictim struct{}
)

// victim exits with a stamp when told to die.
func victim(ctx actor.Context, msg any) {
	if _, ok := msg.(die); ok {
		ctx.Stop(stamp{at: time.Now()})
	}
}

// watcher spawns a victim per newVictim request, linked (trapping exits) or
// monitored, and reports the latency of each victim's Exit or Down.
type watcher struct {
	link bool
	lat  chan<- time.Duration
	fail chan<- error
}

func (w *watcher) Init(ctx actor.Context) error {
	if w.link {
		ctx.TrapExit(true)
	}
	return nil
}

func (w *watcher) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case newVictim:
		var pid actor.PID
		var err error
		if w.link {
			pid, err = ctx.SpawnLink(actor.Func(victim))
		} else if pid, err = ctx.Spawn(actor.Func(victim)); err == nil {
			_, err = ctx.Monitor(pid)
		}
		if err != nil {
			report(w.fail, err)
			return
		}
		_ = ctx.Reply(pid)
	case actor.Exit:
		if !m.From.IsZero() { // not the system's Shutdown
			w.observe(m.Reason)
		}
	case actor.Down:
		w.observe(m.Reason)
	}
}

func (w *watcher) observe(reason error) {
	now := time.Now()
	s, ok := reason.(stamp) // not errors.As: it would add its own cost to the watcher
	if !ok {
		report(w.fail, fmt.Errorf("unexpected exit reason %v", reason))
		return
	}
	w.lat <- now.Sub(s.at)
}

// signalRuntime measures n exits of victims watched by one process, linked
// or monitored.
func signalRuntime(c config, n int, link bool) ([]time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New()
	lat := make(chan time.Duration, 1)
	fail := make(chan error, 1)
	wpid, err := sys.Spawn(&watcher{link: link, lat: lat, fail: fail})
	if err != nil {
		return nil, shutdown(sys, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	out := make([]time.Duration, 0, n)
	for range n {
		v, err := sys.Request(ctx, wpid, newVictim{})
		if err != nil {
			return nil, shutdown(sys, err)
		}
		var d time.Duration
		measured(func() {
			if err = sys.Send(v.(actor.PID), die{}); err == nil {
				d, err = recv(w, lat, fail)
			}
		})
		if err != nil {
			return nil, shutdown(sys, err)
		}
		out = append(out, d)
	}
	return out, shutdown(sys, nil)
}

// goVictim is the baseline's victim: a goroutine that stamps its exit and
// closes done, which its watcher goroutine waits on.
type goVictim struct {
	die  chan struct{}
	done chan struct{}
	at   time.Time // written before done is closed
}

// signalChan is the baseline: a long-lived watcher goroutine learns of each
// victim goroutine's end from a closed channel.
func signalChan(c config, n int) ([]time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	victims := make(chan *goVictim)
	lat := make(chan time.Duration, 1)
	go func() {
		for v := range victims {
			<-v.done
			lat <- time.Since(v.at)
		}
	}()
	defer close(victims)
	out := make([]time.Duration, 0, n)
	for range n {
		v := &goVictim{die: make(chan struct{}), done: make(chan struct{})}
		go func() {
			<-v.die
			v.at = time.Now()
			close(v.done)
		}()
		victims <- v
		close(v.die)
		d, err := recv(w, lat, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func latencyResult(scenario, impl string, mbox int, ds []time.Duration) Result {
	p50, p99, mean := latencies(ds)
	return Result{Scenario: scenario, Impl: impl, Mailbox: mbox, N: len(ds), P50: ptr(p50), P99: ptr(p99), NsPerOp: ptr(mean), Reps: 1}
}

func runSignal(c config, scenario string, link bool) ([]Result, error) {
	ch, err := signalChan(c, c.signalN)
	if err != nil {
		return nil, fmt.Errorf("chan: %w", err)
	}
	rt, err := signalRuntime(c, c.signalN, link)
	if err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	return []Result{
		latencyResult(scenario, implChan, 0, ch),
		latencyResult(scenario, implRuntime, actor.DefaultCapacity, rt),
	}, nil
}

func runLinkExit(c config) ([]Result, error)    { return runSignal(c, "link-exit", true) }
func runMonitorDown(c config) ([]Result, error) { return runSignal(c, "monitor-down", false) }
