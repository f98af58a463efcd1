package system_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

// relay forwards every message to next.
func relay(next actor.PID) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Forward(next) })
}

// echo replies with its message and the sender it saw.
type seen struct {
	msg    any
	sender actor.PID
}

func echoSender() actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(seen{msg, ctx.Sender()}) })
}

func TestForwardKeepsTheSender(t *testing.T) {
	sys := newSystem(t)
	got := make(chan seen, 1)
	sink := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { got <- seen{msg, ctx.Sender()} }))
	mid := spawn(t, sys, relay(sink))
	sender := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Send(mid, msg) }))
	require.NoError(t, sys.Send(sender, "hello"))
	s := take(t, got)
	require.Equal(t, seen{"hello", sender}, s, "the receiver sees the original sender")
}

func TestForwardedRequestIsAnsweredByTheLastHop(t *testing.T) {
	sys := newSystem(t)
	last := spawn(t, sys, echoSender())
	hop := last
	for range 3 {
		hop = spawn(t, sys, relay(hop))
	}
	v, err := sys.Request(context.Background(), hop, "q")
	require.NoError(t, err)
	require.Equal(t, seen{"q", actor.PID{}}, v, "a request from outside has the zero sender at every hop")

	// From inside a process: the last hop sees the requester.
	asker := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		v, err := ctx.Request(context.Background(), hop, msg)
		_ = ctx.Reply([]any{v, err})
	}))
	v, err = sys.Request(context.Background(), asker, "q2")
	require.NoError(t, err)
	require.Equal(t, []any{seen{"q2", asker}, nil}, v)
}

func TestForwardToDeadProcessFailsTheRequest(t *testing.T) {
	sys := newSystem(t)
	gone := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, sys.Stop(context.Background(), gone))
	mid := spawn(t, sys, relay(gone))
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, err := sys.Request(ctx, mid, "q")
	var ee *actor.ExitError
	require.ErrorAs(t, err, &ee, "the request fails with the receiver's exit")
	require.Equal(t, gone, ee.PID)
	require.ErrorIs(t, err, actor.NoProc, "whose reason is no longer known")

	boom := errors.New("boom")
	dies := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(boom) }))
	mid2 := spawn(t, sys, relay(dies))
	_, err = sys.Request(ctx, mid2, "q")
	require.ErrorAs(t, err, &ee, "the receiver's exit fails the request")
	require.Equal(t, dies, ee.PID)
	require.ErrorIs(t, err, boom)
	require.NoError(t, ctx.Err(), "promptly, not at the deadline")
}

func TestForwarderExitDoesNotFailTheRequest(t *testing.T) {
	sys := newSystem(t)
	release := make(chan struct{})
	slow := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		<-release
		_ = ctx.Reply("late")
	}))
	mid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Forward(slow)
		ctx.Stop(errors.New("router crashed"))
	}))
	m, err := sys.Monitor(mid)
	require.NoError(t, err)
	res := make(chan any, 1)
	go func() {
		v, err := sys.Request(context.Background(), mid, "q")
		res <- []any{v, err}
	}()
	take(t, m.Down())
	close(release)
	require.Equal(t, []any{"late", nil}, take(t, res))
}

func TestForwardTwicePassesTheRequestOnce(t *testing.T) {
	sys := newSystem(t)
	errs := make(chan error, 1)
	first := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply("first") }))
	second := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { errs <- ctx.Reply("second") }))
	mid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Forward(first)
		_ = ctx.Forward(second)
		errs <- ctx.Reply("mid")
	}))
	v, err := sys.Request(context.Background(), mid, "q")
	require.NoError(t, err)
	require.Equal(t, "first", v)
	for range 2 {
		require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	}
}

func TestForwardToTheRequesterFails(t *testing.T) {
	sys := newSystem(t)
	var asker actor.PID
	mid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Forward(ctx.Sender()) }))
	asker = spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_, err := ctx.Request(context.Background(), mid, "q")
		_ = ctx.Reply(err)
	}))
	v, err := sys.Request(context.Background(), asker, "go")
	require.NoError(t, err)
	require.ErrorIs(t, v.(error), actor.ErrRequestSelf)
}

// Requests through a relay to workers that are killed under load: every
// request ends exactly once, answered or failed with the worker's exit
// (never by the requester's deadline), and every answer is the right one.
func TestForwardLedgerUnderKills(t *testing.T) {
	sys := newSystem(t)
	const workers, requests = 4, 400
	pids := make([]actor.PID, workers)
	for i := range pids {
		pids[i] = spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }))
	}
	n := 0
	mid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Forward(pids[n%workers])
		n++
	}))
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var answered, failed, wrong int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range requests / 4 {
				id := g*requests + i
				v, err := sys.Request(ctx, mid, id)
				mu.Lock()
				switch {
				case err == nil && v == id:
					answered++
				case err == nil:
					wrong++
				case errors.Is(err, actor.Killed), errors.Is(err, actor.NoProc):
					failed++
				default:
					t.Errorf("request %d: %v", id, err)
				}
				mu.Unlock()
			}
		})
	}
	require.NoError(t, sys.Kill(pids[1]))
	require.NoError(t, sys.Kill(pids[2]))
	wg.Wait()
	require.Zero(t, wrong)
	require.Equal(t, requests, answered+failed, "every request ends once")
	require.NoError(t, ctx.Err(), "no request waited out its deadline")
}
