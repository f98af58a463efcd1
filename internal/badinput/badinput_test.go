package badinput

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errCrash = errors.New("crash")

// do runs f on the process that receives it and sends f's error to out; a
// panic in f is reported as an error, so the runner survives it.
type do struct {
	f   func(ctx actor.Context) error
	out chan error
}

// runner executes do messages, stops on "crash", blocks on "block" until
// gate closes (after telling started), forwards Down and Exit to signals
// and ignores anything else.
func runner(gate <-chan struct{}, started chan<- struct{}, signals chan<- any, trap bool) actor.Actor {
	return &runnerActor{gate: gate, started: started, signals: signals, trap: trap}
}

type runnerActor struct {
	gate    <-chan struct{}
	started chan<- struct{}
	signals chan<- any
	trap    bool
}

func (r *runnerActor) Init(ctx actor.Context) error {
	ctx.TrapExit(r.trap)
	return nil
}

func (r *runnerActor) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case do:
		func() {
			defer func() {
				if v := recover(); v != nil {
					m.out <- fmt.Errorf("panicked: %v", v)
				}
			}()
			m.out <- m.f(ctx)
		}()
	case actor.Down, actor.Exit:
		if r.signals != nil {
			r.signals <- m
		}
	case string:
		switch m {
		case "crash":
			ctx.Stop(errCrash)
		case "block":
			r.started <- struct{}{}
			<-r.gate
		}
	}
}

// blockingInit waits in Init until its process is killed.
type blockingInit struct{}

func (blockingInit) Init(ctx actor.Context) error {
	<-ctx.Context().Done()
	return ctx.Context().Err()
}
func (blockingInit) Receive(actor.Context, any) {}

// panickingInit panics in Init.
type panickingInit struct{}

func (panickingInit) Init(actor.Context) error   { panic("init") }
func (panickingInit) Receive(actor.Context, any) {}

// failingInit returns errInit from Init.
type failingInit struct{}

var errInit = errors.New("init failed")

func (failingInit) Init(actor.Context) error   { return errInit }
func (failingInit) Receive(actor.Context, any) {}

func nop() actor.Actor { return actor.Func(func(actor.Context, any) {}) }

// row is one misuse: call makes it and returns its error, which must match
// want with errors.Is (nil: must succeed) and satisfy check if set; the
// misuse must make exactly dead dead letters, each with a Reason matching
// reason, leave the number of live processes as it was (unless spawns is
// set) and not panic.
type row struct {
	name   string
	call   func() error
	want   error
	check  func(t *testing.T, err error)
	dead   int
	reason error
	spawns bool
}

func isAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	require.ErrorAs(t, err, &target)
	return target
}

// fixture is what the rows misuse: three systems (one f.foreign, one shut
// down) and processes in every state. Each row gets a fresh one, in its own
// synctest bubble.
type fixture struct {
	t                   *testing.T
	sys, other, gone    *system.System
	subs                []*system.Subscription
	gate                chan struct{}
	openGate            func()
	started             chan struct{}
	signals             chan any
	foreign, live, dead actor.PID
	never               actor.PID // a PID no process ever had
	agent, silent       actor.PID
	notSup              actor.PID
	savedCtx            actor.Context // of a process that exited
	fullBP, fullDN      actor.PID
	fullDO              actor.PID
	sup, dyn, dynNoArgs actor.PID
	backoff, deadSup    actor.PID
	goneLive, goneSup   actor.PID
	selfSup             actor.Actor
}

func (f *fixture) spawn(x *system.System, a actor.Actor, opts ...actor.Option) actor.PID {
	f.t.Helper()
	pid, err := x.Spawn(a, opts...)
	require.NoError(f.t, err)
	return pid
}

func (f *fixture) worker(id string, opts ...actor.Option) supervisor.Child {
	return supervisor.Child{ID: id, Start: actor.PropsOf(func() actor.Actor { return runner(f.gate, f.started, nil, false) }, opts...)}
}

func (f *fixture) setup(t *testing.T) {
	bg := context.Background()
	*f = fixture{t: t, sys: system.New(), other: system.New(), gone: system.New(),
		gate: make(chan struct{}), started: make(chan struct{}, 1), signals: make(chan any, 16)}
	var once sync.Once
	f.openGate = func() { once.Do(func() { close(f.gate) }) }
	isDL := func(ev any) bool { _, ok := ev.(actor.DeadLetter); return ok }
	f.subs = []*system.Subscription{f.sys.Subscribe(isDL), f.other.Subscribe(isDL), f.gone.Subscribe(isDL)}

	f.foreign = f.spawn(f.other, nop())
	f.live = f.spawn(f.sys, nop(), actor.WithName("taken"))
	f.dead = f.spawn(f.sys, nop())
	require.NoError(t, f.sys.Stop(bg, f.dead))
	f.never = actor.NewPID(f.live.System(), 1<<40)
	f.agent = f.spawn(f.sys, runner(f.gate, f.started, f.signals, true))
	f.silent = f.spawn(f.sys, nop())
	f.notSup = f.spawn(f.sys, actor.Func(func(ctx actor.Context, _ any) { _ = ctx.Reply("hello") }))
	exited := f.spawn(f.sys, actor.Func(func(ctx actor.Context, msg any) { f.savedCtx = ctx; _ = ctx.Reply(nil) }))
	_, err := f.sys.Request(bg, exited, "save")
	require.NoError(t, err)
	require.NoError(t, f.sys.Stop(bg, exited))

	// full returns a process whose mailbox of capacity 1 under policy is
	// full: it is blocked on the gate with one message queued.
	full := func(policy mailbox.Policy) actor.PID {
		pid := f.spawn(f.sys, runner(f.gate, f.started, nil, false), actor.WithMailbox(1, policy))
		require.NoError(t, f.sys.Send(pid, "block"))
		<-f.started
		require.NoError(t, f.sys.Send(pid, "queued"))
		return pid
	}
	f.fullBP, f.fullDN, f.fullDO = full(mailbox.Backpressure), full(mailbox.DropNewest), full(mailbox.DropOldest)

	f.sup = f.spawn(f.sys, supervisor.New(supervisor.Spec{Intensity: 100, Period: time.Hour}, f.worker("a"), f.worker("b")))
	f.dyn = f.spawn(f.sys, supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, supervisor.Child{ID: "t",
		StartWith: func(args ...any) actor.Props {
			if args[0] == "panic" {
				panic("StartWith")
			}
			return actor.PropsOf(nop)
		}}))
	f.dynNoArgs = f.spawn(f.sys, supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, f.worker("t")))
	f.backoff = f.spawn(f.sys, supervisor.New(supervisor.Spec{Intensity: supervisor.NoRestarts,
		Escalation: supervisor.Backoff{Base: time.Hour, Max: time.Hour}}, f.worker("r")))
	f.deadSup = f.spawn(f.sys, supervisor.New(supervisor.Spec{}))
	require.NoError(t, f.sys.Stop(bg, f.deadSup))
	f.goneLive = f.spawn(f.gone, nop(), actor.WithName("gone"))
	f.goneSup = f.spawn(f.gone, supervisor.New(supervisor.Spec{}, f.worker("a")))
	require.NoError(t, f.gone.Shutdown(bg))
	f.selfSup = supervisor.New(supervisor.Spec{}, supervisor.Child{ID: "me", Kind: supervisor.Supervisor,
		Start: actor.PropsOf(func() actor.Actor { return f.selfSup })})
}

