package actortest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
)

// session is a small actor to unit-test: it greets, starts a linked
// worker on "work", keeps a heartbeat and an idle timeout, and stops on
// ReceiveTimeout.
type session struct{ worker actor.PID }

func (s *session) Init(ctx actor.Context) error {
	if _, err := ctx.SendInterval(time.Second, ctx.Self(), "beat"); err != nil {
		return err
	}
	return ctx.SetReceiveTimeout(time.Minute)
}

func (s *session) Receive(ctx actor.Context, msg any) {
	switch msg {
	case "hello":
		_ = ctx.Reply("hello, " + ctx.Sender().String())
	case "work":
		s.worker, _ = ctx.SpawnLink(actor.Func(func(actor.Context, any) {}))
		_ = ctx.Send(s.worker, "start")
		_, _ = ctx.SendAfter(time.Hour, s.worker, "deadline")
	case actor.ReceiveTimeout{}:
		ctx.Stop(errors.New("idle"))
	}
}

func TestContextRecordsWhatAHandlerDoes(t *testing.T) {
	c := actortest.NewContext()
	s := &session{}
	require.NoError(t, s.Init(c))
	require.Equal(t, []actortest.Timer{{After: time.Second, Every: time.Second, To: c.Self(), Msg: "beat"}}, c.Timers)
	require.Equal(t, time.Minute, c.ReceiveTimeout)

	client := actor.NewPID(1, 7)
	reply, ok := c.DeliverRequest(s, client, "hello")
	require.True(t, ok)
	require.Equal(t, "hello, "+client.String(), reply)
	_, ok = c.DeliverRequest(s, client, "unknown")
	require.False(t, ok, "no reply to a message it ignores")
	require.ErrorIs(t, c.Reply("late"), actor.ErrNoRequest, "Reply outside a Request")

	c.Deliver(s, client, "work")
	require.Len(t, c.Spawned, 1)
	require.True(t, c.Spawned[0].Linked)
	require.Equal(t, s.worker, c.Spawned[0].PID)
	require.Equal(t, []actortest.Sent{{To: s.worker, Msg: "start"}}, c.Sent)
	require.Equal(t, actortest.Timer{After: time.Hour, To: s.worker, Msg: "deadline"}, c.Timers[1])
	require.False(t, c.Stopped)

	c.Deliver(s, actor.PID{}, actor.ReceiveTimeout{})
	require.True(t, c.Stopped)
	require.EqualError(t, c.StopReason, "idle")
	require.Error(t, c.Context().Err(), "a stopped process's context is done")
}

func TestContextRefusesWhatTheRuntimeRefuses(t *testing.T) {
	c := actortest.NewContext()
	_, err := c.SendInterval(0, c.Self(), "x")
	require.ErrorIs(t, err, actor.ErrBadDuration)
	_, err = c.SendInterval(time.Second, actor.PID{}, "x")
	require.ErrorIs(t, err, actor.ErrZeroPID)
	require.ErrorIs(t, c.SetReceiveTimeout(-1), actor.ErrBadDuration)
	_, err = c.Request(t.Context(), c.Self(), "x")
	require.ErrorIs(t, err, actor.ErrRequestSelf)
	require.NoError(t, c.Register("a"))
	require.ErrorIs(t, c.Register("a"), actor.ErrNameTaken)
	require.ErrorIs(t, c.Exit(c.Self(), nil), actor.ErrNilReason)
	_, err = c.Spawn(nil)
	require.ErrorIs(t, err, actor.ErrNilActor)
	_, err = c.SendAfter(-time.Second, c.Self(), "x")
	require.ErrorIs(t, err, actor.ErrBadDuration)
	_, err = c.SendAfter(time.Second, actor.PID{}, "x")
	require.ErrorIs(t, err, actor.ErrZeroPID)
	cancel, err := c.SendAfter(time.Second, c.Self(), "x")
	require.NoError(t, err)
	require.True(t, cancel())
	require.False(t, cancel())
	require.True(t, c.Timers[len(c.Timers)-1].Cancelled)
}

// The recording Context's Forward refuses what the runtime's refuses.
func TestContextForwardRefusesAsTheRuntimeDoes(t *testing.T) {
	c := actortest.NewContext()
	requester := actor.NewPID(1, 7)
	a := actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Forward(ctx.Sender()) // back to the requester: it could never answer
	})
	_, replied := c.DeliverRequest(a, requester, "ping")
	require.False(t, replied)
	require.Empty(t, c.Forwarded)
	require.Equal(t, []actortest.Refused{{Msg: "ping", Reason: actor.ErrRequestSelf}}, c.Refused)

	c.Deliver(actor.Func(func(ctx actor.Context, msg any) {
		require.ErrorIs(t, ctx.Forward(actor.PID{}), actor.ErrZeroPID)
	}), requester, "pong")
	require.Len(t, c.Refused, 2)
}
