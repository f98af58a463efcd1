package remote_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
)

// echo answers a ping with a pong, to the sender or as the reply.
func echo(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case ping:
		if ctx.Reply(pong{m.N}) != nil && !ctx.Sender().IsZero() {
			_ = ctx.Send(ctx.Sender(), pong{m.N})
		}
	case string:
		_ = ctx.Reply(m + "!")
	}
}

func TestSendRequestReply(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	srv, err := b.System().Spawn(actor.Func(echo), actor.WithName("echo"))
	require.NoError(t, err)
	ctx := context.Background()

	// From a System: Request, with a built-in and a registered type.
	got, err := a.System().Request(ctx, srv, "hi")
	require.NoError(t, err)
	require.Equal(t, "hi!", got)
	got, err = a.System().Request(ctx, srv, ping{7})
	require.NoError(t, err)
	require.Equal(t, pong{7}, got)

	// From a Context: Send, and the reply to Sender comes back.
	w, ch := probe(t, a.System(), false)
	client, err := a.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case ping:
			_ = ctx.Send(srv, m)
		case pong:
			_ = ctx.Send(w, m)
		case string: // a Request from a process, by name on the node
			v, err := ctx.Request(ctx.Context(), srv, m)
			if err == nil {
				err = ctx.SendNamed("echo@b", ping{99})
			}
			_ = ctx.Send(w, []any{v, err})
		}
	}))
	require.NoError(t, err)
	require.NoError(t, a.System().Send(client, ping{1}))
	require.Equal(t, pong{1}, next(t, ch))
	require.NoError(t, a.System().Send(client, "x"))
	require.Equal(t, []any{"x!", nil}, next(t, ch))
	require.Equal(t, pong{99}, next(t, ch)) // echo@b answered the client's Sender

	// SendNamed from a System to a name on a node.
	require.NoError(t, a.System().SendNamed("echo@b", "no reply"))
	err = a.System().SendNamed("nobody@b", "lost")
	require.NoError(t, err, "the name is looked up on b, which dead-letters it")

	name, inc, ok := remote.NodeOf(srv)
	require.True(t, ok)
	require.Equal(t, "b", name)
	require.Equal(t, b.Incarnation(), inc)
}

// System.Monitor, from outside any process, watches a remote process too.
func TestSystemMonitorOfRemoteProcess(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	target, err := b.System().Spawn(actor.Func(crasher))
	require.NoError(t, err)
	m, err := a.System().Monitor(target)
	require.NoError(t, err)
	other, err := a.System().Monitor(target)
	require.NoError(t, err)
	require.True(t, other.Demonitor())
	require.NoError(t, a.System().Send(target, "boom"))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	d, err := m.Wait(ctx)
	require.NoError(t, err)
	var pe *actor.PanicError
	require.ErrorAs(t, d.Reason, &pe)
	require.Equal(t, target, d.PID)
	select {
	case d := <-other.Down():
		t.Fatalf("a Down after Demonitor: %v", d)
	default:
	}
	// A monitor of a process already gone answers NoProc.
	m2, err := a.System().Monitor(target)
	require.NoError(t, err)
	d, err = m2.Wait(ctx)
	require.NoError(t, err)
	require.ErrorIs(t, d.Reason, actor.NoProc)
}

// Timers send to a remote process as to a local one: each firing is a send
// through the node.
func TestTimersToRemoteProcess(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	dst, ch := probe(t, b.System(), false)
	_, err := a.System().SendAfter(0, dst, "after")
	require.NoError(t, err)
	require.Equal(t, "after", next(t, ch))
	cancel, err := a.System().SendInterval(T/10, dst, "tick")
	require.NoError(t, err)
	require.Equal(t, "tick", next(t, ch))
	require.Equal(t, "tick", next(t, ch))
	require.True(t, cancel())
}
