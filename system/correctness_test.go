package system_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
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
	none(t, partner.out)
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
		require.Equal(t, i, take(t, p.out))
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

		d := takeType[actor.Down](t, watcher.out)
		require.Equal(t, ref, d.Ref)
		require.ErrorIs(t, d.Reason, actor.ErrGoexit)
		var pe *actor.PanicError
		require.ErrorAs(t, d.Reason, &pe)
		require.Contains(t, string(pe.Stack()), "TestGoexitInACallbackIsACrash", "the stack names who called Goexit")
		e := takeType[actor.Exit](t, partner.out)
		require.Equal(t, p.pid, e.From)
		require.ErrorIs(t, e.Reason, actor.ErrGoexit)
		require.False(t, sys.Alive(p.pid))
		none(t, p.out)
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

// senderLog records the Sender of every message it receives.
type senderLog struct{ out chan actor.PID }

func (a senderLog) Receive(ctx actor.Context, _ any) { a.out <- ctx.Sender() }

// A SendAfter message keeps its sender after the sender has exited, as an
// ordinary message sent before an exit does.
func TestSendAfterKeepsItsSenderAfterExit(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	log := senderLog{out: make(chan actor.PID, 1)}
	to, err := sys.Spawn(log)
	require.NoError(t, err)
	from := spawnProbe(t, sys, false)
	do(t, sys, from.pid, func(ctx actor.Context) any {
		_, _ = ctx.SendAfter(20*time.Millisecond, to, "later")
		ctx.Stop(actor.Normal)
		return nil
	})
	require.ErrorIs(t, exits.wait(t, from.pid), actor.Normal)
	require.Equal(t, from.pid, take(t, log.out))
}

// A timer a process sets for itself is cancelled when it exits: its cancel
// function then reports that nothing was pending.
func TestSelfTimersAreCancelledAtExit(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	p := spawnProbe(t, sys, false)
	other := spawnProbe(t, sys, false)
	type cancels struct{ self, other func() bool }
	c := do(t, sys, p.pid, func(ctx actor.Context) any {
		self, err := ctx.SendAfter(time.Hour, ctx.Self(), "self")
		require.NoError(t, err)
		oth, err := ctx.SendAfter(time.Hour, other.pid, "other")
		require.NoError(t, err)
		return cancels{self: self, other: oth}
	}).(cancels)
	stop(t, sys, p.pid, actor.Normal)
	require.ErrorIs(t, exits.wait(t, p.pid), actor.Normal)
	require.False(t, c.self(), "the self-timer went with its process")
	require.True(t, c.other(), "a timer to another process stays")
}

// Timers still pending at Shutdown go to the dead letters, with ErrStopped.
func TestPendingTimersAreDeadLettersAtShutdown(t *testing.T) {
	sys := system.New()
	sub := sys.Subscribe(func(ev any) bool { _, ok := ev.(actor.DeadLetter); return ok })
	defer sub.Close()
	to := spawnProbe(t, sys, false)
	from := spawnProbe(t, sys, false)
	do(t, sys, from.pid, func(ctx actor.Context) any {
		_, _ = ctx.SendAfter(time.Hour, to.pid, "pending")
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
	ev, ok := sub.TryNext()
	require.True(t, ok, "a dead letter for the pending timer")
	dl := ev.(actor.DeadLetter)
	require.Equal(t, "pending", dl.Message)
	require.Equal(t, to.pid, dl.To)
	require.Equal(t, from.pid, dl.From)
	require.ErrorIs(t, dl.Reason, actor.ErrStopped)
}

// A panic in a subscription's filter ends that subscription alone, with the
// panic as Next's error; the publisher and the other subscribers go on.
func TestPanickingFilterEndsOnlyItsSubscription(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	bad := sys.Subscribe(func(ev any) bool {
		if _, ok := ev.(actor.ProcessExited); ok {
			panic("bad filter")
		}
		return false
	})
	defer bad.Close()

	// From an exiting process's goroutine.
	p := spawnProbe(t, sys, false)
	stop(t, sys, p.pid, actor.Normal)
	require.ErrorIs(t, exits.wait(t, p.pid), actor.Normal)
	_, err := bad.Next(context.Background())
	require.ErrorIs(t, err, system.ErrSubscriptionClosed)
	var pe *actor.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "bad filter", pe.Value)

	// From a publishing process: it is not the one that crashes.
	bad2 := sys.Subscribe(func(any) bool { panic("bad too") })
	defer bad2.Close()
	pub := spawnProbe(t, sys, false)
	do(t, sys, pub.pid, func(ctx actor.Context) any { ctx.Publish("event"); return nil })
	require.True(t, sys.Alive(pub.pid))
	_, err = bad2.Next(context.Background())
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "bad too", pe.Value)
}

