package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/system"
)

// routees is how many routees the router scenario routes over.
const routees = 4

// runRouter measures a round-robin router over four routees beside the
// runtime without it, in the same run: four senders telling n messages
// through the router against tell-4to1's four senders to one actor, and
// Request round trips through the router against direct ones.
func runRouter(c config) ([]Result, error) {
	direct, err := tellRuntime(c, c.tellN, routees, c.mailbox)
	if err != nil {
		return nil, fmt.Errorf("direct tell: %w", err)
	}
	routed, err := tellRouter(c, c.tellN)
	if err != nil {
		return nil, fmt.Errorf("router tell: %w", err)
	}
	reqDirect, err := requests(c, c.pingN, false)
	if err != nil {
		return nil, fmt.Errorf("direct request: %w", err)
	}
	reqRouted, err := requests(c, c.pingN, true)
	if err != nil {
		return nil, fmt.Errorf("router request: %w", err)
	}
	tell := func(impl string, t throughput) Result {
		rate := float64(c.tellN) / t.elapsed.Seconds()
		return Result{Scenario: "router", Impl: impl, Mailbox: c.mailbox, N: c.tellN, Senders: routees,
			MsgsPerSec: ptr(rate), NsPerOp: ptr(1e9 / rate), AllocsPerOp: ptr(float64(t.mallocs) / float64(c.tellN)), Reps: 1}
	}
	req := func(impl string, d time.Duration) Result {
		return Result{Scenario: "router", Impl: impl, Mailbox: c.mailbox, N: c.pingN, Senders: 1,
			NsPerOp: ptr(float64(d.Nanoseconds()) / float64(c.pingN)), Reps: 1}
	}
	return []Result{
		tell(implDirect, direct), tell(implRuntime, routed),
		req(implDirect, reqDirect), req(implRuntime, reqRouted),
	}, nil
}

// tellRouter sends n messages from four senders to a round-robin router
// over four routees, until every routee has received its share.
func tellRouter(c config, n int) (throughput, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New()
	fail := make(chan error, 1)
	done := make(chan struct{})
	var left atomic.Int32 // routees yet to receive their share
	left.Store(routees)
	pids := make([]actor.PID, routees)
	for i := range pids {
		share, got := split(n, routees, i), 0
		pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
			if _, ok := msg.(tellMsg); !ok {
				report(fail, fmt.Errorf("routee got %T", msg))
				return
			}
			if got++; got == share && left.Add(-1) == 0 {
				close(done)
			}
		}), actor.WithMailbox(c.mailbox, mailbox.Backpressure))
		if err != nil {
			return throughput{}, shutdown(sys, err)
		}
		pids[i] = pid
	}
	r, err := sys.Spawn(router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}),
		actor.WithMailbox(c.mailbox, mailbox.Backpressure))
	if err != nil {
		return throughput{}, shutdown(sys, err)
	}
	t, err := measure(w, done, fail, func() error {
		return fanIn(n, routees, func(m tellMsg) error { return sys.Send(r, m) })
	})
	return t, shutdown(sys, err)
}

// requests makes n Requests in a row from outside the actors to an echo
// actor, or through a round-robin router to four of them, and returns how
// long they took.
func requests(c config, n int, routed bool) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New()
	echo := actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) })
	var to actor.PID
	var err error
	if routed {
		pids := make([]actor.PID, routees)
		for i := range pids {
			if pids[i], err = sys.Spawn(echo); err != nil {
				return 0, shutdown(sys, err)
			}
		}
		to, err = sys.Spawn(router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}))
	} else {
		to, err = sys.Spawn(echo)
	}
	if err != nil {
		return 0, shutdown(sys, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	start := time.Now()
	measured(func() {
		for i := range n {
			if _, err = sys.Request(ctx, to, tellMsg(i)); err != nil {
				return
			}
		}
	})
	return time.Since(start), shutdown(sys, err)
}
