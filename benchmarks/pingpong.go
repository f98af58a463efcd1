package main

import (
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

type (
	ping  struct{}
	pong  struct{}
	serve struct{ peer actor.PID }
)

// pingpongRuntime plays n round trips between two actors: the pinger sends
// ping with ctx.Send, the ponger answers ctx.Sender() with pong, and the
// pinger closes done when it has received the n-th pong.
func pingpongRuntime(c config, n int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	sys := system.New()
	done := make(chan struct{})
	fail := make(chan error, 1)
	send := func(ctx actor.Context, to actor.PID, msg any) {
		if err := ctx.Send(to, msg); err != nil {
			report(fail, err)
		}
	}
	ponger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if _, ok := msg.(ping); ok {
			send(ctx, ctx.Sender(), pong{})
		}
	}), actor.WithMailbox(c.mailbox, actor.DefaultPolicy))
	if err != nil {
		return 0, shutdown(sys, err)
	}
	got := 0
	pinger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case serve:
			send(ctx, m.peer, ping{})
		case pong:
			if got++; got == n {
				close(done)
				return
			}
			send(ctx, ctx.Sender(), ping{})
		}
	}), actor.WithMailbox(c.mailbox, actor.DefaultPolicy))
	if err != nil {
		return 0, shutdown(sys, err)
	}
	start := time.Now()
	if err := sys.Send(pinger, serve{peer: ponger}); err != nil {
		return 0, shutdown(sys, err)
	}
	_, err = recv(w, done, fail)
	return time.Since(start), shutdown(sys, err)
}

// pingpongBuffer is the channels' buffer in the baseline: unbuffered, the
// plain Go round trip (a buffer of 1 measured the same on the reference
// machine, within noise).
const pingpongBuffer = 0

// pingpongChan is the baseline: two goroutines and two channels.
func pingpongChan(c config, n int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	pings := make(chan struct{}, pingpongBuffer)
	pongs := make(chan struct{}, pingpongBuffer)
	done := make(chan struct{})
	go func() {
		for range pings {
			pongs <- struct{}{}
		}
	}()
	defer close(pings)
	start := time.Now()
	go func() {
		for range n {
			pings <- struct{}{}
			<-pongs
		}
		close(done)
	}()
	_, err := recv(w, done, nil)
	return time.Since(start), err
}

// pingpongRing plays n round trips between two rings (ring.go), each with
// an on-demand consumer: the ponger's answers each ping with a pong on the
// pinger's ring, the pinger's answers each pong with a ping until the n-th,
// as the actors of pingpongRuntime do.
func pingpongRing(c config, n int) (time.Duration, error) {
	w := newWatchdog(c.timeout)
	defer w.stop()
	done := make(chan struct{})
	var pinger *ring
	ponger := newRing(func(msg any) {
		if _, ok := msg.(ping); ok {
			pinger.push(pong{})
		}
	})
	got := 0
	pinger = newRing(func(msg any) {
		switch msg.(type) {
		case serve:
			ponger.push(ping{})
		case pong:
			if got++; got == n {
				close(done)
				return
			}
			ponger.push(ping{})
		}
	})
	start := time.Now()
	pinger.push(serve{})
	_, err := recv(w, done, nil)
	elapsed := time.Since(start)
	pinger.wait()
	ponger.wait()
	return elapsed, err
}

// runPingPong plays the round trips on channels, on rings and on actors,
// one after the other.
func runPingPong(c config) ([]Result, error) {
	n := c.pingN
	mk := func(impl string, mbox int, d time.Duration) Result {
		return Result{Scenario: "pingpong", Impl: impl, Mailbox: mbox, N: n, NsPerOp: ptr(float64(d.Nanoseconds()) / float64(n)), Reps: 1}
	}
	d, err := pingpongChan(c, n)
	if err != nil {
		return nil, fmt.Errorf("chan: %w", err)
	}
	out := []Result{mk(implChan, pingpongBuffer, d)}
	if d, err = pingpongRing(c, n); err != nil {
		return nil, fmt.Errorf("ring: %w", err)
	}
	out = append(out, mk(implRing, ringSize, d))
	if d, err = pingpongRuntime(c, n); err != nil {
		return nil, fmt.Errorf("runtime: %w", err)
	}
	return append(out, mk(implRuntime, c.mailbox, d)), nil
}