// A goroutine waiting in Next is released by Shutdown with ErrStopped,
// after the events it still holds.
func TestShutdownReleasesNext(t *testing.T) {
	sys := system.New()
	sub := sys.Subscribe(func(ev any) bool { _, ok := ev.(string); return ok })
	defer sub.Close()
	sys.Publish("held")
	got := make(chan error, 1)
	go func() {
		_, err := sub.Next(context.Background()) // "held"
		if err == nil {
			_, err = sub.Next(context.Background()) // waits for Shutdown
		}
		got <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
	require.ErrorIs(t, take(t, got), actor.ErrStopped)
}

// A subscription holds at most its capacity of unread events; the rest are
// dropped and counted, and the publisher never waits.
func TestSubscriptionsAreBounded(t *testing.T) {
	sys := newSystem(t)
	_, err := sys.SubscribeBuffered(nil, 0)
	require.ErrorIs(t, err, actor.ErrInvalidOption)

	sub, err := sys.SubscribeBuffered(func(ev any) bool { _, ok := ev.(int); return ok }, 10)
	require.NoError(t, err)
	defer sub.Close()
	for i := range 100 {
		sys.Publish(i)
	}
	require.EqualValues(t, 90, sub.Dropped())
	for i := range 10 {
		ev, ok := sub.TryNext()
		require.True(t, ok)
		require.Equal(t, i, ev, "the oldest events are kept, in order")
	}
	_, ok := sub.TryNext()
	require.False(t, ok)
	// Room again once read.
	sys.Publish(100)
	ev, ok := sub.TryNext()
	require.True(t, ok)
	require.Equal(t, 100, ev)
	require.Equal(t, 4096, system.DefaultEventBuffer)
}

// A second Shutdown while the first is under way returns by its own
// context, and afterwards every call returns the first call's result.
func TestConcurrentShutdownKeepsItsOwnDeadline(t *testing.T) {
	sys := system.New()
	g := newGate(t)
	started := make(chan struct{}, 1)
	// DropNewest, so that the probes below never wait for room in the
	// mailbox of the held process, however long Shutdown takes to begin.
	p := spawnProbe(t, sys, false, actor.WithMailbox(16, mailbox.DropNewest))
	require.NoError(t, sys.Send(p.pid, hold(started, g)))
	take(t, started)

	first := make(chan error, 1)
	go func() { first <- sys.Shutdown(context.Background()) }()
	for !errors.Is(sys.Send(p.pid, "probe"), actor.ErrStopped) { // until Shutdown has begun
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	second := make(chan error, 1)
	go func() { second <- sys.Shutdown(ctx) }()
	require.ErrorIs(t, take(t, second), context.Canceled, "the second call returns by its own context")

	g.open()
	require.NoError(t, take(t, first))
	require.NoError(t, sys.Shutdown(ctx), "later calls return the first result")
}

// A process blocked sending to a full Backpressure mailbox stops waiting
// when it is killed, however it came to wait: here two senders race for
// the last slot, so one of them finds the mailbox full only as it pushes.
func TestKilledSenderStopsWaiting(t *testing.T) {
	for range 50 {
		sys := newSystem(t)
		g := newGate(t)
		started := make(chan struct{}, 1)
		target := spawnProbe(t, sys, false, actor.WithMailbox(1, mailbox.Backpressure))
		require.NoError(t, sys.Send(target.pid, hold(started, g)))
		take(t, started)

		go_ := make(chan struct{})
		returned := make(chan error, 2)
		ready := make(chan struct{}, 2)
		var senders []actor.PID
		for range 2 {
			s := spawnProbe(t, sys, false)
			senders = append(senders, s.pid)
			require.NoError(t, sys.Send(s.pid, run(func(ctx actor.Context) {
				ready <- struct{}{}
				<-go_
				returned <- ctx.Send(target.pid, "x")
			})))
		}
		take(t, ready)
		take(t, ready)
		close(go_)
		require.NoError(t, take(t, returned), "one sender takes the slot")
		for _, s := range senders {
			_ = sys.Kill(s)
		}
		require.Error(t, take(t, returned), "the other stops waiting once killed")
		g.open()
	}
}

// A timer a process sets for itself is never refused by its own full
// mailbox: it is the process's own bookkeeping (a supervisor's restart
// retry and backoff delay travel this way), so it goes past the bound, as
// Down and Exit messages do.
func TestSelfTimerIsNeverRefusedByAFullMailbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		letters := sys.Subscribe(func(ev any) bool { _, ok := ev.(actor.DeadLetter); return ok })
		defer letters.Close()
		g := make(chan struct{})
		got := make(chan any, 4)
		pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch msg {
			case "arm":
				_, _ = ctx.SendAfter(time.Millisecond, ctx.Self(), "tick")
				<-g // busy while the mailbox fills and the timer fires
			default:
				got <- msg
			}
		}), actor.WithMailbox(1, mailbox.Backpressure))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, "arm"))
		synctest.Wait()
		require.NoError(t, sys.Send(pid, "fill")) // the mailbox is full now
		<-time.After(time.Second)                 // virtual time: the timer fires
		synctest.Wait()
		close(g)
		synctest.Wait()
		_, dead := letters.TryNext()
		require.False(t, dead, "no dead letter")
		require.Len(t, got, 2)
		require.Equal(t, "fill", <-got)
		require.Equal(t, "tick", <-got)
	})
}

