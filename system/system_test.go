package system_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newSystem(t testing.TB) *system.System {
	t.Helper()
	sys := system.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownLimit)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys
}

func TestSendReceiveRequestReply(t *testing.T) {
	sys := newSystem(t)
	got := make(chan any, 10)
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case string:
			require.NoError(t, ctx.Reply("echo:"+m))
		default:
			got <- m
		}
	}))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, 42))
	require.Equal(t, 42, take(t, got))
	reply, err := sys.Request(context.Background(), pid, "hi")
	require.NoError(t, err)
	require.Equal(t, "echo:hi", reply)
	require.Equal(t, "<", pid.String()[:1])
}

// 8 producers × 100,000 messages into one actor: each received exactly
// once, each producer's order kept.
func TestManyProducersIntoOneActor(t *testing.T) {
	sys := newSystem(t)
	const producers = 8
	per := 100_000
	if testing.Short() {
		per = 10_000
	}
	type m struct{ p, seq int }
	next := make([]int, producers)
	var bad atomic.Value
	done := make(chan struct{})
	total := 0
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		v := msg.(m)
		if v.seq != next[v.p] && bad.Load() == nil {
			bad.Store(errors.New("out of order"))
		}
		next[v.p] = v.seq + 1
		if total++; total == producers*per {
			close(done)
		}
	}), actor.WithMailbox(512, mailbox.Backpressure))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				if err := sys.Send(pid, m{p, i}); err != nil {
					bad.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	take(t, done)
	require.Nil(t, bad.Load())
	for p := range producers {
		require.Equal(t, per, next[p])
	}
	require.Zero(t, sys.DeadLetters())
}

// blocker is an actor whose first message blocks until release is closed,
// so that its mailbox fills up behind it.
func blocker(started chan<- struct{}, release <-chan struct{}, got chan<- any) actor.Actor {
	first := true
	return actor.Func(func(ctx actor.Context, msg any) {
		if first {
			first = false
			started <- struct{}{}
			<-release
		}
		if got != nil {
			got <- msg
		}
	})
}

func TestFullMailboxPolicies(t *testing.T) {
	t.Run("drop newest", func(t *testing.T) {
		sys := newSystem(t)
		sub := sys.Subscribe(func(e any) bool { _, ok := e.(actor.DeadLetter); return ok })
		defer sub.Close()
		started, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 10)
		pid, err := sys.Spawn(blocker(started, release, got), actor.WithMailbox(2, mailbox.DropNewest))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, 0))
		<-started
		require.NoError(t, sys.Send(pid, 1))
		require.NoError(t, sys.Send(pid, 2))
		require.ErrorIs(t, sys.Send(pid, 3), actor.ErrMailboxFull)
		dl, err := sub.Next(context.Background())
		require.NoError(t, err)
		require.Equal(t, actor.DeadLetter{To: pid, Message: 3, Reason: actor.ErrMailboxFull}, dl)
		close(release)
		for _, want := range []int{0, 1, 2} {
			require.Equal(t, want, take(t, got))
		}
		require.EqualValues(t, 1, sys.DeadLetters())
	})
	t.Run("drop oldest", func(t *testing.T) {
		sys := newSystem(t)
		started, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 10)
		pid, err := sys.Spawn(blocker(started, release, got), actor.WithMailbox(2, mailbox.DropOldest))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, 0))
		<-started
		for i := 1; i <= 4; i++ {
			require.NoError(t, sys.Send(pid, i))
		}
		close(release)
		for _, want := range []int{0, 3, 4} {
			require.Equal(t, want, take(t, got))
		}
		require.EqualValues(t, 2, sys.DeadLetters())
	})
	t.Run("backpressure released by ctx", func(t *testing.T) {
		sys := newSystem(t)
		started, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 10)
		pid, err := sys.Spawn(blocker(started, release, got), actor.WithMailbox(1, mailbox.Backpressure))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, 0))
		<-started
		require.NoError(t, sys.Send(pid, 1))
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- sys.SendContext(ctx, pid, 2) }()
		cancel()
		require.ErrorIs(t, take(t, errc), context.Canceled)
		close(release)
		require.Equal(t, 0, take(t, got))
		require.Equal(t, 1, take(t, got))
		require.EqualValues(t, 1, sys.DeadLetters(), "the abandoned message is accounted for")
	})
	t.Run("backpressure waits for room", func(t *testing.T) {
		sys := newSystem(t)
		started, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 10)
		pid, err := sys.Spawn(blocker(started, release, got), actor.WithMailbox(1, mailbox.Backpressure))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, 0))
		<-started
		require.NoError(t, sys.Send(pid, 1))
		errc := make(chan error, 1)
		go func() { errc <- sys.Send(pid, 2) }()
		close(release)
		require.NoError(t, take(t, errc))
		for _, want := range []int{0, 1, 2} {
			require.Equal(t, want, take(t, got))
		}
		require.Zero(t, sys.DeadLetters())
	})
}

