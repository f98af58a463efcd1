package system_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// prober probes the PID it is sent and hands on what Probe returned and
// every ProbeResult it receives, with the sender it saw.
type probed struct {
	ref actor.Ref
	err error
}

type probeSeen struct {
	res    actor.ProbeResult
	sender actor.PID
}

func prober(out chan<- any) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case actor.PID:
			ref, err := ctx.Probe(m)
			out <- probed{ref, err}
		case actor.ProbeResult:
			out <- probeSeen{m, ctx.Sender()}
		}
	})
}

// checked is an actor whose Check returns what it is told.
type checked struct {
	err   error
	panic bool
}

func (c *checked) Receive(ctx actor.Context, msg any) {
	if err, ok := msg.(error); ok {
		c.err = err
	}
}

func (c *checked) Check(actor.Context) error {
	if c.panic {
		panic("check crashed")
	}
	return c.err
}

func TestProbeIsAnsweredByTheRuntime(t *testing.T) {
	sys := newSystem(t)
	out := make(chan any, 8)
	pr := spawn(t, sys, prober(out))

	plain := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, sys.Send(pr, plain))
	sent := takeType[probed](t, out)
	require.NoError(t, sent.err)
	got := takeType[probeSeen](t, out)
	require.Equal(t, actor.ProbeResult{Ref: sent.ref, PID: plain}, got.res)
	require.Equal(t, plain, got.sender)

	sick := errors.New("database gone")
	c := &checked{}
	pid := spawn(t, sys, c)
	require.NoError(t, sys.Send(pid, sick)) // queued before the probe: Check sees it
	require.NoError(t, sys.Send(pr, pid))
	sent = takeType[probed](t, out)
	got = takeType[probeSeen](t, out)
	require.Equal(t, sent.ref, got.res.Ref)
	require.ErrorIs(t, got.res.Err, sick)
}

func TestProbeWaitsBehindQueuedMessages(t *testing.T) {
	sys := newSystem(t)
	out := make(chan any, 8)
	pr := spawn(t, sys, prober(out))
	started, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 4)
	busy := spawn(t, sys, blocker(started, release, got))
	require.NoError(t, sys.Send(busy, "first"))
	<-started
	require.NoError(t, sys.Send(busy, "second"))
	require.NoError(t, sys.Send(pr, busy))
	require.NoError(t, takeType[probed](t, out).err)
	none(t, out) // the handler is still busy: no answer yet
	close(release)
	require.Equal(t, "first", take(t, got))
	require.Equal(t, "second", take(t, got))
	require.Equal(t, busy, takeType[probeSeen](t, out).res.PID)
}

func TestProbeCheckPanicEndsTheProcess(t *testing.T) {
	sys := newSystem(t)
	out := make(chan any, 8)
	pr := spawn(t, sys, prober(out))
	pid := spawn(t, sys, &checked{panic: true})
	mon, err := sys.Monitor(pid)
	require.NoError(t, err)
	defer mon.Demonitor()
	require.NoError(t, sys.Send(pr, pid))
	require.NoError(t, takeType[probed](t, out).err)
	d := take(t, mon.Down())
	var pe *actor.PanicError
	require.ErrorAs(t, d.Reason, &pe)
	require.Equal(t, "check crashed", pe.Value)
	none(t, out) // no ProbeResult from a process that crashed in Check
}

func TestProbeBadInput(t *testing.T) {
	sys := newSystem(t)
	errs := make(chan error, 4)
	dead := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	mon, err := sys.Monitor(dead)
	require.NoError(t, err)
	defer mon.Demonitor()
	require.NoError(t, sys.Stop(t.Context(), dead))
	take(t, mon.Down())
	other := system.New()
	foreign := spawn(t, other, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, other.Shutdown(t.Context()))
	pid := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		for _, p := range []actor.PID{{}, dead, foreign} {
			_, err := ctx.Probe(p)
			errs <- err
		}
	}))
	require.NoError(t, sys.Send(pid, "go"))
	require.ErrorIs(t, take(t, errs), actor.ErrZeroPID)
	require.ErrorIs(t, take(t, errs), actor.ErrNoProcess)
	require.ErrorIs(t, take(t, errs), actor.ErrForeignPID)
}