// Code outside any actor can monitor a process and get its one Down, with
// the final reason, after a Kill too (no Terminate runs then).
func TestSystemMonitor(t *testing.T) {
	sys := newSystem(t)
	p := spawnProbe(t, sys, false)
	m, err := sys.Monitor(p.pid)
	require.NoError(t, err)
	m2, err := sys.Monitor(p.pid)
	require.NoError(t, err)
	require.NotEqual(t, m.Ref(), m2.Ref())
	require.NoError(t, sys.Kill(p.pid))
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	d, err := m.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, actor.Down{Ref: m.Ref(), PID: p.pid, Reason: actor.Killed}, d)
	d2 := take(t, m2.Down())
	require.ErrorIs(t, d2.Reason, actor.Killed)
	require.False(t, m.Demonitor(), "already down")

	// A dead PID: NoProc at once.
	m3, err := sys.Monitor(p.pid)
	require.NoError(t, err)
	require.ErrorIs(t, take(t, m3.Down()).Reason, actor.NoProc)

	// Demonitor first: no Down, ever.
	q := spawnProbe(t, sys, false)
	m4, err := sys.Monitor(q.pid)
	require.NoError(t, err)
	require.True(t, m4.Demonitor())
	stop(t, sys, q.pid, actor.Normal)
	w, err := sys.Monitor(q.pid) // ordered after q's exit has told its monitors
	require.NoError(t, err)
	take(t, w.Down())
	none(t, m4.Down())

	// Bad input.
	_, err = sys.Monitor(actor.PID{})
	require.ErrorIs(t, err, actor.ErrZeroPID)
	_, err = m4.Wait(nilCtx)
	require.ErrorIs(t, err, actor.ErrNilContext)
}

// nilCtx is a nil context.Context, which every call taking one refuses.
var nilCtx context.Context

