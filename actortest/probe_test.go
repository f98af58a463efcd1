package actortest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// fakeT records what a probe reports. FailNow ends the calling goroutine,
// as testing's does, so every use runs in its own goroutine (see check).
type fakeT struct {
	mu       sync.Mutex
	errors   []string
	failed   bool
	cleanups []func()
}

func (f *fakeT) Helper() {}
func (f *fakeT) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}
func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) FailNow() {
	f.mu.Lock()
	f.failed = true
	f.mu.Unlock()
	runtime.Goexit()
}

// check runs f with a fresh fakeT on a goroutine of its own and returns
// what it reported.
func check(f func(ft *fakeT)) (failed bool, report string) {
	ft := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(ft)
	}()
	<-done
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.failed, strings.Join(ft.errors, "\n")
}

func TestExpect(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys)
		require.NoError(t, sys.Send(p.PID(), "hello"))
		require.NoError(t, sys.Send(p.PID(), 42))
		m := p.Expect(t, "hello")
		require.True(t, m.Sender.IsZero())
		require.False(t, m.IsRequest)
		require.Equal(t, 42, actortest.ExpectType[int](t, p))
		p.ExpectNoMessage(t, time.Hour)
	})
}

// A failed expectation fails the test on its own goroutine and names what
// was expected and what arrived.
func TestFailuresNameWantAndGot(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys, actortest.WithTimeout(time.Second))
		other, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		cases := []struct {
			name   string
			send   any
			expect func(ft *fakeT)
			want   []string
		}{
			{"Expect, other value", 42, func(ft *fakeT) { p.Expect(ft, "pong") },
				[]string{"expected \"pong\" (string)", "got 42 (int)"}},
			{"Expect, nothing", nil, func(ft *fakeT) { p.Expect(ft, "pong") },
				[]string{"expected \"pong\" (string) within 1s, nothing arrived"}},
			{"ExpectType", "text", func(ft *fakeT) { actortest.ExpectType[int](ft, p) },
				[]string{"expected a int", "got \"text\" (string)"}},
			{"ExpectDown, other message", "text", func(ft *fakeT) { p.ExpectDown(ft, other) },
				[]string{"expected Down of " + other.String(), "got \"text\" (string)"}},
			{"ExpectExit, nothing", nil, func(ft *fakeT) { p.ExpectExit(ft, other) },
				[]string{"expected Exit from " + other.String() + " within 1s, nothing arrived"}},
			{"ExpectNoMessage", 7, func(ft *fakeT) { p.ExpectNoMessage(ft, time.Minute) },
				[]string{"expected no message within 1m0s, got 7 (int)"}},
			{"Reply to a Send", 8, func(ft *fakeT) { p.Receive(ft); p.Reply(ft, "x") },
				[]string{"Reply: the last message read, 8 (int), is not a pending Request"}},
		}
		for _, c := range cases {
			if c.send != nil {
				require.NoError(t, sys.Send(p.PID(), c.send))
			}
			failed, report := check(c.expect)
			require.True(t, failed, c.name)
			require.Contains(t, report, "actortest: probe "+p.PID().String(), c.name)
			for _, w := range c.want {
				require.Contains(t, report, w, c.name)
			}
		}
	})
}

func TestReplyAnswersRequest(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys)
		got := make(chan any, 1)
		go func() {
			v, err := sys.Request(context.Background(), p.PID(), "ping")
			if err != nil {
				v = err
			}
			got <- v
		}()
		m := p.Expect(t, "ping")
		require.True(t, m.IsRequest)
		p.Reply(t, "pong")
		require.Equal(t, "pong", <-got)
	})
}

// A Request the test reads without replying is left unanswered: the
// requester's own context ends its wait.
func TestRequestReadOnIsUnanswered(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys)
		got := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := sys.Request(ctx, p.PID(), "ping")
			got <- err
		}()
		p.Expect(t, "ping")
		require.NoError(t, sys.Send(p.PID(), "next"))
		p.Expect(t, "next")
		require.ErrorIs(t, <-got, context.DeadlineExceeded)
	})
}