type initActor struct {
	init func(ctx actor.Context) error
	recv func(ctx actor.Context, msg any)
	term func(ctx actor.Context, reason error)
}

func (a *initActor) Init(ctx actor.Context) error { return a.init(ctx) }
func (a *initActor) Receive(ctx actor.Context, msg any) {
	if a.recv != nil {
		a.recv(ctx, msg)
	}
}
func (a *initActor) Terminate(ctx actor.Context, reason error) {
	if a.term != nil {
		a.term(ctx, reason)
	}
}

func TestInitRunsBeforeFirstMessage(t *testing.T) {
	sys := newSystem(t)
	got := make(chan any, 4)
	initialised := false
	pid, err := sys.Spawn(&initActor{
		init: func(ctx actor.Context) error {
			// A message sent by name during Init waits for it.
			require.NoError(t, sys.SendNamed("early", "hello"))
			initialised = true
			return nil
		},
		recv: func(ctx actor.Context, msg any) { got <- initialised },
	}, actor.WithName("early"))
	require.NoError(t, err)
	require.Equal(t, true, take(t, got))
	where, ok := sys.Whereis("early")
	require.True(t, ok)
	require.Equal(t, pid, where)
}

func TestInitFailures(t *testing.T) {
	boom := errors.New("boom")
	t.Run("error", func(t *testing.T) {
		sys := newSystem(t)
		terminated := false
		_, err := sys.Spawn(&initActor{
			init: func(actor.Context) error { return boom },
			term: func(actor.Context, error) { terminated = true },
		}, actor.WithName("x"))
		require.ErrorIs(t, err, boom)
		require.False(t, terminated, "Terminate does not run after a failed Init")
		_, ok := sys.Whereis("x")
		require.False(t, ok, "the name is released")
		require.Zero(t, sys.Processes())
	})
	t.Run("panic", func(t *testing.T) {
		sys := newSystem(t)
		_, err := sys.Spawn(&initActor{init: func(actor.Context) error { panic("bad init") }})
		var pe *actor.PanicError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "bad init", pe.Value)
		require.NotEmpty(t, pe.Stack())
	})
	t.Run("timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			sys := system.New()
			_, err := sys.Spawn(&initActor{init: func(ctx actor.Context) error {
				<-ctx.Context().Done() // honours its context: killed at the timeout
				return nil
			}}, actor.WithInitTimeout(time.Second))
			require.ErrorIs(t, err, actor.ErrInitTimeout)
			require.NoError(t, sys.Shutdown(context.Background()))
		})
	})
}

func TestPanicEndsOnlyThatActor(t *testing.T) {
	sys := newSystem(t)
	bad, err := sys.Spawn(actor.Func(func(actor.Context, any) { panic(errors.New("kaboom")) }))
	require.NoError(t, err)
	good, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }))
	require.NoError(t, err)
	watcher := actortest.NewProbe(t, sys)
	watcher.Monitor(t, bad)
	require.NoError(t, sys.Send(bad, "go"))
	down := watcher.ExpectDown(t, bad)
	var pe *actor.PanicError
	require.ErrorAs(t, down.Reason, &pe)
	require.EqualError(t, errors.Unwrap(pe), "kaboom")
	require.Equal(t, bad, pe.PID)
	r, err := sys.Request(context.Background(), good, "still here")
	require.NoError(t, err)
	require.Equal(t, "still here", r)
}

func TestTerminatePanicBecomesReason(t *testing.T) {
	sys := newSystem(t)
	pid, err := sys.Spawn(&initActor{
		init: func(actor.Context) error { return nil },
		recv: func(ctx actor.Context, msg any) { ctx.Stop(actor.Normal) },
		term: func(actor.Context, error) { panic("in terminate") },
	})
	require.NoError(t, err)
	watcher := actortest.NewProbe(t, sys)
	watcher.Monitor(t, pid)
	require.NoError(t, sys.Send(pid, "stop"))
	var pe *actor.PanicError
	require.ErrorAs(t, watcher.ExpectDown(t, pid).Reason, &pe)
	require.Equal(t, "in terminate", pe.Value)
}

