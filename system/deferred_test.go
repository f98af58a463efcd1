package system_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// holder defers every "get" and hands the Deferred to the test on held;
// on "release" it answers those it kept with their order.
func holder(held chan<- actor.Deferred, errs chan<- error) actor.Actor {
	var kept []actor.Deferred
	return actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "get":
			d, err := ctx.ReplyLater()
			if err != nil {
				errs <- err
				return
			}
			errs <- ctx.Reply("too early") // the reply left the handler
			kept = append(kept, d)
			held <- d
		case "release":
			for i, d := range kept {
				errs <- d.Reply(i)
			}
			kept = nil
		}
	})
}

func request(sys *system.System, ctx context.Context, pid actor.PID, msg any) <-chan []any {
	res := make(chan []any, 1)
	go func() {
		v, err := sys.Request(ctx, pid, msg)
		res <- []any{v, err}
	}()
	return res
}

func TestReplyLaterFromAnotherMessage(t *testing.T) {
	sys := newSystem(t)
	held, errs := make(chan actor.Deferred, 2), make(chan error, 8)
	pid := spawn(t, sys, holder(held, errs))
	r0 := request(sys, context.Background(), pid, "get")
	take(t, held)
	r1 := request(sys, context.Background(), pid, "get")
	take(t, held)
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	require.NoError(t, sys.Send(pid, "release"))
	require.Equal(t, []any{0, nil}, take(t, r0))
	require.Equal(t, []any{1, nil}, take(t, r1))
	require.NoError(t, take(t, errs))
	require.NoError(t, take(t, errs))
}

func TestReplyLaterFromAnotherGoroutineExactlyOnce(t *testing.T) {
	sys := newSystem(t)
	held, errs := make(chan actor.Deferred, 1), make(chan error, 8)
	pid := spawn(t, sys, holder(held, errs))
	r := request(sys, context.Background(), pid, "get")
	d := take(t, held)
	require.Equal(t, actor.PID{}, d.Sender())
	require.NoError(t, d.Context().Err())
	require.NoError(t, d.Reply("answer"))
	require.ErrorIs(t, d.Reply("again"), actor.ErrReplied, "a second answer is an error")
	require.Equal(t, []any{"answer", nil}, take(t, r))
}

func TestReplyLaterToARequesterThatGaveUpIsADeadLetter(t *testing.T) {
	sys := newSystem(t)
	sub := sys.Subscribe(func(e any) bool { _, ok := e.(actor.DeadLetter); return ok })
	defer sub.Close()
	held, errs := make(chan actor.Deferred, 1), make(chan error, 8)
	pid := spawn(t, sys, holder(held, errs))
	ctx, cancel := context.WithCancel(context.Background())
	r := request(sys, ctx, pid, "get")
	d := take(t, held)
	cancel()
	require.ErrorIs(t, take(t, r)[1].(error), context.Canceled)
	require.ErrorIs(t, d.Context().Err(), context.Canceled)
	require.NoError(t, d.Reply("late"))
	ev, err := sub.Next(testCtx(t))
	require.NoError(t, err)
	dl := ev.(actor.DeadLetter)
	require.Equal(t, "late", dl.Message)
	require.Equal(t, pid, dl.From)
}

func TestExitFailsDeferredRequestsAtOnce(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		end    func(sys *system.System, pid actor.PID)
		reason error
	}{
		{"stop", func(sys *system.System, pid actor.PID) { require.NoError(t, sys.Send(pid, "stop")) }, boom},
		{"kill", func(sys *system.System, pid actor.PID) { require.NoError(t, sys.Kill(pid)) }, actor.Killed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := newSystem(t)
			held := make(chan actor.Deferred, 3)
			pid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
				if msg == "stop" {
					ctx.Stop(boom)
					return
				}
				d, _ := ctx.ReplyLater()
				held <- d
			}))
			ctx := testCtx(t)
			var rs []<-chan []any
			for range 3 {
				rs = append(rs, request(sys, ctx, pid, "get"))
				take(t, held)
			}
			tc.end(sys, pid)
			for _, r := range rs {
				err, _ := take(t, r)[1].(error)
				var ee *actor.ExitError
				require.ErrorAs(t, err, &ee)
				require.Equal(t, pid, ee.PID)
				require.ErrorIs(t, err, tc.reason)
			}
			require.NoError(t, ctx.Err(), "no requester waited out its deadline")
		})
	}
}