func TestLinkMonitorTrapExit(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		errCrash := errors.New("crash")
		crash := func() actor.PID {
			pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(errCrash) }))
			require.NoError(t, err)
			return pid
		}
		p := actortest.NewProbe(t, sys)
		p.TrapExit(t, true)
		a, b := crash(), crash()
		p.Link(t, a)
		ref := p.Monitor(t, b)
		require.NoError(t, sys.Send(a, "go"))
		x := p.ExpectExit(t, a)
		require.ErrorIs(t, x.Reason, errCrash)
		require.NoError(t, sys.Send(b, "go"))
		d := p.ExpectDown(t, b)
		require.Equal(t, ref, d.Ref)
		require.ErrorIs(t, d.Reason, errCrash)
	})
}

func TestSendAndForward(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p, q := actortest.NewProbe(t, sys), actortest.NewProbe(t, sys)
		echo, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Send(ctx.Sender(), msg) }))
		require.NoError(t, err)
		p.Send(t, echo, "hi")
		require.Equal(t, echo, p.Expect(t, "hi").Sender)
		p.Forward(t, q.PID())
		require.Equal(t, p.PID(), q.Expect(t, "hi").Sender)
	})
}

// Run's bubble drives the runtime's timers: an hour passes at once (the
// probe's timeout, virtual too, must be longer than what it waits for).
func TestRunVirtualTime(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys, actortest.WithTimeout(2*time.Hour))
		start := time.Now()
		_, err := sys.SendInterval(time.Hour, p.PID(), "tick")
		require.NoError(t, err)
		for i := 1; i <= 3; i++ {
			p.Expect(t, "tick")
			require.Equal(t, time.Duration(i)*time.Hour, time.Since(start))
		}
	})
}

// A probe asks as a process: the target sees it as the sender, and a
// target that never answers fails the test at the probe's timeout.
func TestProbeRequest(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys, actortest.WithTimeout(time.Minute))
		who, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(ctx.Sender()) }))
		require.NoError(t, err)
		require.Equal(t, p.PID(), p.Request(t, who, "who asks?"))

		silent, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		failed, report := check(func(ft *fakeT) { p.Request(ft, silent, "hello?") })
		require.True(t, failed)
		require.Contains(t, report, `Request "hello?" (string) to `+silent.String()+": context deadline exceeded")
	})
}

// Do runs its function as the probe, between the messages the probe
// receives, and returns its result; a function that crashes the probe, or a
// probe that has gone, fails the test with a message saying so.
func TestDo(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys)
		require.NoError(t, sys.Send(p.PID(), "before"))
		got := p.Do(t, func(ctx actor.Context) any {
			_ = ctx.Send(ctx.Self(), "from inside")
			return ctx.Self()
		})
		require.Equal(t, p.PID(), got, "f runs as the probe")
		p.Expect(t, "before")
		require.Equal(t, p.PID(), p.Expect(t, "from inside").Sender)

		failed, report := check(func(ft *fakeT) { p.Do(ft, func(actor.Context) any { panic("boom") }) })
		require.True(t, failed)
		require.Contains(t, report, "actortest: probe "+p.PID().String()+": Do: the function did not return")
		require.False(t, sys.Alive(p.PID()), "the panic ended the probe")

		failed, report = check(func(ft *fakeT) { p.Do(ft, func(actor.Context) any { return nil }) })
		require.True(t, failed)
		require.Contains(t, report, "Do: "+actor.ErrNoProcess.Error())
	})
}