func TestRequestErrors(t *testing.T) {
	sys := newSystem(t)
	results := make(chan error, 4)
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "self":
			_, err := ctx.Request(context.Background(), ctx.Self(), "x")
			results <- err
		case "reply":
			results <- ctx.Reply("no request")
		case "die":
			ctx.Stop(errors.New("died before replying"))
		case "twice":
			_ = ctx.Reply(1)
			results <- ctx.Reply(2)
		}
	}))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, "self"))
	require.ErrorIs(t, take(t, results), actor.ErrRequestSelf)
	require.NoError(t, sys.Send(pid, "reply"))
	require.ErrorIs(t, take(t, results), actor.ErrNoRequest)
	r, err := sys.Request(context.Background(), pid, "twice")
	require.NoError(t, err)
	require.Equal(t, 1, r)
	require.ErrorIs(t, take(t, results), actor.ErrNoRequest)

	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err = sys.Request(ctx, pid, "ignored")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	_, err = sys.Request(context.Background(), pid, "die")
	var ee *actor.ExitError
	require.ErrorAs(t, err, &ee)
	require.EqualError(t, ee.Reason, "died before replying")
	_, err = sys.Request(context.Background(), pid, "x")
	require.ErrorIs(t, err, actor.ErrNoProcess)
}

func TestBadInput(t *testing.T) {
	sys := newSystem(t)
	other := system.New()
	defer other.Shutdown(context.Background())
	foreign, err := other.Spawn(actor.Func(func(actor.Context, any) {}))
	require.NoError(t, err)
	dead, err := sys.Spawn(actor.Func(func(ctx actor.Context, _ any) { ctx.Stop(actor.Normal) }))
	require.NoError(t, err)
	_, err = sys.Request(context.Background(), dead, "stop")
	require.Error(t, err)
	live, err := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName("taken"))
	require.NoError(t, err)
	nop := actor.Func(func(actor.Context, any) {})

	tests := []struct {
		name string
		err  error
		want error
	}{
		{"send to zero pid", sys.Send(actor.PID{}, 1), actor.ErrZeroPID},
		{"send to foreign pid", sys.Send(foreign, 1), actor.ErrForeignPID},
		{"send to dead pid", sys.Send(dead, 1), actor.ErrNoProcess},
		{"send to unknown name", sys.SendNamed("nobody", 1), actor.ErrNoProcess},
		{"spawn nil actor", second(sys.Spawn(nil)), actor.ErrNilActor},
		{"spawn nil factory", second(sys.SpawnProps(actor.Props{})), actor.ErrNilFactory},
		{"factory returns nil", second(sys.SpawnProps(actor.PropsOf(func() actor.Actor { return nil }))), actor.ErrNilActor},
		{"zero capacity", second(sys.Spawn(nop, actor.WithMailbox(0, mailbox.DropNewest))), actor.ErrInvalidOption},
		{"negative capacity", second(sys.Spawn(nop, actor.WithMailbox(-1, mailbox.DropNewest))), actor.ErrInvalidOption},
		{"zero throughput", second(sys.Spawn(nop, actor.WithThroughput(0))), actor.ErrInvalidOption},
		{"negative init timeout", second(sys.Spawn(nop, actor.WithInitTimeout(-time.Second))), actor.ErrInvalidOption},
		{"empty name", second(sys.Spawn(nop, actor.WithName(""))), actor.ErrEmptyName},
		{"duplicate name", second(sys.Spawn(nop, actor.WithName("taken"))), actor.ErrNameTaken},
		{"register taken", sys.Register("taken", dead), actor.ErrNameTaken},
		{"unregister unknown", sys.Unregister("nobody"), actor.ErrNotRegistered},
		{"stop dead", sys.Stop(context.Background(), dead), actor.ErrNoProcess},
		{"kill zero", sys.Kill(actor.PID{}), actor.ErrZeroPID},
		{"exit nil reason", sys.Exit(live, nil), actor.ErrNilReason},
		{"request zero", second(sys.Request(context.Background(), actor.PID{}, 1)), actor.ErrZeroPID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { require.ErrorIs(t, tt.err, tt.want) })
	}
	require.True(t, sys.Alive(live), "misuse harmed nothing")
	require.EqualValues(t, 5, sys.DeadLetters(), "every undeliverable message (and request) is a dead letter")
}