// A process's context is cancelled as soon as a signal arrives that will
// end it, so a handler blocked on it returns and the process can exit.
func TestContextCancelledByAnEndingSignal(t *testing.T) {
	blockOnContext := func(started chan<- struct{}) run {
		return func(ctx actor.Context) {
			started <- struct{}{}
			<-ctx.Context().Done()
		}
	}
	t.Run("System.Stop", func(t *testing.T) {
		sys := newSystem(t)
		p := spawnProbe(t, sys, false)
		started := make(chan struct{}, 1)
		require.NoError(t, sys.Send(p.pid, blockOnContext(started)))
		take(t, started)
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		require.NoError(t, sys.Stop(ctx, p.pid))
	})
	t.Run("a trapping process told to stop", func(t *testing.T) {
		// It will end once it has seen the Exit, so its context is
		// cancelled when the stop arrives: a handler blocked on it returns.
		sys := newSystem(t)
		p := spawnProbe(t, sys, true)
		started := make(chan struct{}, 1)
		require.NoError(t, sys.Send(p.pid, blockOnContext(started)))
		take(t, started)
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		require.NoError(t, sys.Stop(ctx, p.pid))

		a := trapCtx{seen: make(chan error, 1)}
		pid, err := sys.Spawn(a)
		require.NoError(t, err)
		require.NoError(t, sys.Stop(ctx, pid))
		require.ErrorIs(t, take(t, a.seen), context.Canceled, "cancelled before it handled the Exit")
	})
	t.Run("untrapped abnormal exit", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		p := spawnProbe(t, sys, false)
		started := make(chan struct{}, 1)
		require.NoError(t, sys.Send(p.pid, blockOnContext(started)))
		take(t, started)
		boom := errors.New("boom")
		require.NoError(t, sys.Exit(p.pid, boom))
		require.ErrorIs(t, exits.wait(t, p.pid), boom)
	})
	t.Run("a signal that does not end it", func(t *testing.T) {
		sys := newSystem(t)
		p := spawnProbe(t, sys, true)
		require.NoError(t, sys.Send(p.pid, run(func(actor.Context) {})))
		require.NoError(t, sys.Exit(p.pid, actor.Normal)) // a message for a trapping process
		takeType[actor.Exit](t, p.out)
		alive := do(t, sys, p.pid, func(ctx actor.Context) any { return ctx.Context().Err() })
		require.Nil(t, alive, "its context is not cancelled")
	})
}

// A handler serving a Request sees the requester's context, done when the
// requester gives up, so it can drop abandoned work.
func TestRequestContextEndsWhenTheRequesterGivesUp(t *testing.T) {
	sys := newSystem(t)
	started := make(chan struct{}, 1)
	dropped := make(chan error, 1)
	same := make(chan bool, 1)
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "plain":
			same <- ctx.RequestContext() == ctx.Context()
			return
		case "which":
			_ = ctx.Reply(ctx.RequestContext() == ctx.Context())
			return
		}
		started <- struct{}{}
		<-ctx.RequestContext().Done()
		dropped <- ctx.RequestContext().Err()
	}))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { _, err := sys.Request(ctx, pid, "slow"); res <- err }()
	take(t, started)
	cancel()
	require.ErrorIs(t, take(t, res), context.Canceled)
	require.ErrorIs(t, take(t, dropped), context.Canceled)
	// Outside a Request it is the process's own context.
	require.NoError(t, sys.Send(pid, "plain"))
	require.True(t, take(t, same))
	v, err := sys.Request(context.Background(), pid, "which")
	require.NoError(t, err)
	require.Equal(t, false, v, "a Request has the requester's context")
}

// trapCtx traps exits and, on an Exit, reports its context's error, then
// stops.
type trapCtx struct{ seen chan error }

func (a trapCtx) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return nil
}

func (a trapCtx) Receive(ctx actor.Context, msg any) {
	if e, ok := msg.(actor.Exit); ok {
		a.seen <- ctx.Context().Err()
		ctx.Stop(e.Reason)
	}
}

// A message whose handler crashes is lost, as in Erlang, but counted, and
// the crash names its type.
func TestMessagesLostToACrashAreCounted(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	type order struct{ n int }
	before := sys.CrashedMessages()
	for range 3 {
		pid, err := sys.Spawn(actor.Func(func(actor.Context, any) { panic("bad order") }))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, order{1}))
		var pe *actor.PanicError
		require.ErrorAs(t, exits.wait(t, pid), &pe)
		require.Equal(t, "system_test.order", pe.MessageType)
	}
	require.Equal(t, before+3, sys.CrashedMessages())
}

