package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// throughput is one timed run of a tell.
type throughput struct {
	elapsed time.Duration
	mallocs uint64 // heap allocations during the run, all goroutines
}

// tellMsg is the small message of the tell scenarios: a byte, which Go
// boxes into an interface without allocating.
type tellMsg = uint8

// split returns how many of n messages sender s of k sends.
func split(n, k, s int) int {
	m := n / k
	if s < n%k {
		m++
	}
	return m
}

// measure runs send (which sends every message) and waits on done, which
// the receiver closes when it has received the last one.
func measure(w *watchdog, done <-chan struct{}, fail <-chan error, send func() error) (throughput, error) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	start := time.Now()
	if err := send(); err != nil {
		return throughput{}, err
	}
	if _, err := recv(w, done, fail); err != nil {
		return throughput{}, err
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	return throughput{elapsed: elapsed, mallocs: m1.Mallocs - m0.Mallocs}, nil
}

// fanIn runs senders goroutines, each sending its share of n with sendOne,
// and returns the first error. One sender sends from the calling goroutine.
func fanIn(n, senders int, sendOne func(tellMsg) error) error {
	if senders == 1 {
		for i := range n {
			if err := sendOne(tellMsg(i)); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for s := range senders {
		k := split(n, senders, s)
		wg.Go(func() {
			for i := range k {
				if err := sendOne(tellMsg(i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// tellRuntime sends n messages from senders goroutines to one actor with a
// Backpressure mailbox of the given capacity, until the actor has received
// them all. opts configure the system.
func tellRuntime(c config, n, senders, capacity int, opts ...system.Option) (throughput, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New(opts...)
	done := make(chan struct{})
	fail := make(chan error, 1)
	got := 0
	pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
		if _, ok := msg.(tellMsg); !ok {
			report(fail, fmt.Errorf("receiver got %T", msg))
			return
		}
		if got++; got == n {
			close(done)
		}
	}), actor.WithMailbox(capacity, mailbox.Backpressure))
	if err != nil {
		return throughput{}, err
	}
	t, err := measure(w, done, fail, func() error {
		return fanIn(n, senders, func(m tellMsg) error { return sys.Send(pid, m) })
	})
	return t, shutdown(sys, err)
}

// tellChan is the baseline: the same senders on a buffered channel of the
// same capacity, drained by one receiving goroutine.
func tellChan(c config, n, senders, capacity int) (throughput, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	ch := make(chan any, capacity)
	done := make(chan struct{})
	go func() {
		got := 0
		for range ch {
			if got++; got == n {
				close(done)
			}
		}
	}()
	defer close(ch)
	return measure(w, done, nil, func() error {
		return fanIn(n, senders, func(m tellMsg) error { ch <- m; return nil })
	})
}

// shutdown shuts sys down and returns err, or the shutdown's error.
func shutdown(sys *system.System, err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if serr := sys.Shutdown(ctx); err == nil && serr != nil {
		err = fmt.Errorf("shutdown: %w", serr)
	}
	return err
}

// tellRing is the ideal-queue baseline: the same senders push onto a ring
// (ring.go), whose consumer, started on demand, counts the messages.
func tellRing(c config, n, senders int) (throughput, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	done := make(chan struct{})
	fail := make(chan error, 1)
	got := 0
	r := newRing(func(msg any) {
		if _, ok := msg.(tellMsg); !ok {
			report(fail, fmt.Errorf("ring consumer got %T", msg))
			return
		}
		if got++; got == n {
			close(done)
		}
	})
	t, err := measure(w, done, fail, func() error {
		return fanIn(n, senders, func(m tellMsg) error { r.push(m); return nil })
	})
	r.wait()
	return t, err
}

// tellSet runs one tell on the channel, on the ring if withRing, and on
// the runtime, one after the other, and returns a result for each.
func tellSet(c config, scenario string, n, senders, capacity int, withRing bool) ([]Result, error) {
	mk := func(impl string, mbox int, t throughput) Result {
		rate := float64(n) / t.elapsed.Seconds()
		return Result{
			Scenario: scenario, Impl: impl, Mailbox: mbox, N: n, Senders: senders,
			MsgsPerSec: ptr(rate), NsPerOp: ptr(1e9 / rate), AllocsPerOp: ptr(float64(t.mallocs) / float64(n)), Reps: 1,
		}
	}
	t, err := tellChan(c, n, senders, capacity)
	if err != nil {
		return nil, fmt.Errorf("chan: %w", err)
	}
	out := []Result{mk(implChan, capacity, t)}
	if withRing {
		if t, err = tellRing(c, n, senders); err != nil {
			return nil, fmt.Errorf("ring: %w", err)
		}
		out = append(out, mk(implRing, ringSize, t))
	}
	if t, err = tellRuntime(c, n, senders, capacity); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	return append(out, mk(implRuntime, capacity, t)), nil
}

func runTell1to1(c config) ([]Result, error) {
	return tellSet(c, "tell-1to1", c.tellN, 1, c.mailbox, true)
}

func runTell4to1(c config) ([]Result, error) {
	return tellSet(c, "tell-4to1", c.tellN, 4, c.mailbox, true)
}

// runSweep is tell-1to1 and tell-4to1 at each mailbox capacity, under
// Backpressure, each beside a channel of the same capacity.
func runSweep(c config) ([]Result, error) {
	var out []Result
	for _, senders := range []int{1, 4} {
		for _, capacity := range c.sweep {
			rs, err := tellSet(c, "mailbox-sweep", c.sweepN, senders, capacity, false)
			if err != nil {
				return nil, fmt.Errorf("%d senders, mailbox %d: %w", senders, capacity, err)
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}