func second[T any](_ T, err error) error { return err }

func TestCallsAfterShutdown(t *testing.T) {
	sys := system.New()
	pid, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
	require.NoError(t, err)
	require.NoError(t, sys.Shutdown(context.Background()))
	require.NoError(t, sys.Shutdown(context.Background()), "idempotent")
	require.ErrorIs(t, sys.Send(pid, 1), actor.ErrStopped)
	_, err = sys.Spawn(actor.Func(func(actor.Context, any) {}))
	require.ErrorIs(t, err, actor.ErrStopped)
	_, err = sys.Request(context.Background(), pid, 1)
	require.ErrorIs(t, err, actor.ErrStopped)
	require.False(t, sys.Alive(pid))
}

func TestNamesReleasedOnExit(t *testing.T) {
	sys := newSystem(t)
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		require.NoError(t, ctx.Register("alias"))
		_ = ctx.Reply(nil)
	}), actor.WithName("main"))
	require.NoError(t, err)
	_, err = sys.Request(context.Background(), pid, "register")
	require.NoError(t, err)
	for _, n := range []string{"main", "alias"} {
		got, ok := sys.Whereis(n)
		require.True(t, ok)
		require.Equal(t, pid, got)
	}
	require.NoError(t, sys.Stop(context.Background(), pid))
	for _, n := range []string{"main", "alias"} {
		_, ok := sys.Whereis(n)
		require.False(t, ok, n)
	}
	_, err = sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName("main"))
	require.NoError(t, err, "the name is free again")
}

// 100,000 idle actors hold no goroutine: no goroutine of the program runs
// the system's code. (Counting runtime.NumGoroutine against a baseline
// would also count goroutines of earlier tests that start or end
// meanwhile.)
func TestIdleActorsHoldNoGoroutine(t *testing.T) {
	sys := newSystem(t)
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	for range n {
		_, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
	}
	require.Equal(t, n, sys.Processes())
	require.Zero(t, goroutinesIn("github.com/airssys/rt/system."), "goroutines running the system's code")
}

// goroutinesIn counts the goroutines with a frame of a function whose name
// starts with prefix.
func goroutinesIn(prefix string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "\n"+prefix) {
			count++
		}
	}
	return count
}

// Shutdown with 10,000 busy actors returns and leaves no goroutine.
func TestShutdownManyBusyActors(t *testing.T) {
	sys := system.New()
	n := 10_000
	var handled atomic.Int64
	gate := make(chan struct{})
	pids := make([]actor.PID, n)
	for i := range pids {
		var err error
		pids[i], err = sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			<-gate // every actor holds a backlog until the gate opens
			handled.Add(1)
			_ = ctx.Send(ctx.Self(), msg) // then stays busy for ever
		}), actor.WithMailbox(8, mailbox.DropNewest))
		require.NoError(t, err)
	}
	for _, pid := range pids {
		for range 8 {
			require.NoError(t, sys.Send(pid, "spin"))
		}
	}
	close(gate)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownLimit)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
	require.Zero(t, sys.Processes())
	require.Positive(t, handled.Load())
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}

func TestShutdownReportsStuckHandler(t *testing.T) {
	sys := system.New()
	release := make(chan struct{})
	started := make(chan struct{})
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		close(started)
		<-release // ignores its context: cannot be pre-empted
	}), actor.WithName("stuck"))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, "block"))
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = sys.Shutdown(ctx)
	var se *system.ShutdownError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, []system.ProcessInfo{{PID: pid, Name: "stuck"}}, se.Stuck)
	require.False(t, sys.Alive(pid), "killed: dead for everyone")
	close(release)
}

func TestReverseSpawnOrderShutdown(t *testing.T) {
	sys := system.New()
	order := make(chan int, 3)
	for i := range 3 {
		_, err := sys.Spawn(&initActor{
			init: func(actor.Context) error { return nil },
			term: func(_ actor.Context, reason error) {
				if actor.IsShutdown(reason) {
					order <- i
				}
			},
		})
		require.NoError(t, err)
	}
	require.NoError(t, sys.Shutdown(context.Background()))
	require.Equal(t, 2, <-order)
	require.Equal(t, 1, <-order)
	require.Equal(t, 0, <-order)
}

