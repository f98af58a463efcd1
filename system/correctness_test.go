package system_test

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/testkit"
	"github.com/airssys/rt/mailbox"
)

// A panic is abnormal whatever its value wraps: a link partner that does
// not trap exits is taken down by it, as by any crash.
func TestPanicWrappingNormalIsAbnormal(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	crasher := spawnProbe(t, sys, false)
	partner := spawnProbe(t, sys, false)
	link(t, sys, partner.pid, crasher.pid)

	sys.Send(crasher.pid, run(func(actor.Context) { panic(fmt.Errorf("finished: %w", actor.Normal)) }))

	var pe *actor.PanicError
	require.ErrorAs(t, exits.wait(t, crasher.pid), &pe)
	reason := exits.wait(t, partner.pid)
	require.ErrorAs(t, reason, &pe, "the partner exits with the panic as its reason")
	require.False(t, actor.IsClean(reason))
	testkit.Empty(t, partner.out)
}

// The largest accepted throughput and capacity work as given; one past the
// throughput's range is refused rather than truncated.
func TestNumericOptionsAtTheirLimits(t *testing.T) {
	sys := newSystem(t)
	p := spawnProbe(t, sys, false, actor.WithThroughput(actor.MaxThroughput), actor.WithMailbox(math.MaxInt, mailbox.Backpressure))
	for i := range 3 {
		require.NoError(t, sys.Send(p.pid, i))
	}
	flush(t, sys, p.pid)
	for i := range 3 {
		require.Equal(t, i, testkit.Recv(t, p.out))
	}
	_, err := sys.Spawn(&agent{}, actor.WithThroughput(1<<32))
	require.ErrorIs(t, err, actor.ErrInvalidOption)
}

// runtime.Goexit in a callback (t.FailNow and require do it) is a crash:
// the process exits with a PanicError wrapping ErrGoexit, its monitors and
// links are told, and the system goes on and shuts down.
func TestGoexitInACallbackIsACrash(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	watcher := spawnProbe(t, sys, false)

	t.Run("Receive", func(t *testing.T) {
		p := spawnProbe(t, sys, false)
		partner := spawnProbe(t, sys, true)
		link(t, sys, partner.pid, p.pid)
		ref := monitor(t, sys, watcher.pid, p.pid)
		sys.Send(p.pid, run(func(actor.Context) { runtime.Goexit() }))
		sys.Send(p.pid, "after") // dead-lettered or refused, never handled

		d := testkit.RecvType[actor.Down](t, watcher.out)
		require.Equal(t, ref, d.Ref)
		require.ErrorIs(t, d.Reason, actor.ErrGoexit)
		var pe *actor.PanicError
		require.ErrorAs(t, d.Reason, &pe)
		require.Contains(t, string(pe.Stack), "TestGoexitInACallbackIsACrash", "the stack names who called Goexit")
		e := testkit.RecvType[actor.Exit](t, partner.out)
		require.Equal(t, p.pid, e.From)
		require.ErrorIs(t, e.Reason, actor.ErrGoexit)
		require.False(t, sys.Alive(p.pid))
		testkit.Empty(t, p.out)
	})
	t.Run("Init", func(t *testing.T) {
		_, err := sys.Spawn(goexitInit{})
		require.ErrorIs(t, err, actor.ErrGoexit)
	})
	t.Run("Terminate", func(t *testing.T) {
		p := spawnAgent(t, sys, &agent{terminate: func(error) { runtime.Goexit() }})
		stop(t, sys, p.pid, errors.New("stop"))
		require.ErrorIs(t, exits.wait(t, p.pid), actor.ErrGoexit)
	})
	t.Run("again and again", func(t *testing.T) {
		// Each Goexit ends its turn's goroutine; the system keeps running
		// turns on others.
		for range 50 {
			p := spawnProbe(t, sys, false)
			sys.Send(p.pid, run(func(actor.Context) { runtime.Goexit() }))
			require.ErrorIs(t, exits.wait(t, p.pid), actor.ErrGoexit)
		}
		require.Equal(t, "pong", do(t, sys, watcher.pid, func(actor.Context) any { return "pong" }))
	})
}

type goexitInit struct{}

func (goexitInit) Init(actor.Context) error {
	runtime.Goexit()
	return nil
}

func (goexitInit) Receive(actor.Context, any) {}