func (f *fixture) deadTotal() (n uint64) {
	for _, x := range []*system.System{f.sys, f.other, f.gone} {
		n += x.DeadLetters()
	}
	return n
}

// letters returns the dead letters published since the last call.
func (f *fixture) letters() []actor.DeadLetter {
	var out []actor.DeadLetter
	for _, sub := range f.subs {
		for {
			ev, ok := sub.TryNext()
			if !ok {
				break
			}
			out = append(out, ev.(actor.DeadLetter))
		}
	}
	return out
}

func (f *fixture) teardown() {
	bg := context.Background()
	f.openGate() // a failed row must not leave processes blocked for Shutdown
	for _, sub := range f.subs {
		sub.Close()
	}
	for _, x := range []*system.System{f.sys, f.other, f.gone} {
		if err := x.Shutdown(bg); err != nil {
			f.t.Errorf("shutdown: %v", err)
		}
	}
}

// Every misuse of the public API, with the error it returns and the dead
// letters it makes. Each row runs in its own synctest bubble, so that start
// timeouts and request deadlines pass on the virtual clock, with fresh
// fixtures.
func TestBadInput(t *testing.T) {
	f := new(fixture)
	for _, r := range table(f) {
		t.Run(r.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f.setup(t)
				defer f.teardown()
				synctest.Wait()
				f.letters()
				before, procs := f.deadTotal(), f.sys.Processes()
				var err error
				var panicked any
				func() {
					defer func() { panicked = recover() }()
					err = r.call()
				}()
				require.Nil(t, panicked, "the misuse panicked")
				if r.want == nil && r.check == nil {
					require.NoError(t, err)
				}
				if r.want != nil {
					require.ErrorIs(t, err, r.want)
				}
				if r.check != nil {
					r.check(t, err)
				}
				synctest.Wait()
				letters := f.letters()
				require.Len(t, letters, r.dead, "dead letters: %+v", letters)
				require.EqualValues(t, r.dead, f.deadTotal()-before, "dead-letter counters")
				for _, dl := range letters {
					require.ErrorIs(t, dl.Reason, r.reason, "dead letter %+v", dl)
				}
				if !r.spawns {
					require.Equal(t, procs, f.sys.Processes(), "live processes before and after")
				}
				f.openGate() // the blocked processes handle what they hold
				synctest.Wait()
				for _, pid := range []actor.PID{f.live, f.agent, f.silent, f.notSup, f.fullBP, f.fullDN, f.fullDO,
					f.sup, f.dyn, f.dynNoArgs, f.backoff} {
					require.True(t, f.sys.Alive(pid), "%v: misuse harmed a bystander", pid)
				}
			})
		})
	}
}