func TestEventsAndDeadLettersAreObservable(t *testing.T) {
	sys := newSystem(t)
	sub := sys.Subscribe(nil)
	defer sub.Close()
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(actor.Normal) }), actor.WithName("ev"))
	require.NoError(t, err)
	ctx := context.Background()
	ev, err := sub.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, actor.ProcessStarted{PID: pid, Name: "ev"}, ev)
	require.NoError(t, sys.Send(pid, "bye"))
	ev, err = sub.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, actor.ProcessExited{PID: pid, Name: "ev", Reason: actor.Normal}, ev)
	require.ErrorIs(t, sys.Send(pid, "late"), actor.ErrNoProcess)
	ev, err = sub.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, actor.DeadLetter{To: pid, Message: "late", Reason: actor.ErrNoProcess}, ev)
}

// Stop ends a top-level process that traps exits: it sees the Exit, then
// stops as on its parent's request. A plain System.Exit does not end it.
func TestStopEndsTrappingProcess(t *testing.T) {
	sys := newSystem(t)
	seen := make(chan any, 4)
	pid, err := sys.Spawn(&initActor{
		init: func(ctx actor.Context) error { ctx.TrapExit(true); return nil },
		recv: func(ctx actor.Context, msg any) { seen <- msg },
	})
	require.NoError(t, err)
	require.NoError(t, sys.Exit(pid, errors.New("plain")))
	require.Equal(t, actor.Exit{Reason: errors.New("plain")}, take(t, seen))
	require.True(t, sys.Alive(pid))
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Stop(ctx, pid))
	require.Equal(t, actor.Exit{Reason: actor.Shutdown}, take(t, seen))
	require.False(t, sys.Alive(pid))
}

// Two busy processes on one processor take turns, in one System or in two:
// each handles its throughput of messages, then yields to the other. (A
// process alone, or with no more turns under way than processors, goes on
// without yielding.) The scheduler picks who runs next (at random under
// -race), so the test counts the switches between the two instead of
// bounding each run: without the yield, the first to run handles all its
// messages before the other starts, one switch in all.
func TestThroughputYieldsToOtherProcesses(t *testing.T) {
	for _, systems := range []int{1, 2} {
		t.Run(fmt.Sprintf("systems=%d", systems), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			sysA := newSystem(t)
			sysB := sysA
			if systems == 2 {
				sysB = newSystem(t)
			}
			const throughput, each = 10, 1000
			gate := make(chan struct{})
			// A buffered channel, not a mutex: a handler pre-empted while
			// holding a mutex would park the other one.
			handled := make(chan string, 2*each)
			done := make(chan struct{}, 2)
			busy := func(sys *system.System, name string) actor.PID {
				n := 0
				pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
					if msg == "wait" {
						<-gate
						return
					}
					handled <- name
					if n++; n == each {
						done <- struct{}{}
					}
				}), actor.WithThroughput(throughput))
				require.NoError(t, err)
				require.NoError(t, sys.Send(pid, "wait"))
				return pid
			}
			a, b := busy(sysA, "a"), busy(sysB, "b")
			for i := range each {
				require.NoError(t, sysA.Send(a, i))
				require.NoError(t, sysB.Send(b, i))
			}
			close(gate)
			take(t, done)
			take(t, done)
			close(handled)
			switches, last := 0, ""
			for name := range handled {
				if last != "" && name != last {
					switches++
				}
				last = name
			}
			// Each yields about each/throughput times; most hand the
			// processor over.
			require.GreaterOrEqual(t, switches, 10)
		})
	}
}