func TestReplyLaterNeedsARequest(t *testing.T) {
	sys := newSystem(t)
	errs := make(chan error, 1)
	pid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_, err := ctx.ReplyLater()
		errs <- err
	}))
	require.NoError(t, sys.Send(pid, "tell"))
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
}

func TestRefuseFailsTheRequestAndCountsTheMessage(t *testing.T) {
	sys := newSystem(t)
	nope := errors.New("cannot handle")
	errs := make(chan error, 2)
	pid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		errs <- ctx.Refuse(nope)
		errs <- ctx.Reply("after")
	}))
	before := sys.DeadLetters()
	_, err := sys.Request(testCtx(t), pid, "q")
	require.ErrorIs(t, err, nope)
	require.NoError(t, take(t, errs))
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	require.Equal(t, before+1, sys.DeadLetters())
}

func TestBacklogReadsTheQueueWithoutAMessage(t *testing.T) {
	sys := newSystem(t)
	block, entered := make(chan struct{}), make(chan struct{}, 1)
	busy := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		if msg == "block" {
			entered <- struct{}{}
			<-block
		}
	}))
	reader := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Reply(ctx.Backlog(msg.(actor.PID)))
	}))
	require.NoError(t, sys.Send(busy, "block"))
	take(t, entered)
	for range 5 {
		require.NoError(t, sys.Send(busy, "x"))
	}
	n, err := sys.Request(testCtx(t), reader, busy)
	require.NoError(t, err)
	require.Equal(t, 5, n)
	close(block)
	require.NoError(t, sys.Stop(testCtx(t), busy))
	n, err = sys.Request(testCtx(t), reader, busy)
	require.NoError(t, err)
	require.Equal(t, 0, n, "a dead process has no backlog")
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// A process holds messages, a Request among them, and forwards them once
// told where: the receiver sees the original sender and answers the
// requester; a held message can be refused instead.
func TestHoldThenForward(t *testing.T) {
	sys := newSystem(t)
	target := spawn(t, sys, echoSender())
	held := make(chan actor.Held, 4)
	nope := errors.New("not wanted")
	errs := make(chan error, 4)
	holder := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "release":
			for range 2 {
				h := <-held
				errs <- h.Forward(target)
				errs <- h.Reply("too late") // the request went with the Forward
			}
		case "refuse":
			h := <-held
			errs <- h.Refuse(nope)
			errs <- h.Forward(target)
		default:
			h, err := ctx.Hold()
			errs <- err
			errs <- ctx.Reply("now") // the request left with the Held
			held <- h
		}
	}))
	asker := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		v, err := ctx.Request(context.Background(), holder, msg)
		_ = ctx.Reply([]any{v, err})
	}))
	r := request(sys, testCtx(t), asker, "q")
	require.NoError(t, take(t, errs))
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	r2 := request(sys, testCtx(t), holder, "q2")
	require.NoError(t, take(t, errs))
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	require.NoError(t, sys.Send(holder, "release"))
	require.Equal(t, []any{[]any{seen{"q", asker}, nil}, nil}, take(t, r), "answered by the target, which saw the asker")
	require.Equal(t, []any{seen{"q2", actor.PID{}}, nil}, take(t, r2))
	for range 2 {
		require.NoError(t, take(t, errs))
		require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	}

	r3 := request(sys, testCtx(t), holder, "q3")
	require.NoError(t, take(t, errs))
	require.ErrorIs(t, take(t, errs), actor.ErrNoRequest)
	require.NoError(t, sys.Send(holder, "refuse"))
	require.ErrorIs(t, take(t, r3)[1].(error), nope)
	require.NoError(t, take(t, errs))
	require.ErrorIs(t, take(t, errs), actor.ErrReplied)
}

func TestHeldRequestFailsWhenItsHolderExits(t *testing.T) {
	sys := newSystem(t)
	held := make(chan actor.Held, 1)
	pid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		h, _ := ctx.Hold()
		held <- h
	}))
	r := request(sys, testCtx(t), pid, "q")
	take(t, held)
	require.NoError(t, sys.Kill(pid))
	require.ErrorIs(t, take(t, r)[1].(error), actor.Killed)
}