// DoAsync returns before its function runs; the function holds the probe,
// so that what is sent meanwhile stays queued in order.
func TestDoAsync(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := actortest.NewProbe(t, sys)
		started, release := make(chan struct{}), make(chan struct{})
		require.NoError(t, sys.Send(p.PID(), 1))
		p.DoAsync(t, func(ctx actor.Context) {
			close(started)
			<-release
			_ = ctx.Send(ctx.Self(), 3)
		})
		require.NoError(t, sys.Send(p.PID(), 2))
		<-started
		p.Expect(t, 1)
		p.ExpectNoMessage(t, time.Hour) // virtual: the probe is held
		close(release)
		p.Expect(t, 2)
		p.Expect(t, 3)

		p.Do(t, func(ctx actor.Context) any { ctx.Stop(actor.Normal); return nil })
		failed, report := check(func(ft *fakeT) { p.DoAsync(ft, func(actor.Context) {}) })
		require.True(t, failed)
		require.Contains(t, report, "actortest: probe "+p.PID().String()+": DoAsync: "+actor.ErrNoProcess.Error())

		// A full mailbox refuses f.
		full := actortest.NewProbe(t, sys, actortest.WithSpawnOptions(actor.WithMailbox(1, mailbox.DropNewest)))
		held, free := make(chan struct{}), make(chan struct{})
		full.DoAsync(t, func(actor.Context) { close(held); <-free })
		<-held
		require.NoError(t, sys.Send(full.PID(), "fill"))
		failed, report = check(func(ft *fakeT) { full.DoAsync(ft, func(actor.Context) {}) })
		require.True(t, failed)
		require.Contains(t, report, "DoAsync: "+actor.ErrMailboxFull.Error())
		close(free)
		full.Expect(t, "fill")
	})
}

// WithTerminate's callback runs with the probe's exit reason, before the
// probe's monitors are told.
func TestWithTerminate(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		errStop := errors.New("stop")
		reasons := make(chan error, 1)
		p := actortest.NewProbe(t, sys, actortest.WithTerminate(func(_ actor.Context, reason error) {
			reasons <- reason
		}))
		w := actortest.NewProbe(t, sys)
		w.Monitor(t, p.PID())
		p.Do(t, func(ctx actor.Context) any { ctx.Stop(errStop); return nil })
		require.ErrorIs(t, w.ExpectDown(t, p.PID()).Reason, errStop)
		select {
		case r := <-reasons:
			require.ErrorIs(t, r, errStop)
		default:
			t.Fatal("Terminate had not run when the Down arrived")
		}
	})
}

// WithSpawn spawns the probe where the test says, here as the linked child
// of another probe; a spawn that fails fails the test with its error.
func TestWithSpawn(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		type spawned struct {
			pid actor.PID
			err error
		}
		parent := actortest.NewProbe(t, sys)
		parent.TrapExit(t, true)
		child := actortest.NewProbe(t, sys, actortest.WithSpawnOptions(actor.WithName("child")),
			actortest.WithSpawn(func(a actor.Actor, opts ...actor.Option) (actor.PID, error) {
				r := parent.Do(t, func(ctx actor.Context) any {
					pid, err := ctx.SpawnLink(a, opts...)
					return spawned{pid, err}
				}).(spawned)
				return r.pid, r.err
			}))
		pid, ok := sys.Whereis("child")
		require.True(t, ok)
		require.Equal(t, child.PID(), pid, "spawned with the options")
		require.Equal(t, parent.PID(), child.Do(t, func(ctx actor.Context) any { return ctx.Parent() }))
		errChild := errors.New("child ends")
		child.Do(t, func(ctx actor.Context) any { ctx.Stop(errChild); return nil })
		require.ErrorIs(t, parent.ExpectExit(t, child.PID()).Reason, errChild, "linked")

		errSpawn := errors.New("no room")
		failed, report := check(func(ft *fakeT) {
			actortest.NewProbe(ft, sys, actortest.WithSpawn(func(actor.Actor, ...actor.Option) (actor.PID, error) {
				return actor.PID{}, errSpawn
			}))
		})
		require.True(t, failed)
		require.Contains(t, report, "actortest: spawn probe: no room")
	})
}
