package system_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// Rule 7 holds for the link to the parent too: after Unlink(Parent())
// returns, the parent's exit already queued for a trapping child is not
// delivered, and the child does not stop with the parent's reason.
func TestUnlinkParentDiscardsItsQueuedExit(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	parent := newProbe(t, sys, false)
	type spawned struct {
		pid actor.PID
		err error
	}
	// The child is a probe spawned by parent with SpawnLink.
	child := actortest.NewProbe(t, sys, actortest.WithTimeout(waitLimit),
		actortest.WithSpawn(func(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
			r := parent.Do(t, func(ctx actor.Context) any {
				pid, err := ctx.SpawnLink(a, opts...)
				return spawned{pid, err}
			}).(spawned)
			return r.pid, r.err
		}))
	child.TrapExit(t, true)

	g := newGate(t)
	started := make(chan struct{}, 1)
	unlinked := make(chan error, 1)
	child.DoAsync(t, func(ctx actor.Context) {
		started <- struct{}{}
		<-g.ch
		unlinked <- ctx.Unlink(ctx.Parent())
	})
	take(t, started)

	stop(t, parent, actor.Normal) // parent exits; its Exit is queued for the child
	require.ErrorIs(t, exits.wait(t, parent.PID()), actor.Normal)
	g.open()
	require.NoError(t, take(t, unlinked))

	quiet(t, sys, child)
}

// A trapping process told to stop finishes its work in order, bounded by
// its own deadlines: its context is cancelled, but a Request it makes with
// a deadline of its own is answered (only its death ends such a wait).
func TestRequestDuringAnOrderlyStop(t *testing.T) {
	sys := newSystem(t)
	db, err := sys.Spawn(actor.Func(func(ctx actor.Context, _ any) { _ = ctx.Reply("flushed") }))
	require.NoError(t, err)
	got := make(chan error, 1)
	pid, err := sys.Spawn(&flusher{db: db, got: got})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Stop(ctx, pid))
	require.NoError(t, take(t, got), "a flush Request with its own deadline, made while stopping in order")
}

type flusher struct {
	db  actor.PID
	got chan error
}

func (f *flusher) Init(ctx actor.Context) error { ctx.TrapExit(true); return nil }
func (f *flusher) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(actor.Exit); ok {
		own, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_, err := ctx.Request(own, f.db, "flush")
		f.got <- err
	}
}

// The same for a Send to a full Backpressure mailbox: a trapping process
// told to stop still waits for room. The receiver frees a slot a moment
// later (if it does so before the Send waits, the Send finds room at once,
// which the test also accepts).
func TestBackpressureSendDuringAnOrderlyStop(t *testing.T) {
	sys := newSystem(t)
	g := newGate(t)
	started := make(chan struct{}, 1)
	slow := newProbe(t, sys, false, actor.WithMailbox(1, mailbox.Backpressure))
	slow.DoAsync(t, hold(started, g))
	take(t, started)
	require.NoError(t, sys.Send(slow.PID(), "fill")) // mailbox now full

	got := make(chan error, 1)
	pid, err := sys.Spawn(&sender{to: slow.PID(), got: got})
	require.NoError(t, err)
	time.AfterFunc(50*time.Millisecond, g.open)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Stop(ctx, pid))
	require.NoError(t, take(t, got), "Send from a trapping process finishing in order")
}

type sender struct {
	to  actor.PID
	got chan error
}

func (s *sender) Init(ctx actor.Context) error { ctx.TrapExit(true); return nil }
func (s *sender) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(actor.Exit); ok {
		s.got <- ctx.Send(s.to, "last words")
	}
}

// When Shutdown's deadline passes, a process whose callback was only
// waiting on a process Shutdown then kills (as a supervisor waits in
// ExitAndWait) is not reported stuck: its callback returns once that one is
// dead. Stuck names exactly the callbacks whose goroutines outlive Shutdown.
func TestStuckListsOnlyWhatOutlivesShutdown(t *testing.T) {
	sys := system.New()
	g := make(chan struct{})
	defer close(g)
	ready := make(chan actor.PID, 1)
	waiter, err := sys.Spawn(&waitsOnChild{g: g, ready: ready})
	require.NoError(t, err)
	child := take(t, ready)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = sys.Shutdown(ctx)
	var se *system.ShutdownError
	require.ErrorAs(t, err, &se)
	left := goroutinesIn("github.com/airssys/rt/system.")
	t.Logf("stuck %v, goroutines left %d (waiter %v, child %v)", se.Stuck, left, waiter, child)
	require.Equal(t, left, len(se.Stuck), "Stuck names exactly the callbacks whose goroutines outlive Shutdown")
}

// waitsOnChild traps exits; on the system's stop it stops its child, whose
// Terminate blocks, and waits for it with ExitAndWait (as a supervisor does).
type waitsOnChild struct {
	g     chan struct{}
	ready chan actor.PID
	child actor.PID
}

func (w *waitsOnChild) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	pid, err := ctx.Spawn(&blockingTerminate{g: w.g})
	w.child = pid
	w.ready <- pid
	return err
}

func (w *waitsOnChild) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(actor.Exit); ok {
		_, _ = ctx.ExitAndWait(context.Background(), w.child, actor.Shutdown)
	}
}

type blockingTerminate struct{ g chan struct{} }

func (b *blockingTerminate) Receive(actor.Context, any)     {}
func (b *blockingTerminate) Terminate(actor.Context, error) { <-b.g }