// A Request that never reaches its handler is accounted for with the
// message that was asked, not the runtime's wrapper: evicted under
// DropOldest it fails with ErrMailboxFull, and still queued when its
// receiver dies it fails with the receiver's exit.
func TestUndeliveredRequestsAreDeadLetters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		end        func(sys *system.System, pid actor.PID, release func()) // after the request is queued
		wantReason error
		wantErr    func(t *testing.T, err error)
	}{
		{
			name:       "evicted",
			end:        func(sys *system.System, pid actor.PID, _ func()) { require.NoError(t, sys.Send(pid, 3)) },
			wantReason: actor.ErrDroppedOldest,
			wantErr:    func(t *testing.T, err error) { require.ErrorIs(t, err, actor.ErrMailboxFull) },
		},
		{
			name: "receiver killed",
			end: func(sys *system.System, pid actor.PID, release func()) {
				require.NoError(t, sys.Kill(pid))
				release() // the killed handler returns; its goroutine then drains
			},
			wantReason: actor.ErrNoProcess,
			wantErr: func(t *testing.T, err error) {
				var exit *actor.ExitError
				require.ErrorAs(t, err, &exit)
				require.ErrorIs(t, exit.Reason, actor.Killed)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := newSystem(t)
			sub := sys.Subscribe(func(e any) bool { _, ok := e.(actor.DeadLetter); return ok })
			defer sub.Close()
			started, gate := make(chan struct{}), make(chan struct{})
			var once sync.Once
			release := func() { once.Do(func() { close(gate) }) }
			defer release()
			pid, err := sys.Spawn(blocker(started, gate, nil), actor.WithMailbox(1, mailbox.DropOldest))
			require.NoError(t, err)
			require.NoError(t, sys.Send(pid, 0))
			<-started
			require.NoError(t, sys.Send(pid, 1))
			errc := make(chan error, 1)
			go func() {
				_, err := sys.Request(context.Background(), pid, "q")
				errc <- err
			}()
			// The request evicts 1: once that dead letter is out, it is queued.
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			dl, err := sub.Next(ctx)
			require.NoError(t, err)
			require.Equal(t, actor.DeadLetter{To: pid, Message: 1, Reason: actor.ErrDroppedOldest}, dl)
			tc.end(sys, pid, release)
			dl, err = sub.Next(ctx)
			require.NoError(t, err)
			require.Equal(t, actor.DeadLetter{To: pid, Message: "q", Reason: tc.wantReason}, dl)
			tc.wantErr(t, take(t, errc))
		})
	}
}

// Sender names who a message came from: the sending process for a user
// message or a Request, the zero PID from outside any process, the exited
// process for its Down and for the Exit a trapping process receives.
func TestSenderOfEachKindOfMessage(t *testing.T) {
	sys := newSystem(t)
	type seen struct {
		msg  any
		from actor.PID
	}
	got := make(chan seen, 8)
	failed := make(chan error, 4)
	watcher, err := sys.Spawn(&initActor{
		init: func(ctx actor.Context) error { ctx.TrapExit(true); return nil },
		recv: func(ctx actor.Context, msg any) {
			switch m := msg.(type) {
			case string:
				if m == "link" {
					child, err := ctx.SpawnLink(actor.Func(func(ctx actor.Context, _ any) { ctx.Stop(errors.New("done")) }))
					if err == nil {
						err = ctx.Send(child, "stop")
					}
					if err != nil {
						failed <- err
					}
					return
				}
				if m == "ask" {
					_ = ctx.Reply("ok")
				}
			case actor.PID:
				if _, err := ctx.Monitor(m); err != nil {
					failed <- err
				}
				return
			}
			got <- seen{msg, ctx.Sender()}
		},
	})
	require.NoError(t, err)
	next := func() seen {
		t.Helper()
		select {
		case err := <-failed:
			t.Fatal(err)
		case s := <-got:
			return s
		case <-time.After(waitLimit):
			t.Fatal("nothing received")
		}
		return seen{}
	}

	require.NoError(t, sys.Send(watcher, "outside"))
	require.Equal(t, seen{"outside", actor.PID{}}, next())

	asker, err := sys.Spawn(actor.Func(func(ctx actor.Context, _ any) {
		if _, err := ctx.Request(context.Background(), watcher, "ask"); err != nil {
			failed <- err
		}
	}))
	require.NoError(t, err)
	require.NoError(t, sys.Send(asker, "go"))
	require.Equal(t, seen{"ask", asker}, next())

	require.NoError(t, sys.Send(watcher, "link"))
	s := next()
	exit, ok := s.msg.(actor.Exit)
	require.True(t, ok, "got %#v", s.msg)
	require.False(t, exit.From.IsZero())
	require.Equal(t, exit.From, s.from, "an Exit's sender is the exited process")

	target, err := sys.Spawn(actor.Func(func(ctx actor.Context, _ any) { ctx.Stop(actor.Normal) }))
	require.NoError(t, err)
	require.NoError(t, sys.Send(watcher, target))
	require.NoError(t, sys.Send(target, "stop"))
	s = next()
	down, ok := s.msg.(actor.Down)
	require.True(t, ok, "got %#v", s.msg)
	require.Equal(t, target, down.PID)
	require.Equal(t, target, s.from, "a Down's sender is the exited process")
}