// table lists the misuses; the rows read the fixture when they run.
func table(f *fixture) []row {
	bg := context.Background()
	s := time.Second
	// inside runs fn in process pid and returns its error.
	inside := func(pid actor.PID, fn func(ctx actor.Context) error) error {
		out := make(chan error, 1)
		if err := f.sys.Send(pid, do{fn, out}); err != nil {
			return fmt.Errorf("could not reach the runner: %w", err)
		}
		return <-out
	}
	in := func(fn func(ctx actor.Context) error) func() error {
		return func() error { return inside(f.agent, fn) }
	}
	timeout := func(d time.Duration) context.Context {
		ctx, cancel := context.WithTimeout(bg, d)
		f.t.Cleanup(cancel)
		return ctx
	}
	spawnErr := func(a actor.Actor, opts ...actor.Option) func() error {
		return func() error {
			pid, err := f.sys.Spawn(a, opts...)
			if err == nil {
				_ = f.sys.Kill(pid) // leave nothing behind; the row fails on err anyway
			}
			return err
		}
	}
	supErr := func(spec supervisor.Spec, kids ...supervisor.Child) func() error {
		return func() error { return spawnErr(supervisor.New(spec, kids...))() }
	}
	isPanic := func(t *testing.T, err error) { isAs[*actor.PanicError](t, err) }
	startFailed := func(id string, also func(t *testing.T, err error)) func(t *testing.T, err error) {
		return func(t *testing.T, err error) {
			csf := isAs[*supervisor.ChildStartFailed](t, err)
			require.Equal(t, id, csf.ID)
			if also != nil {
				also(t, csf.Err)
			}
		}
	}
	initTimeout := func(t *testing.T, err error) { require.ErrorIs(t, err, actor.ErrInitTimeout) }
	nameTaken := func(t *testing.T, err error) { require.ErrorIs(t, err, actor.ErrNameTaken) }
	noProcOrStopped := func(t *testing.T, err error) {
		require.True(t, errors.Is(err, actor.ErrNoProcess) || errors.Is(err, actor.ErrStopped), "got %v", err)
	}
	wantSignal := func(check func(any) error) error {
		select {
		case sig := <-f.signals:
			return check(sig)
		case <-time.After(time.Hour):
			return errors.New("no signal arrived")
		}
	}
	spawn := func(_ *system.System, a actor.Actor, opts ...actor.Option) actor.PID {
		return f.spawn(f.sys, a, opts...)
	}
	worker := f.worker

	return []row{
		// Sending from outside any process.
		{name: "send to the zero PID", call: func() error { return f.sys.Send(actor.PID{}, 1) },
			want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},
		{name: "send to a foreign PID", call: func() error { return f.sys.Send(f.foreign, 1) },
			want: actor.ErrForeignPID, dead: 1, reason: actor.ErrForeignPID},
		{name: "send to a dead PID", call: func() error { return f.sys.Send(f.dead, 1) },
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send to a PID that never was", call: func() error { return f.sys.Send(f.never, 1) },
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send to an unknown name", call: func() error { return f.sys.SendNamed("nobody", 1) },
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send to the empty name", call: func() error { return f.sys.SendNamed("", 1) },
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send with a cancelled context to a full mailbox", call: func() error {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			return f.sys.SendContext(ctx, f.fullBP, 1)
		}, want: context.Canceled, dead: 1, reason: context.Canceled},
		// A nil context is refused before anything is sent or waited for.
		{name: "send with a nil context", call: func() error { return f.sys.SendContext(nilCtx, f.live, 1) },
			want: actor.ErrNilContext, dead: 1, reason: actor.ErrNilContext},
		{name: "request with a nil context", call: func() error { _, err := f.sys.Request(nilCtx, f.live, 1); return err },
			want: actor.ErrNilContext, dead: 1, reason: actor.ErrNilContext},
		{name: "stop with a nil context", call: func() error { return f.sys.Stop(nilCtx, f.live) },
			want: actor.ErrNilContext},
		{name: "shutdown with a nil context", call: func() error { return f.sys.Shutdown(nilCtx) },
			want: actor.ErrNilContext},
		{name: "next event with a nil context", call: func() error {
			sub := f.sys.Subscribe(nil)
			defer sub.Close()
			_, err := sub.Next(nilCtx)
			return err
		}, want: actor.ErrNilContext},
		{name: "request from a process with a nil context", call: in(func(ctx actor.Context) error {
			_, err := ctx.Request(nilCtx, f.live, 1)
			return err
		}), want: actor.ErrNilContext, dead: 1, reason: actor.ErrNilContext},
		{name: "exit-and-wait with a nil context", call: in(func(ctx actor.Context) error {
			_, err := ctx.ExitAndWait(nilCtx, f.live, actor.Shutdown)
			return err
		}), want: actor.ErrNilContext},
		{name: "send past its deadline to a full mailbox", call: func() error {
			return f.sys.SendContext(timeout(s), f.fullBP, 1)
		}, want: context.DeadlineExceeded, dead: 1, reason: context.DeadlineExceeded},
		{name: "send to a full DropNewest mailbox", call: func() error { return f.sys.Send(f.fullDN, 1) },
			want: actor.ErrMailboxFull, dead: 1, reason: actor.ErrMailboxFull},
		{name: "send to a full DropOldest mailbox evicts the oldest", call: func() error { return f.sys.Send(f.fullDO, 1) },
			dead: 1, reason: actor.ErrDroppedOldest},

		// Spawning.
		{name: "spawn a nil actor", call: spawnErr(nil), want: actor.ErrNilActor},
		{name: "spawn a nil Func", call: spawnErr(actor.Func(nil)), want: actor.ErrNilActor},
		{name: "spawn a typed nil pointer", call: spawnErr((*ptrActor)(nil)), want: actor.ErrNilActor},
		{name: "spawn props whose factory returns a typed nil", call: func() error {
			_, err := f.sys.SpawnProps(actor.PropsOf(func() actor.Actor { return (*ptrActor)(nil) }))
			return err
		}, want: actor.ErrNilActor},
		{name: "spawn props without a factory", call: func() error { _, err := f.sys.SpawnProps(actor.Props{}); return err },
			want: actor.ErrNilFactory},
		{name: "spawn PropsOf(nil)", call: func() error { _, err := f.sys.SpawnProps(actor.PropsOf(nil)); return err },
			want: actor.ErrNilFactory},
		{name: "spawn props whose factory returns nil", call: func() error {
			_, err := f.sys.SpawnProps(actor.PropsOf(func() actor.Actor { return nil }))
			return err
		}, want: actor.ErrNilActor},
		{name: "spawn props whose factory panics", call: func() error {
			_, err := f.sys.SpawnProps(actor.PropsOf(func() actor.Actor { panic("factory") }))
			return err
		}, check: isPanic},
		{name: "mailbox capacity 0", call: spawnErr(nop(), actor.WithMailbox(0, mailbox.DropNewest)), want: actor.ErrInvalidOption},
		{name: "mailbox capacity -1", call: spawnErr(nop(), actor.WithMailbox(-1, mailbox.Backpressure)), want: actor.ErrInvalidOption},
		{name: "unknown mailbox policy", call: spawnErr(nop(), actor.WithMailbox(8, mailbox.Policy(9))), want: actor.ErrInvalidOption},
		{name: "throughput 0", call: spawnErr(nop(), actor.WithThroughput(0)), want: actor.ErrInvalidOption},
		{name: "throughput -1", call: spawnErr(nop(), actor.WithThroughput(-1)), want: actor.ErrInvalidOption},
		{name: "init timeout 0", call: spawnErr(nop(), actor.WithInitTimeout(0)), want: actor.ErrInvalidOption},
		{name: "negative init timeout", call: spawnErr(nop(), actor.WithInitTimeout(-s)), want: actor.ErrInvalidOption},
		{name: "empty name", call: spawnErr(nop(), actor.WithName("")), want: actor.ErrEmptyName},
		{name: "duplicate name", call: spawnErr(nop(), actor.WithName("taken")), want: actor.ErrNameTaken},
		{name: "a nil option is ignored", call: func() error {
			pid, err := f.sys.Spawn(nop(), nil)
			if err == nil {
				err = f.sys.Stop(bg, pid)
			}
			return err
		}},
		{name: "Init returns an error", call: spawnErr(failingInit{}), want: errInit},
		{name: "Init panics", call: spawnErr(panickingInit{}), check: isPanic},
		{name: "Init blocks past its timeout", call: spawnErr(blockingInit{}, actor.WithInitTimeout(s)), want: actor.ErrInitTimeout},

		// Names, stops, kills and exit f.signals from outside.
		{name: "register the empty name", call: func() error { return f.sys.Register("", f.live) }, want: actor.ErrEmptyName},
		{name: "register a zero PID", call: func() error { return f.sys.Register("z", actor.PID{}) }, want: actor.ErrZeroPID},
		{name: "register a foreign PID", call: func() error { return f.sys.Register("f", f.foreign) }, want: actor.ErrForeignPID},
		{name: "register a dead PID", call: func() error { return f.sys.Register("d", f.dead) }, want: actor.ErrNoProcess},
		{name: "register a taken name", call: func() error { return f.sys.Register("taken", f.agent) }, want: actor.ErrNameTaken},
		{name: "unregister an unknown name", call: func() error { return f.sys.Unregister("nobody") }, want: actor.ErrNotRegistered},
		{name: "stop the zero PID", call: func() error { return f.sys.Stop(bg, actor.PID{}) }, want: actor.ErrZeroPID},
		{name: "stop a foreign PID", call: func() error { return f.sys.Stop(bg, f.foreign) }, want: actor.ErrForeignPID},
		{name: "stop a dead PID", call: func() error { return f.sys.Stop(bg, f.dead) }, want: actor.ErrNoProcess},
		{name: "kill the zero PID", call: func() error { return f.sys.Kill(actor.PID{}) }, want: actor.ErrZeroPID},
		{name: "kill a foreign PID", call: func() error { return f.sys.Kill(f.foreign) }, want: actor.ErrForeignPID},
		{name: "kill a PID that never was", call: func() error { return f.sys.Kill(f.never) }, want: actor.ErrNoProcess},
		{name: "exit signal with a nil reason", call: func() error { return f.sys.Exit(f.live, nil) }, want: actor.ErrNilReason},
		{name: "exit signal to the zero PID", call: func() error { return f.sys.Exit(actor.PID{}, actor.Shutdown) }, want: actor.ErrZeroPID},
		{name: "exit signal to a foreign PID", call: func() error { return f.sys.Exit(f.foreign, actor.Kill) }, want: actor.ErrForeignPID},
		{name: "exit signal to a dead PID", call: func() error { return f.sys.Exit(f.dead, actor.Shutdown) }, want: actor.ErrNoProcess},

		// Requests from outside.
		{name: "request to the zero PID", call: func() error { _, err := f.sys.Request(bg, actor.PID{}, 1); return err },
			want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},
		{name: "request to a foreign PID", call: func() error { _, err := f.sys.Request(bg, f.foreign, 1); return err },
			want: actor.ErrForeignPID, dead: 1, reason: actor.ErrForeignPID},
		{name: "request to a dead PID", call: func() error { _, err := f.sys.Request(bg, f.dead, 1); return err },
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "request that is never answered", call: func() error { _, err := f.sys.Request(timeout(s), f.silent, 1); return err },
			want: context.DeadlineExceeded},
		{name: "reply after the requester gave up", call: func() error {
			late := make(chan struct{})
			replied := make(chan error, 1)
			pid := spawn(f.sys, actor.Func(func(ctx actor.Context, msg any) {
				<-late
				replied <- ctx.Reply("too late")
			}))
			_, err := f.sys.Request(timeout(s), pid, "q")
			close(late)
			if rerr := <-replied; rerr != nil {
				return fmt.Errorf("Reply to a requester that gave up: %w", rerr)
			}
			_ = f.sys.Kill(pid)
			return err
		}, want: context.DeadlineExceeded, dead: 1, reason: actor.ErrNoRequest},

		// Misuse from inside a process (actor.Context).
		{name: "reply without a request", call: in(func(ctx actor.Context) error { return ctx.Reply("x") }),
			want: actor.ErrNoRequest},
		{name: "reply twice", call: func() error {
			out := make(chan error, 1)
			v, err := f.sys.Request(bg, f.agent, do{func(ctx actor.Context) error {
				if err := ctx.Reply("first"); err != nil {
					return err
				}
				return ctx.Reply("second")
			}, out})
			if err != nil || v != "first" {
				return fmt.Errorf("request: %v, %v", v, err)
			}
			return <-out
		}, want: actor.ErrNoRequest},
		{name: "request to self", call: in(func(ctx actor.Context) error { _, err := ctx.Request(bg, ctx.Self(), 1); return err }),
			want: actor.ErrRequestSelf, dead: 1, reason: actor.ErrRequestSelf},
		{name: "request to the zero PID from a process", call: in(func(ctx actor.Context) error {
			_, err := ctx.Request(bg, actor.PID{}, 1)
			return err
		}), want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},
		{name: "shutdown from inside a handler", call: in(func(actor.Context) error { return f.sys.Shutdown(bg) }),
			want: actor.ErrWaitOnSelf},
		{name: "system stop of the calling process", call: in(func(ctx actor.Context) error { return f.sys.Stop(bg, ctx.Self()) }),
			want: actor.ErrWaitOnSelf},
		{name: "exit-and-wait on self", call: in(func(ctx actor.Context) error {
			_, err := ctx.ExitAndWait(bg, ctx.Self(), actor.Shutdown)
			return err
		}), want: actor.ErrRequestSelf},
		{name: "exit-and-wait with a nil reason", call: in(func(ctx actor.Context) error {
			_, err := ctx.ExitAndWait(bg, f.live, nil)
			return err
		}), want: actor.ErrNilReason},
		{name: "exit-and-wait on the zero PID", call: in(func(ctx actor.Context) error {
			_, err := ctx.ExitAndWait(bg, actor.PID{}, actor.Shutdown)
			return err
		}), want: actor.ErrZeroPID},
		{name: "exit-and-wait on a dead PID gives NoProc", call: in(func(ctx actor.Context) error {
			d, err := ctx.ExitAndWait(bg, f.dead, actor.Shutdown)
			if err == nil && (d.Reason != actor.NoProc || d.PID != f.dead) {
				return fmt.Errorf("down %+v, want NoProc from %v", d, f.dead)
			}
			return err
		})},
		{name: "exit signal to self with a nil reason", call: in(func(ctx actor.Context) error { return ctx.Exit(ctx.Self(), nil) }),
			want: actor.ErrNilReason},
		{name: "send to the zero PID from a process", call: in(func(ctx actor.Context) error { return ctx.Send(actor.PID{}, 1) }),
			want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},
		{name: "send to a foreign PID from a process", call: in(func(ctx actor.Context) error { return ctx.Send(f.foreign, 1) }),
			want: actor.ErrForeignPID, dead: 1, reason: actor.ErrForeignPID},
		{name: "send to a dead PID from a process", call: in(func(ctx actor.Context) error { return ctx.Send(f.dead, 1) }),
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send to an unknown name from a process", call: in(func(ctx actor.Context) error { return ctx.SendNamed("nobody", 1) }),
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "send to one's own full mailbox", call: func() error {
			pid := spawn(f.sys, runner(f.gate, f.started, nil, false), actor.WithMailbox(1, mailbox.Backpressure))
			err := inside(pid, func(ctx actor.Context) error {
				if err := ctx.Send(ctx.Self(), "fits"); err != nil {
					return err
				}
				return ctx.Send(ctx.Self(), "does not fit")
			})
			// "fits" is queued before this and so handled before the stop.
			_ = inside(pid, func(actor.Context) error { return nil })
			_ = f.sys.Stop(bg, pid)
			return err
		}, want: actor.ErrMailboxFull, dead: 1, reason: actor.ErrMailboxFull},
		{name: "SendAfter to the zero PID", call: in(func(ctx actor.Context) error {
			_, err := ctx.SendAfter(s, actor.PID{}, "later")
			return err
		}), want: actor.ErrZeroPID},
		{name: "SendAfter with a negative delay", call: in(func(ctx actor.Context) error {
			_, err := ctx.SendAfter(-s, f.dead, "later")
			return err
		}), want: actor.ErrBadDuration},
		{name: "SendAfter to a dead PID", call: func() error {
			err := inside(f.agent, func(ctx actor.Context) error { _, err := ctx.SendAfter(s, f.dead, "later"); return err })
			<-time.After(2 * s)
			return err
		}, dead: 1, reason: actor.ErrNoProcess},
		{name: "spawn a nil actor from a process", call: in(func(ctx actor.Context) error { _, err := ctx.Spawn(nil); return err }),
			want: actor.ErrNilActor},
		{name: "spawn-link a nil actor", call: in(func(ctx actor.Context) error { _, err := ctx.SpawnLink(nil); return err }),
			want: actor.ErrNilActor},
		{name: "spawn with an invalid option from a process", call: in(func(ctx actor.Context) error {
			_, err := ctx.Spawn(nop(), actor.WithThroughput(0))
			return err
		}), want: actor.ErrInvalidOption},
		{name: "spawn-link a child that fails in Init", call: in(func(ctx actor.Context) error {
			_, err := ctx.SpawnLink(failingInit{})
			return err
		}), want: errInit, check: func(t *testing.T, _ error) {
			// The f.agent traps exits: the failed child's exit arrives as a message.
			require.NoError(t, wantSignal(func(sig any) error {
				if e, ok := sig.(actor.Exit); !ok || e.Reason != errInit {
					return fmt.Errorf("got %#v, want Exit with the Init error", sig)
				}
				return nil
			}))
		}},
		{name: "register the empty name from a process", call: in(func(ctx actor.Context) error { return ctx.Register("") }),
			want: actor.ErrEmptyName},
		{name: "register a taken name from a process", call: in(func(ctx actor.Context) error { return ctx.Register("taken") }),
			want: actor.ErrNameTaken},
		{name: "unregister an unknown name from a process", call: in(func(ctx actor.Context) error { return ctx.Unregister("nobody") }),
			want: actor.ErrNotRegistered},
		{name: "monitor the zero PID", call: in(func(ctx actor.Context) error { _, err := ctx.Monitor(actor.PID{}); return err }),
			want: actor.ErrZeroPID},
		{name: "monitor a foreign PID", call: in(func(ctx actor.Context) error { _, err := ctx.Monitor(f.foreign); return err }),
			want: actor.ErrForeignPID},
		{name: "monitor a dead PID gives Down NoProc", call: func() error {
			var ref actor.Ref
			if err := inside(f.agent, func(ctx actor.Context) (err error) { ref, err = ctx.Monitor(f.dead); return err }); err != nil {
				return err
			}
			return wantSignal(func(sig any) error {
				if sig != (actor.Down{Ref: ref, PID: f.dead, Reason: actor.NoProc}) {
					return fmt.Errorf("got %#v", sig)
				}
				return nil
			})
		}},
		{name: "monitor an unknown name gives Down NoProc", call: func() error {
			if err := inside(f.agent, func(ctx actor.Context) error { _, err := ctx.MonitorName("nobody"); return err }); err != nil {
				return err
			}
			return wantSignal(func(sig any) error {
				if d, ok := sig.(actor.Down); !ok || d.Reason != actor.NoProc {
					return fmt.Errorf("got %#v", sig)
				}
				return nil
			})
		}},
		{name: "demonitor an unknown ref", call: in(func(ctx actor.Context) error {
			if ctx.Demonitor(actor.NewRef()) {
				return errors.New("an unknown ref was reported active")
			}
			return nil
		})},
		{name: "demonitor the zero ref", call: in(func(ctx actor.Context) error {
			if ctx.Demonitor(actor.Ref{}) {
				return errors.New("the zero ref was reported active")
			}
			return nil
		})},
		{name: "demonitor twice", call: in(func(ctx actor.Context) error {
			ref, err := ctx.Monitor(f.live)
			if err != nil {
				return err
			}
			if !ctx.Demonitor(ref) {
				return errors.New("first demonitor: not active")
			}
			if ctx.Demonitor(ref) {
				return errors.New("second demonitor: reported active")
			}
			return nil
		})},
		{name: "link to the zero PID", call: in(func(ctx actor.Context) error { return ctx.Link(actor.PID{}) }), want: actor.ErrZeroPID},
		{name: "link to a foreign PID", call: in(func(ctx actor.Context) error { return ctx.Link(f.foreign) }), want: actor.ErrForeignPID},
		{name: "link to self does nothing", call: in(func(ctx actor.Context) error { return ctx.Link(ctx.Self()) })},
		{name: "link to a dead PID gives exit NoProc", call: func() error {
			if err := inside(f.agent, func(ctx actor.Context) error { return ctx.Link(f.dead) }); err != nil {
				return err
			}
			return wantSignal(func(sig any) error {
				if sig != (actor.Exit{From: f.dead, Reason: actor.NoProc}) {
					return fmt.Errorf("got %#v", sig)
				}
				return nil
			})
		}},
		{name: "unlink the zero PID", call: in(func(ctx actor.Context) error { return ctx.Unlink(actor.PID{}) }), want: actor.ErrZeroPID},
		{name: "unlink a process never linked", call: in(func(ctx actor.Context) error { return ctx.Unlink(f.live) })},
		{name: "stop with a nil reason means Normal", call: func() error {
			pid := spawn(f.sys, runner(f.gate, f.started, nil, false))
			if err := inside(f.agent, func(ctx actor.Context) error { _, err := ctx.Monitor(pid); return err }); err != nil {
				return err
			}
			if err := inside(pid, func(ctx actor.Context) error { ctx.Stop(nil); return nil }); err != nil {
				return err
			}
			return wantSignal(func(sig any) error {
				if d, ok := sig.(actor.Down); !ok || d.Reason != actor.Normal {
					return fmt.Errorf("got %#v, want Down Normal", sig)
				}
				return nil
			})
		}},
		{name: "send from a Context whose process exited", call: func() error { return f.savedCtx.Send(f.live, 1) },
			want: actor.ErrNotInProcess, dead: 1, reason: actor.ErrNotInProcess},
		{name: "request from a Context whose process exited", call: func() error {
			_, err := f.savedCtx.Request(bg, f.live, 1)
			return err
		}, want: actor.ErrNotInProcess, dead: 1, reason: actor.ErrNotInProcess},
		{name: "spawn from a Context whose process exited", call: func() error {
			pid, err := f.savedCtx.Spawn(nop())
			if err == nil {
				_ = f.sys.Kill(pid)
			}
			return err
		}, want: actor.ErrNotInProcess},

		// Supervisor specs.
		{name: "unknown strategy", call: supErr(supervisor.Spec{Strategy: 9}), want: supervisor.ErrInvalidStrategy},
		{name: "negative intensity", call: supErr(supervisor.Spec{Intensity: -2}), want: supervisor.ErrInvalidIntensity},
		{name: "negative period", call: supErr(supervisor.Spec{Period: -s}), want: supervisor.ErrInvalidPeriod},
		{name: "zero Backoff", call: supErr(supervisor.Spec{Escalation: supervisor.Backoff{}}), want: supervisor.ErrInvalidBackoff},
		{name: "Backoff Max below Base", call: supErr(supervisor.Spec{Escalation: supervisor.Backoff{Base: 2 * s, Max: s}}),
			want: supervisor.ErrInvalidBackoff},
		{name: "Backoff jitter above 1", call: supErr(supervisor.Spec{Escalation: supervisor.Backoff{Base: s, Max: s, Jitter: 1.5}}),
			want: supervisor.ErrInvalidBackoff},
		{name: "Backoff negative jitter", call: supErr(supervisor.Spec{Escalation: supervisor.Backoff{Base: s, Max: s, Jitter: -0.1}}),
			want: supervisor.ErrInvalidBackoff},
		{name: "Backoff NaN jitter", call: supErr(supervisor.Spec{Escalation: supervisor.Backoff{Base: s, Max: s, Jitter: math.NaN()}}),
			want: supervisor.ErrInvalidBackoff},
		{name: "unknown auto-shutdown", call: supErr(supervisor.Spec{AutoShutdown: 9}), want: supervisor.ErrInvalidAutoShutdown},
		{name: "child with an empty ID", call: supErr(supervisor.Spec{}, worker("")), want: supervisor.ErrInvalidChild},
		{name: "child without a factory", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x"}), want: supervisor.ErrNilFactory},
		{name: "StartWith on a static child", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop),
			StartWith: func(...any) actor.Props { return actor.PropsOf(nop) }}), want: supervisor.ErrInvalidChild},
		{name: "unknown restart type", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Restart: 9}),
			want: supervisor.ErrInvalidChild},
		{name: "unknown kind", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Kind: 9}),
			want: supervisor.ErrInvalidChild},
		{name: "negative start timeout", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), StartTimeout: -s}),
			want: supervisor.ErrInvalidChild},
		{name: "shutdown Timeout(0)", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Shutdown: supervisor.Timeout(0)}),
			want: supervisor.ErrInvalidChild},
		{name: "negative shutdown timeout", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Shutdown: supervisor.Timeout(-s)}),
			want: supervisor.ErrInvalidChild},
		{name: "significant permanent child", call: supErr(supervisor.Spec{AutoShutdown: supervisor.AnySignificant},
			supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Significant: true}), want: supervisor.ErrSignificantPermanent},
		{name: "significant child without auto-shutdown", call: supErr(supervisor.Spec{},
			supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Significant: true, Restart: supervisor.Transient}),
			want: supervisor.ErrSignificantWithoutAutoShutdown},
		{name: "duplicate child IDs", call: supErr(supervisor.Spec{}, worker("x"), worker("y"), worker("x")), want: supervisor.ErrDuplicateID},
		{name: "dynamic supervisor without a template", call: supErr(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}),
			want: supervisor.ErrTemplate},
		{name: "dynamic supervisor with two templates", call: supErr(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, worker("x"), worker("y")),
			want: supervisor.ErrTemplate},
		{name: "template without a factory", call: supErr(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, supervisor.Child{ID: "t"}),
			want: supervisor.ErrNilFactory},
		{name: "duplicate child names", call: supErr(supervisor.Spec{}, worker("x", actor.WithName("dup")), worker("y", actor.WithName("dup"))),
			check: startFailed("y", nameTaken)},
		{name: "child factory returns nil", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x",
			Start: actor.PropsOf(func() actor.Actor { return nil })}), check: startFailed("x", func(t *testing.T, err error) {
			require.ErrorIs(t, err, actor.ErrNilActor)
		})},
		{name: "child factory panics", call: supErr(supervisor.Spec{}, worker("ok"), supervisor.Child{ID: "x",
			Start: actor.PropsOf(func() actor.Actor { panic("factory") })}), check: startFailed("x", isPanic)},
		{name: "child Init panics", call: supErr(supervisor.Spec{}, supervisor.Child{ID: "x",
			Start: actor.PropsOf(func() actor.Actor { return panickingInit{} })}), check: startFailed("x", isPanic)},
		{name: "child Init blocks past its StartTimeout", call: supErr(supervisor.Spec{}, worker("ok"), supervisor.Child{ID: "x",
			Start: actor.PropsOf(func() actor.Actor { return blockingInit{} }), StartTimeout: s}), check: startFailed("x", initTimeout)},
		{name: "child factory returns the supervisor itself", call: func() error { return spawnErr(f.selfSup)() }, check: startFailed("me", func(t *testing.T, err error) {
			isAs[*supervisor.TreeIntegrityViolation](t, err)
		})},

		// The dynamic API.
		{name: "start a child whose ID is running", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, worker("a"))
			return err
		}, want: supervisor.ErrAlreadyStarted, check: func(t *testing.T, err error) {
			require.False(t, isAs[*supervisor.AlreadyStarted](t, err).PID.IsZero())
		}},
		{name: "terminate a child twice", call: func() error {
			if err := supervisor.TerminateChild(bg, f.sys, f.sup, "b"); err != nil {
				return err
			}
			return supervisor.TerminateChild(bg, f.sys, f.sup, "b")
		}, spawns: true},
		{name: "start a child whose ID is present", call: func() error {
			if err := supervisor.TerminateChild(bg, f.sys, f.sup, "b"); err != nil {
				return err
			}
			_, err := supervisor.StartChild(bg, f.sys, f.sup, worker("b"))
			return err
		}, want: supervisor.ErrAlreadyPresent, spawns: true},
		{name: "start a child with an invalid spec", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, supervisor.Child{ID: "x", Start: actor.PropsOf(nop), Shutdown: supervisor.Timeout(-s)})
			return err
		}, want: supervisor.ErrInvalidChild},
		{name: "start a child without a factory", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, supervisor.Child{ID: "x"})
			return err
		}, want: supervisor.ErrNilFactory},
		{name: "start a child whose factory panics", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, supervisor.Child{ID: "x", Start: actor.PropsOf(func() actor.Actor { panic("f") })})
			return err
		}, check: startFailed("x", isPanic)},
		{name: "start a child that blocks past its StartTimeout", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, supervisor.Child{ID: "x",
				Start: actor.PropsOf(func() actor.Actor { return blockingInit{} }), StartTimeout: 3 * s})
			return err
		}, check: startFailed("x", initTimeout)},
		{name: "start a child with a taken name", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.sup, worker("x", actor.WithName("taken")))
			return err
		}, check: startFailed("x", nameTaken)},
		{name: "restart a running child", call: func() error { _, err := supervisor.RestartChild(bg, f.sys, f.sup, "a"); return err },
			want: supervisor.ErrRunning},
		{name: "restart an unknown child", call: func() error { _, err := supervisor.RestartChild(bg, f.sys, f.sup, "nope"); return err },
			want: supervisor.ErrNotFound},
		{name: "terminate an unknown child", call: func() error { return supervisor.TerminateChild(bg, f.sys, f.sup, "nope") },
			want: supervisor.ErrNotFound},
		{name: "terminate an unknown child PID", call: func() error { return supervisor.TerminateChildPID(bg, f.sys, f.sup, f.live) },
			want: supervisor.ErrNotFound},
		{name: "terminate the zero child PID", call: func() error { return supervisor.TerminateChildPID(bg, f.sys, f.dyn, actor.PID{}) },
			want: supervisor.ErrNotFound},
		{name: "delete a running child", call: func() error { return supervisor.DeleteChild(bg, f.sys, f.sup, "a") },
			want: supervisor.ErrRunning},
		{name: "delete an unknown child", call: func() error { return supervisor.DeleteChild(bg, f.sys, f.sup, "nope") },
			want: supervisor.ErrNotFound},
		{name: "delete a child whose restart is pending", call: func() error {
			infos, err := supervisor.WhichChildren(bg, f.sys, f.backoff)
			if err != nil {
				return err
			}
			if err := f.sys.Send(infos[0].PID, "crash"); err != nil {
				return err
			}
			synctest.Wait() // the exit is handled: the restart waits an hour
			return supervisor.DeleteChild(bg, f.sys, f.backoff, "r")
		}, want: supervisor.ErrRestarting, spawns: true},
		{name: "start a child with arguments on a static supervisor", call: func() error {
			_, err := supervisor.StartChildWith(bg, f.sys, f.sup, 1)
			return err
		}, want: supervisor.ErrNotDynamic},
		{name: "start a dynamic child with arguments but no StartWith", call: func() error {
			_, err := supervisor.StartChildWith(bg, f.sys, f.dynNoArgs, 1)
			return err
		}, want: supervisor.ErrNoArgs},
		{name: "dynamic child whose StartWith panics", call: func() error {
			_, err := supervisor.StartChildWith(bg, f.sys, f.dyn, "panic")
			return err
		}, check: startFailed("t", isPanic)},
		{name: "start a spec on a dynamic supervisor", call: func() error {
			_, err := supervisor.StartChild(bg, f.sys, f.dyn, worker("x"))
			return err
		}, want: supervisor.ErrDynamic},
		{name: "restart by ID on a dynamic supervisor", call: func() error { _, err := supervisor.RestartChild(bg, f.sys, f.dyn, "t"); return err },
			want: supervisor.ErrDynamic},
		{name: "terminate by ID on a dynamic supervisor", call: func() error { return supervisor.TerminateChild(bg, f.sys, f.dyn, "t") },
			want: supervisor.ErrDynamic},
		{name: "delete on a dynamic supervisor", call: func() error { return supervisor.DeleteChild(bg, f.sys, f.dyn, "t") },
			want: supervisor.ErrDynamic},
		{name: "supervisor call to a process that is not one", call: func() error {
			_, err := supervisor.WhichChildren(bg, f.sys, f.notSup)
			return err
		}, want: supervisor.ErrNotSupervisor},
		{name: "supervisor call to a process that never answers", call: func() error {
			_, err := supervisor.CountChildren(timeout(s), f.sys, f.silent)
			return err
		}, want: context.DeadlineExceeded},
		{name: "supervisor call to a dead supervisor", call: func() error {
			_, err := supervisor.WhichChildren(bg, f.sys, f.deadSup)
			return err
		}, want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "supervisor call to the zero PID", call: func() error {
			_, err := supervisor.WhichChildren(bg, f.sys, actor.PID{})
			return err
		}, want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},

		// After Shutdown.
		{name: "spawn after shutdown", call: func() error { _, err := f.gone.Spawn(nop()); return err }, want: actor.ErrStopped},
		{name: "spawn props after shutdown", call: func() error { _, err := f.gone.SpawnProps(actor.PropsOf(nop)); return err },
			want: actor.ErrStopped},
		{name: "send after shutdown", call: func() error { return f.gone.Send(f.goneLive, 1) },
			want: actor.ErrStopped, dead: 1, reason: actor.ErrStopped},
		{name: "send with a context after shutdown", call: func() error { return f.gone.SendContext(bg, f.goneLive, 1) },
			want: actor.ErrStopped, dead: 1, reason: actor.ErrStopped},
		{name: "send by name after shutdown", call: func() error { return f.gone.SendNamed("gone", 1) },
			want: actor.ErrStopped, dead: 1, reason: actor.ErrStopped},
		{name: "request after shutdown", call: func() error { _, err := f.gone.Request(bg, f.goneLive, 1); return err },
			want: actor.ErrStopped, dead: 1, reason: actor.ErrStopped},
		{name: "supervisor call after shutdown", call: func() error { _, err := supervisor.WhichChildren(bg, f.gone, f.goneSup); return err },
			want: actor.ErrStopped, dead: 1, reason: actor.ErrStopped},
		{name: "stop after shutdown", call: func() error { return f.gone.Stop(bg, f.goneLive) }, check: noProcOrStopped},
		{name: "kill after shutdown", call: func() error { return f.gone.Kill(f.goneLive) }, check: noProcOrStopped},
		{name: "exit signal after shutdown", call: func() error { return f.gone.Exit(f.goneLive, actor.Shutdown) }, check: noProcOrStopped},
		{name: "register after shutdown", call: func() error { return f.gone.Register("again", f.goneLive) }, check: noProcOrStopped},
		{name: "shutdown twice", call: func() error { return f.gone.Shutdown(bg) }},
		{name: "next on a closed subscription", call: func() error {
			sub := f.gone.Subscribe(nil)
			sub.Close()
			sub.Close()
			_, err := sub.Next(bg)
			return err
		}, want: system.ErrSubscriptionClosed},

		// The mailbox package on its own.
		{name: "queue of capacity 0", call: func() error { var q mailbox.Queue[int]; return q.Init(0, mailbox.Backpressure) },
			want: mailbox.ErrInvalidCapacity},
		{name: "queue with an unknown policy", call: func() error { var q mailbox.Queue[int]; return q.Init(1, mailbox.Policy(7)) },
			want: mailbox.ErrInvalidPolicy},
		{name: "push to a closed queue", call: func() error {
			var q mailbox.Queue[int]
			if err := q.Init(1, mailbox.DropNewest); err != nil {
				return err
			}
			q.Close()
			_, _, err := q.Push(bg, 1)
			return err
		}, want: mailbox.ErrClosed},
		{name: "push with a nil context", call: func() error {
			var q mailbox.Queue[int]
			if err := q.Init(1, mailbox.Backpressure); err != nil {
				return err
			}
			var nilCtx context.Context
			_, _, err := q.Push(nilCtx, 1)
			return err
		}, want: mailbox.ErrNilContext},

		// Replies and forwarding, from inside a process.
		{name: "reply later to a message that is no request", call: in(func(ctx actor.Context) error {
			_, err := ctx.ReplyLater()
			return err
		}), want: actor.ErrNoRequest},
		{name: "refuse with a nil reason", call: in(func(ctx actor.Context) error { return ctx.Refuse(nil) }),
			want: actor.ErrNilReason},
		{name: "forward to the zero PID", call: in(func(ctx actor.Context) error { return ctx.Forward(actor.PID{}) }),
			want: actor.ErrZeroPID, dead: 1, reason: actor.ErrZeroPID},
		{name: "forward to a foreign PID", call: in(func(ctx actor.Context) error { return ctx.Forward(f.foreign) }),
			want: actor.ErrForeignPID, dead: 1, reason: actor.ErrForeignPID},
		{name: "forward to a dead PID", call: in(func(ctx actor.Context) error { return ctx.Forward(f.dead) }),
			want: actor.ErrNoProcess, dead: 1, reason: actor.ErrNoProcess},
		{name: "ask for a reply of another type", call: func() error {
			one := spawn(f.sys, actor.Func(func(ctx actor.Context, _ any) { _ = ctx.Reply(1) }))
			_, err := actor.Ask[string](timeout(s), f.sys, one, "?")
			return err
		}, want: actor.ErrReplyType, spawns: true},

		// Routers.
		{name: "router with a nil policy", call: func() error {
			return spawnErr(router.New(router.Spec{Routees: []actor.PID{f.live}}))()
		}, want: router.ErrNilPolicy},
		{name: "router with no routees", call: spawnErr(router.New(router.Spec{Policy: router.RoundRobin()})),
			want: router.ErrNoRoutees},
		{name: "router with a routee of another system", call: func() error {
			return spawnErr(router.New(router.Spec{Policy: router.RoundRobin(), Routees: []actor.PID{f.live, f.foreign}}))()
		}, want: actor.ErrForeignPID},
		{name: "router with the zero PID as routee", call: spawnErr(router.New(router.Spec{
			Policy: router.RoundRobin(), Routees: []actor.PID{{}}})), want: actor.ErrZeroPID},
		{name: "router with a pool of no workers", call: spawnErr(router.New(router.Spec{
			Policy: router.RoundRobin(), Pool: &router.Pool{Worker: worker("w")}})), want: router.ErrBadSize},
		{name: "hash router given a message without a key", call: func() error {
			r := spawn(f.sys, router.New(router.Spec{Policy: router.ConsistentHash(), Routees: []actor.PID{f.live}}))
			_, err := f.sys.Request(timeout(s), r, "no key")
			return err
		}, want: router.ErrNoKey, dead: 1, reason: router.ErrNoKey, spawns: true},
		{name: "router whose routees are all gone", call: func() error {
			r := spawn(f.sys, router.New(router.Spec{Policy: router.RoundRobin(), Routees: []actor.PID{f.dead}}))
			_, err := f.sys.Request(timeout(s), r, 1)
			return err
		}, want: router.ErrNoRoutee, dead: 1, reason: router.ErrNoRoutee, spawns: true},
	}
}

// ptrActor is an actor with a pointer receiver, to spawn as a typed nil.
type ptrActor struct{ n int }

func (a *ptrActor) Receive(actor.Context, any) { a.n++ }

// nilCtx is a nil context.Context, which every call taking one refuses.
var nilCtx context.Context