// A call from inside a process that would wait for that same process
// fails at once with a clear error and changes nothing: Shutdown from any
// callback, System.Stop of the caller itself.
func TestCallsThatWouldWaitOnTheirCaller(t *testing.T) {
	sys := newSystem(t)
	p := spawnProbe(t, sys, false)
	other := spawnProbe(t, sys, false)
	bounded := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		t.Cleanup(cancel)
		return ctx
	}

	err := do(t, sys, p.pid, func(actor.Context) any { return sys.Shutdown(bounded()) })
	require.ErrorIs(t, err.(error), actor.ErrWaitOnSelf, "Shutdown from a handler")
	err = do(t, sys, p.pid, func(ctx actor.Context) any { return sys.Stop(bounded(), ctx.Self()) })
	require.ErrorIs(t, err.(error), actor.ErrWaitOnSelf, "System.Stop of the caller")

	require.True(t, sys.Alive(p.pid), "nothing was stopped")
	require.NoError(t, sys.Send(p.pid, "still served"))
	require.Equal(t, "still served", take(t, p.out))

	// Waiting on another process from a handler is fine.
	stopErr, _ := do(t, sys, p.pid, func(actor.Context) any { return sys.Stop(bounded(), other.pid) }).(error)
	require.NoError(t, stopErr)
	require.False(t, sys.Alive(other.pid))
}

// Shutdown from Init, or from Terminate, is refused the same way; the
// system then shuts down normally from outside.
func TestShutdownFromInitOrTerminateIsRefused(t *testing.T) {
	sys := system.New()
	fromInit := make(chan error, 1)
	fromTerminate := make(chan error, 1)
	_, err := sys.Spawn(&lifecycle{
		init:      func(actor.Context) error { fromInit <- sys.Shutdown(context.Background()); return nil },
		terminate: func(actor.Context, error) { fromTerminate <- sys.Shutdown(context.Background()) },
	})
	require.NoError(t, err)
	require.ErrorIs(t, take(t, fromInit), actor.ErrWaitOnSelf)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownLimit)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
	require.ErrorIs(t, take(t, fromTerminate), actor.ErrWaitOnSelf)
}

// lifecycle runs init and terminate as its Init and Terminate.
type lifecycle struct {
	init      func(actor.Context) error
	terminate func(actor.Context, error)
}

func (l *lifecycle) Init(ctx actor.Context) error              { return l.init(ctx) }
func (l *lifecycle) Receive(actor.Context, any)                {}
func (l *lifecycle) Terminate(ctx actor.Context, reason error) { l.terminate(ctx, reason) }

// When Shutdown's deadline passes, what it reports is true when it returns:
// Stuck names exactly the processes whose handler is still running (not
// idle ones that were merely exiting), no process is left, and the only
// goroutines of the system still running are the stuck handlers'.
func TestShutdownReportAtTheDeadlineIsTrue(t *testing.T) {
	sys := system.New()
	for range 20_000 {
		_, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
	}
	gate, entered := make(chan struct{}), make(chan struct{})
	released := make(chan struct{})
	stuck, err := sys.Spawn(actor.Func(func(actor.Context, any) {
		close(entered)
		<-gate
		close(released)
	}), actor.WithName("stuck"))
	require.NoError(t, err)
	require.NoError(t, sys.Send(stuck, "block"))
	take(t, entered)

	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err = sys.Shutdown(ctx)

	var se *system.ShutdownError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, []system.ProcessInfo{{PID: stuck, Name: "stuck"}}, se.Stuck, "only the handler still running is stuck")
	require.Zero(t, sys.Processes(), "every process is gone when Shutdown returns")
	require.Equal(t, 1, goroutinesIn("github.com/airssys/rt/system."), "only the stuck handler's goroutine outlives Shutdown")

	close(gate)
	take(t, released)
}

// ExitAndWait does not depend on the caller's context to end when the
// caller is killed: the wait ends with ErrNotInProcess.
func TestExitAndWaitEndsWhenTheCallerIsKilled(t *testing.T) {
	sys := newSystem(t)
	target := spawnProbe(t, sys, true) // traps, and an Exit from a non-parent does not stop it
	caller := spawnProbe(t, sys, false)
	errX := errors.New("please stop")
	result := make(chan error, 1)
	require.NoError(t, sys.Send(caller.pid, run(func(ctx actor.Context) {
		_, err := ctx.ExitAndWait(context.Background(), target.pid, errX)
		result <- err
	})))
	require.Equal(t, actor.Exit{From: caller.pid, Reason: errX}, take(t, target.out))
	require.NoError(t, sys.Kill(caller.pid))
	require.ErrorIs(t, take(t, result), actor.ErrNotInProcess)
	require.True(t, sys.Alive(target.pid))
}
