package system_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// Tests for the rules of links, monitors and exit signals, one
// test per rule. They never sleep: they synchronise on messages received by
// probes (actortest.Probe), on ProcessExited events (published once every link and
// monitor of the process has been told) and on Request round trips.

// newProbe spawns an actortest.Probe whose waits fail after waitLimit; if
// trap is set it traps exits before newProbe returns.
func newProbe(t testing.TB, sys *system.System, trap bool, opts ...actor.Option) *actortest.Probe {
	t.Helper()
	p := actortest.NewProbe(t, sys, actortest.WithTimeout(waitLimit), actortest.WithSpawnOptions(opts...))
	if trap {
		p.TrapExit(t, true)
	}
	return p
}

// flush returns once p has handled everything sent to it before, exit
// signals included. Two round trips, so that anything its handlers queued
// for it meanwhile has been handled too.
func flush(t testing.TB, p *actortest.Probe) {
	t.Helper()
	p.Do(t, func(actor.Context) any { return nil })
	p.Do(t, func(actor.Context) any { return nil })
}

// quiet asserts that p is alive and received nothing more.
func quiet(t testing.TB, sys *system.System, p *actortest.Probe) {
	t.Helper()
	flush(t, p)
	p.ExpectNoMessage(t, 0)
	require.True(t, sys.Alive(p.PID()))
}

type monRes struct {
	ref actor.Ref
	err error
}

// monitor makes watcher monitor target and returns the monitor's Ref,
// which must not be zero.
func monitor(t testing.TB, watcher *actortest.Probe, target actor.PID) actor.Ref {
	t.Helper()
	ref := watcher.Monitor(t, target)
	require.False(t, ref.IsZero())
	return ref
}

// stop makes p stop itself with reason once the current handler returns.
func stop(t testing.TB, p *actortest.Probe, reason error) {
	t.Helper()
	p.Do(t, func(ctx actor.Context) any { ctx.Stop(reason); return nil })
}

// gate blocks handlers until opened; it is opened at cleanup at the latest,
// so that no handler outlives its test.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate(t testing.TB) *gate {
	g := &gate{ch: make(chan struct{})}
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// hold occupies a probe's handler (Probe.DoAsync) until g opens.
func hold(started chan<- struct{}, g *gate) func(actor.Context) {
	return func(actor.Context) {
		started <- struct{}{}
		<-g.ch
	}
}

// exitLog records ProcessExited events: once one is seen for a PID, its links
// and monitors have all been told.
type exitLog struct {
	sub  *system.Subscription
	seen map[actor.PID]error
}

func watchExits(t testing.TB, sys *system.System) *exitLog {
	// Room for every exit a stress test causes before it reads them.
	sub, err := sys.SubscribeBuffered(func(e any) bool { _, ok := e.(actor.ProcessExited); return ok }, 1<<20)
	require.NoError(t, err)
	t.Cleanup(sub.Close)
	return &exitLog{sub: sub, seen: make(map[actor.PID]error)}
}

// wait returns pid's exit reason once it has exited.
func (l *exitLog) wait(t testing.TB, pid actor.PID) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for {
		if r, ok := l.seen[pid]; ok {
			return r
		}
		ev, err := l.sub.Next(ctx)
		require.NoError(t, err, "waiting for %v to exit", pid)
		e := ev.(actor.ProcessExited)
		l.seen[e.PID] = e.Reason
	}
}

type reqResult struct {
	v   any
	err error
}

// requestAsync makes a Request with no deadline on another goroutine.
func requestAsync(t testing.TB, sys *system.System, pid actor.PID, msg any) <-chan reqResult {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch := make(chan reqResult, 1)
	go func() {
		v, err := sys.Request(ctx, pid, msg)
		ch <- reqResult{v, err}
	}()
	return ch
}

// 1. A process that exits with Normal sends Normal to its links: a
// non-trapping receiver ignores it, a trapping one gets Exit{From, Normal}.
func TestRule01_NormalExitIgnoredUnlessTrapping(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	target := newProbe(t, sys, false)
	plain := newProbe(t, sys, false)
	trapper := newProbe(t, sys, true)
	plain.Link(t, target.PID())
	trapper.Link(t, target.PID())

	stop(t, target, actor.Normal)
	require.Equal(t, actor.Normal, exits.wait(t, target.PID()))
	trapper.Expect(t, actor.Exit{From: target.PID(), Reason: actor.Normal})
	quiet(t, sys, trapper)
	quiet(t, sys, plain)
}

// 2. Any other reason makes a non-trapping linked process exit with the same
// reason, along a whole chain of links.
func TestRule02_AbnormalExitPropagatesAlongChain(t *testing.T) {
	errChain := errors.New("chain broke")
	tests := []struct {
		name string
		end  func(t *testing.T, sys *system.System, head *actortest.Probe)
	}{
		{"stop with an error", func(t *testing.T, sys *system.System, head *actortest.Probe) {
			stop(t, head, errChain)
		}},
		{"stop with Shutdown", func(t *testing.T, sys *system.System, head *actortest.Probe) {
			stop(t, head, actor.Shutdown)
		}},
		{"panic", func(t *testing.T, sys *system.System, head *actortest.Probe) {
			head.DoAsync(t, func(actor.Context) { panic(errChain) })
		}},
		{"exit signal", func(t *testing.T, sys *system.System, head *actortest.Probe) {
			require.NoError(t, sys.Exit(head.PID(), errChain))
		}},
		{"killed", func(t *testing.T, sys *system.System, head *actortest.Probe) {
			require.NoError(t, sys.Kill(head.PID()))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			chain := make([]*actortest.Probe, 5)
			for i := range chain {
				chain[i] = newProbe(t, sys, false)
			}
			for i := range len(chain) - 1 {
				chain[i].Link(t, chain[i+1].PID())
			}
			tail := newProbe(t, sys, true)
			tail.Link(t, chain[len(chain)-1].PID())

			tt.end(t, sys, chain[0])
			want := exits.wait(t, chain[0].PID())
			require.NotErrorIs(t, want, actor.Normal)
			for _, p := range chain[1:] {
				require.Equal(t, want, exits.wait(t, p.PID()), "process %v", p.PID())
			}
			tail.Expect(t, actor.Exit{From: chain[len(chain)-1].PID(), Reason: want})
			quiet(t, sys, tail)
		})
	}
}

// 3. Exit(pid, Normal) sent by another process is ignored by a non-trapping
// target and arrives as an Exit message at a trapping one; Exit(self,
// Normal) ends the caller.
func TestRule03_ExitNormalSignal(t *testing.T) {
	t.Run("ignored by a non-trapping target", func(t *testing.T) {
		sys := newSystem(t)
		target := newProbe(t, sys, false)
		sender := newProbe(t, sys, false)
		require.Nil(t, sender.Do(t, func(ctx actor.Context) any { return ctx.Exit(target.PID(), actor.Normal) }))
		require.NoError(t, sys.Exit(target.PID(), actor.Normal))
		quiet(t, sys, target)
	})
	t.Run("an Exit message at a trapping target", func(t *testing.T) {
		sys := newSystem(t)
		target := newProbe(t, sys, true)
		sender := newProbe(t, sys, false)
		require.Nil(t, sender.Do(t, func(ctx actor.Context) any { return ctx.Exit(target.PID(), actor.Normal) }))
		target.Expect(t, actor.Exit{From: sender.PID(), Reason: actor.Normal})
		require.NoError(t, sys.Exit(target.PID(), actor.Normal))
		target.Expect(t, actor.Exit{Reason: actor.Normal}) // from the system
		quiet(t, sys, target)
	})
	t.Run("Exit(self, Normal) ends the caller", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		p := newProbe(t, sys, false)
		require.Nil(t, p.Do(t, func(ctx actor.Context) any { return ctx.Exit(ctx.Self(), actor.Normal) }))
		require.Equal(t, actor.Normal, exits.wait(t, p.PID()))
	})
	t.Run("Exit(self, Normal) is a message when trapping", func(t *testing.T) {
		// erlang:exit/2: a trapping caller gets {'EXIT', self(), normal}.
		sys := newSystem(t)
		p := newProbe(t, sys, true)
		require.Nil(t, p.Do(t, func(ctx actor.Context) any { return ctx.Exit(ctx.Self(), actor.Normal) }))
		p.Expect(t, actor.Exit{From: p.PID(), Reason: actor.Normal})
		quiet(t, sys, p)
	})
}

// 4. Exit(pid, Kill) cannot be trapped: the target exits with Killed; its
// links receive Killed, not Kill. A process that stops itself with reason
// Kill sends Kill over its links as an ordinary reason (trappable there).
func TestRule04_KillIsUntrappable(t *testing.T) {
	t.Run("a trapping target exits with Killed", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		target := newProbe(t, sys, true)
		peer := newProbe(t, sys, true)
		watcher := newProbe(t, sys, false)
		killer := newProbe(t, sys, false)
		peer.Link(t, target.PID())
		ref := monitor(t, watcher, target.PID())

		require.Nil(t, killer.Do(t, func(ctx actor.Context) any { return ctx.Exit(target.PID(), actor.Kill) }))
		require.Equal(t, actor.Killed, exits.wait(t, target.PID()))
		peer.Expect(t, actor.Exit{From: target.PID(), Reason: actor.Killed})
		watcher.Expect(t, actor.Down{Ref: ref, PID: target.PID(), Reason: actor.Killed})
		target.ExpectNoMessage(t, 0)
		quiet(t, sys, peer)
		quiet(t, sys, watcher)
		quiet(t, sys, killer)
	})
	t.Run("whatever the target is doing", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		target := newProbe(t, sys, true)
		peer := newProbe(t, sys, true)
		peer.Link(t, target.PID())
		target.DoAsync(t, hold(started, g))
		take(t, started)

		require.NoError(t, sys.Exit(target.PID(), actor.Kill))
		require.Equal(t, actor.Killed, exits.wait(t, target.PID()), "dead while its handler still runs")
		peer.Expect(t, actor.Exit{From: target.PID(), Reason: actor.Killed})
		require.False(t, sys.Alive(target.PID()))
		g.open()
	})
	t.Run("Exit(self, Kill)", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		target := newProbe(t, sys, true)
		peer := newProbe(t, sys, true)
		peer.Link(t, target.PID())
		target.DoAsync(t, func(ctx actor.Context) { _ = ctx.Exit(ctx.Self(), actor.Kill) })
		require.Equal(t, actor.Killed, exits.wait(t, target.PID()))
		peer.Expect(t, actor.Exit{From: target.PID(), Reason: actor.Killed})
		quiet(t, sys, peer)
	})
	t.Run("stopping with Kill sends Kill as an ordinary reason", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		target := newProbe(t, sys, false)
		trapper := newProbe(t, sys, true)
		plain := newProbe(t, sys, false)
		trapper.Link(t, target.PID())
		plain.Link(t, target.PID())

		stop(t, target, actor.Kill)
		require.Equal(t, actor.Kill, exits.wait(t, target.PID()))
		trapper.Expect(t, actor.Exit{From: target.PID(), Reason: actor.Kill}) // trappable
		quiet(t, sys, trapper)
		require.Equal(t, actor.Kill, exits.wait(t, plain.PID()), "an ordinary reason: kill, not killed")
	})
}

// 5. A trapped signal becomes an Exit message placed after every message its
// sender sent earlier; it is never refused because the mailbox is full.
func TestRule05_TrappedExitOrderedAndNeverRefused(t *testing.T) {
	t.Run("after the sender's earlier messages", func(t *testing.T) {
		sys := newSystem(t)
		const n = 500
		errX := errors.New("sender done")
		recv := newProbe(t, sys, true)
		sender := newProbe(t, sys, false)
		recv.Link(t, sender.PID())
		require.Nil(t, sender.Do(t, func(ctx actor.Context) any {
			for i := range n {
				if err := ctx.Send(recv.PID(), i); err != nil {
					return err
				}
			}
			ctx.Stop(errX)
			return nil
		}))
		for i := range n {
			recv.Expect(t, i)
		}
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errX})
		quiet(t, sys, recv)
	})
	t.Run("not refused by a full DropNewest mailbox", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		errA, errB := errors.New("exit signal"), errors.New("exit reason")
		recv := newProbe(t, sys, true, actor.WithMailbox(1, mailbox.DropNewest))
		sender := newProbe(t, sys, false)
		recv.Link(t, sender.PID())

		finished := make(chan string, 1)
		recv.DoAsync(t, func(actor.Context) {
			started <- struct{}{}
			<-g.ch
			finished <- "m0"
		})
		take(t, started)
		errs := sender.Do(t, func(ctx actor.Context) any {
			return []error{ctx.Send(recv.PID(), "m1"), ctx.Send(recv.PID(), "m2"), ctx.Exit(recv.PID(), errA)}
		}).([]error)
		require.NoError(t, errs[0])
		require.ErrorIs(t, errs[1], actor.ErrMailboxFull, "the mailbox is full")
		require.NoError(t, errs[2])
		stop(t, sender, errB)
		require.Equal(t, errB, exits.wait(t, sender.PID()))

		g.open()
		require.Equal(t, "m0", take(t, finished)) // recv's first handler returns, then it takes m1
		recv.Expect(t, "m1")
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errA})
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errB})
		quiet(t, sys, recv)
	})
	t.Run("not evicted from a full DropOldest mailbox", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g1, g2 := newGate(t), newGate(t)
		s1, s2 := make(chan struct{}, 1), make(chan struct{}, 1)
		errX := errors.New("sender done")
		recv := newProbe(t, sys, true, actor.WithMailbox(1, mailbox.DropOldest))
		sender := newProbe(t, sys, false)
		recv.Link(t, sender.PID())

		recv.DoAsync(t, hold(s1, g1))
		take(t, s1)
		recv.DoAsync(t, hold(s2, g2)) // the lane is full
		stop(t, sender, errX)
		exits.wait(t, sender.PID())
		g1.open() // recv takes the signal, queues the Exit, then runs the second hold
		take(t, s2)
		require.NoError(t, sys.Send(recv.PID(), "late")) // full: DropOldest may drop a message, never the Exit
		g2.open()
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errX})
	})
}

// 6. Linking to a dead or unknown PID delivers exit signal NoProc to the
// caller (an Exit message if trapping, otherwise the caller exits with
// NoProc).
func TestRule06_LinkToMissingProcessGivesNoProc(t *testing.T) {
	targets := map[string]func(t *testing.T, sys *system.System) actor.PID{
		"dead": func(t *testing.T, sys *system.System) actor.PID {
			exits := watchExits(t, sys)
			p := newProbe(t, sys, false)
			stop(t, p, actor.Normal)
			exits.wait(t, p.PID())
			return p.PID()
		},
		"unknown": func(t *testing.T, sys *system.System) actor.PID {
			p := newProbe(t, sys, false)
			return actor.NewPID(p.PID().System(), 1<<40)
		},
	}
	for name, target := range targets {
		t.Run(name+", trapping", func(t *testing.T) {
			sys := newSystem(t)
			pid := target(t, sys)
			caller := newProbe(t, sys, true)
			caller.Do(t, func(ctx actor.Context) any { return ctx.Link(pid) })
			caller.Expect(t, actor.Exit{From: pid, Reason: actor.NoProc})
			quiet(t, sys, caller)
		})
		t.Run(name+", not trapping", func(t *testing.T) {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			pid := target(t, sys)
			caller := newProbe(t, sys, false)
			caller.Do(t, func(ctx actor.Context) any { return ctx.Link(pid) })
			require.Equal(t, actor.NoProc, exits.wait(t, caller.PID()))
		})
	}
}

// 7. Links are bidirectional, at most one per pair: linking twice gives one
// signal; after Unlink no signal from that link arrives; linking to self
// does nothing.
func TestRule07_LinksBidirectionalUniqueUnlinkable(t *testing.T) {
	errX := errors.New("linked exit")
	t.Run("both ways", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		a, b := newProbe(t, sys, false), newProbe(t, sys, false)
		a.Link(t, b.PID())
		stop(t, b, errX) // the linked side dies
		require.Equal(t, errX, exits.wait(t, a.PID()))

		c, d := newProbe(t, sys, false), newProbe(t, sys, false)
		c.Link(t, d.PID())
		stop(t, c, errX) // the linking side dies
		require.Equal(t, errX, exits.wait(t, d.PID()))
	})
	t.Run("linking twice is one link", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		trapper, other := newProbe(t, sys, true), newProbe(t, sys, false)
		trapper.Link(t, other.PID())
		trapper.Link(t, other.PID())
		other.Link(t, trapper.PID())
		stop(t, other, errX)
		exits.wait(t, other.PID())
		trapper.Expect(t, actor.Exit{From: other.PID(), Reason: errX})
		quiet(t, sys, trapper)
	})
	t.Run("one Unlink undoes a double link", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		trapper, other := newProbe(t, sys, true), newProbe(t, sys, false)
		trapper.Link(t, other.PID())
		other.Link(t, trapper.PID())
		require.Nil(t, trapper.Do(t, func(ctx actor.Context) any { return ctx.Unlink(other.PID()) }))
		stop(t, other, errX)
		exits.wait(t, other.PID())
		quiet(t, sys, trapper)
	})
	t.Run("unlink from either side", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		for _, bySelf := range []bool{true, false} {
			for _, trap := range []bool{true, false} {
				p, other := newProbe(t, sys, trap), newProbe(t, sys, false)
				p.Link(t, other.PID())
				unlinker, peer := p, other.PID()
				if !bySelf {
					unlinker, peer = other, p.PID()
				}
				require.Nil(t, unlinker.Do(t, func(ctx actor.Context) any { return ctx.Unlink(peer) }))
				stop(t, other, errX)
				exits.wait(t, other.PID())
				quiet(t, sys, p)
			}
		}
	})
	t.Run("unlink discards an Exit already queued", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		trapper, other := newProbe(t, sys, true), newProbe(t, sys, false)
		trapper.Link(t, other.PID())
		trapper.DoAsync(t, hold(started, g))
		take(t, started)
		unlinked := make(chan error, 1)
		trapper.DoAsync(t, func(ctx actor.Context) { unlinked <- ctx.Unlink(other.PID()) })
		stop(t, other, errX)
		exits.wait(t, other.PID())
		g.open() // the signal becomes an Exit queued behind the Unlink
		require.NoError(t, take(t, unlinked))
		quiet(t, sys, trapper)
	})
	t.Run("unlink discards a signal not yet taken", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		unlinked := make(chan error, 1)
		trapper, other := newProbe(t, sys, true), newProbe(t, sys, false)
		trapper.Link(t, other.PID())
		trapper.DoAsync(t, func(ctx actor.Context) {
			started <- struct{}{}
			<-g.ch
			unlinked <- ctx.Unlink(other.PID())
		})
		take(t, started)
		stop(t, other, errX)
		exits.wait(t, other.PID())
		g.open()
		require.NoError(t, take(t, unlinked))
		quiet(t, sys, trapper)
	})
	t.Run("linking to self does nothing", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		for _, trap := range []bool{true, false} {
			p := newProbe(t, sys, trap)
			p.Link(t, p.PID())
			require.Nil(t, p.Do(t, func(ctx actor.Context) any { return ctx.Unlink(ctx.Self()) }))
			p.Link(t, p.PID())
			quiet(t, sys, p)
			stop(t, p, errX)
			require.Equal(t, errX, exits.wait(t, p.PID()))
		}
	})
}

// 8. The first exit signal that ends a process fixes its reason; later ones
// are ignored.
func TestRule08_FirstExitSignalFixesReason(t *testing.T) {
	r1, r2, r3 := errors.New("first"), errors.New("second"), errors.New("third")
	t.Run("exit signals", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		terminated := make(chan error, 1)
		p := actortest.NewProbe(t, sys, actortest.WithTimeout(waitLimit),
			actortest.WithTerminate(func(_ actor.Context, r error) { terminated <- r }))
		linked := newProbe(t, sys, false)
		sender := newProbe(t, sys, false)
		linked.Link(t, p.PID())
		p.DoAsync(t, hold(started, g))
		take(t, started)

		require.NoError(t, sys.Exit(p.PID(), r1))
		require.Nil(t, sender.Do(t, func(ctx actor.Context) any { return ctx.Exit(p.PID(), r2) }))
		require.NoError(t, sys.Exit(p.PID(), actor.Normal))
		require.NoError(t, sys.Exit(p.PID(), actor.Shutdown))
		g.open()
		require.Equal(t, r1, exits.wait(t, p.PID()))
		require.Equal(t, r1, take(t, terminated))
		require.Equal(t, r1, exits.wait(t, linked.PID()), "links see the fixed reason")
	})
	t.Run("link signals", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		p := newProbe(t, sys, false)
		a, b := newProbe(t, sys, false), newProbe(t, sys, false)
		p.Link(t, a.PID())
		p.Link(t, b.PID())
		p.DoAsync(t, hold(started, g))
		take(t, started)
		stop(t, a, r1)
		exits.wait(t, a.PID())
		stop(t, b, r2)
		exits.wait(t, b.PID())
		g.open()
		require.Equal(t, r1, exits.wait(t, p.PID()))
	})
	t.Run("signals during Terminate", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g := newGate(t)
		terminating := make(chan error, 1)
		p := actortest.NewProbe(t, sys, actortest.WithTimeout(waitLimit),
			actortest.WithTerminate(func(_ actor.Context, r error) {
				terminating <- r
				<-g.ch
			}))
		require.NoError(t, sys.Exit(p.PID(), r1))
		require.Equal(t, r1, take(t, terminating))
		_ = sys.Exit(p.PID(), r2) // the process is still exiting
		_ = sys.Exit(p.PID(), r3)
		g.open()
		require.Equal(t, r1, exits.wait(t, p.PID()))
	})
}

// 9. SpawnLink is atomic: a child that panics in Init or at once still
// signals its parent.
func TestRule09_SpawnLinkIsAtomic(t *testing.T) {
	errInit := errors.New("init failed")
	panicInInit := func() actor.Actor {
		return &initActor{init: func(actor.Context) error { panic("in init") }}
	}
	spawnLink := func(t *testing.T, parent *actortest.Probe, child actor.Actor) (actor.PID, error) {
		t.Helper()
		r := parent.Do(t, func(ctx actor.Context) any {
			pid, err := ctx.SpawnLink(child)
			return []any{pid, err}
		}).([]any)
		err, _ := r[1].(error)
		return r[0].(actor.PID), err
	}
	t.Run("panic in Init, trapping parent", func(t *testing.T) {
		sys := newSystem(t)
		parent := newProbe(t, sys, true)
		_, err := spawnLink(t, parent, panicInInit())
		var pe *actor.PanicError
		require.ErrorAs(t, err, &pe)
		exit := actortest.ExpectType[actor.Exit](t, parent)
		require.Equal(t, pe.PID, exit.From)
		require.Equal(t, err, exit.Reason)
		quiet(t, sys, parent)
	})
	t.Run("error from Init, trapping parent", func(t *testing.T) {
		sys := newSystem(t)
		parent := newProbe(t, sys, true)
		_, err := spawnLink(t, parent, &initActor{init: func(actor.Context) error { return errInit }})
		require.ErrorIs(t, err, errInit)
		exit := actortest.ExpectType[actor.Exit](t, parent)
		require.False(t, exit.From.IsZero())
		require.ErrorIs(t, exit.Reason, errInit)
		quiet(t, sys, parent)
	})
	t.Run("panic at once, trapping parent", func(t *testing.T) {
		sys := newSystem(t)
		parent := newProbe(t, sys, true)
		child, err := spawnLink(t, parent, &initActor{
			init: func(ctx actor.Context) error { return ctx.Send(ctx.Self(), "go") },
			recv: func(actor.Context, any) { panic("at once") },
		})
		require.NoError(t, err)
		exit := actortest.ExpectType[actor.Exit](t, parent)
		require.Equal(t, child, exit.From)
		var pe *actor.PanicError
		require.ErrorAs(t, exit.Reason, &pe)
		require.Equal(t, "at once", pe.Value)
		quiet(t, sys, parent)
	})
	t.Run("normal exit at once, trapping parent", func(t *testing.T) {
		sys := newSystem(t)
		parent := newProbe(t, sys, true)
		child, err := spawnLink(t, parent, &initActor{
			init: func(ctx actor.Context) error { ctx.Stop(actor.Normal); return nil },
		})
		require.NoError(t, err)
		parent.Expect(t, actor.Exit{From: child, Reason: actor.Normal})
		quiet(t, sys, parent)
	})
	t.Run("panic in Init, non-trapping parent", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		parent := newProbe(t, sys, false)
		_, err := spawnLink(t, parent, panicInInit())
		var pe *actor.PanicError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, err, exits.wait(t, parent.PID()), "the parent exits with the child's reason")
	})
}

// 10. A non-trapping process with 100,000 queued messages dies at once on an
// abnormal exit signal, without handling the backlog (which goes to dead
// letters).
func TestRule10_ExitSignalOvertakesBacklog(t *testing.T) {
	const backlog = 100_000
	sys := newSystem(t)
	exits := watchExits(t, sys)
	g := newGate(t)
	started := make(chan struct{})
	var handled atomic.Int64
	pid, err := sys.Spawn(actor.Func(func(actor.Context, any) {
		if handled.Add(1) == 1 {
			close(started)
			<-g.ch
		}
	}), actor.WithMailbox(backlog, mailbox.DropNewest))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, "first"))
	take(t, started)
	for i := range backlog {
		if err := sys.Send(pid, i); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	before := sys.DeadLetters()
	errX := errors.New("abnormal")
	require.NoError(t, sys.Exit(pid, errX))
	g.open()
	require.Equal(t, errX, exits.wait(t, pid))

	// The backlog is drained after the exit; Shutdown waits for that.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	require.NoError(t, sys.Shutdown(ctx))
	require.EqualValues(t, 1, handled.Load(), "only the message being handled")
	require.EqualValues(t, backlog, sys.DeadLetters()-before, "the backlog went to the dead letters")
}

// 11. Monitor(pid) returns a fresh Ref; when the target exits, exactly one
// Down{Ref, PID, Reason} arrives, with the target's reason (Killed after a
// kill).
func TestRule11_MonitorGivesOneDown(t *testing.T) {
	errX := errors.New("target failed")
	ends := []struct {
		name   string
		end    func(t *testing.T, sys *system.System, p *actortest.Probe)
		reason error
	}{
		{"error", func(t *testing.T, sys *system.System, p *actortest.Probe) { stop(t, p, errX) }, errX},
		{"normal", func(t *testing.T, sys *system.System, p *actortest.Probe) { stop(t, p, actor.Normal) }, actor.Normal},
		{"exit signal", func(t *testing.T, sys *system.System, p *actortest.Probe) {
			require.NoError(t, sys.Exit(p.PID(), errX))
		}, errX},
		{"killed", func(t *testing.T, sys *system.System, p *actortest.Probe) { require.NoError(t, sys.Kill(p.PID())) }, actor.Killed},
	}
	for _, tt := range ends {
		t.Run(tt.name, func(t *testing.T) {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			watcher := newProbe(t, sys, false)
			target := newProbe(t, sys, false)
			ref := monitor(t, watcher, target.PID())
			ref2 := monitor(t, watcher, watcher.PID())
			require.NotEqual(t, ref, ref2, "fresh")
			tt.end(t, sys, target)
			require.Equal(t, tt.reason, exits.wait(t, target.PID()))
			watcher.Expect(t, actor.Down{Ref: ref, PID: target.PID(), Reason: tt.reason})
			quiet(t, sys, watcher)
		})
	}
	t.Run("not evicted from a full DropOldest mailbox", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		watcher := newProbe(t, sys, false, actor.WithMailbox(1, mailbox.DropOldest))
		target := newProbe(t, sys, false)
		ref := monitor(t, watcher, target.PID())
		watcher.DoAsync(t, hold(started, g))
		take(t, started)
		stop(t, target, errX)
		exits.wait(t, target.PID())                         // the Down is queued
		require.NoError(t, sys.Send(watcher.PID(), "late")) // full: DropOldest may drop a message, never the Down
		g.open()
		watcher.Expect(t, actor.Down{Ref: ref, PID: target.PID(), Reason: errX})
	})
}

// 12. Monitoring a dead or unknown PID gives Down with NoProc at once;
// monitoring by a name that is not registered does too.
func TestRule12_MonitorMissingGivesNoProcAtOnce(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	watcher := newProbe(t, sys, false)
	dead := newProbe(t, sys, false)
	stop(t, dead, actor.Normal)
	exits.wait(t, dead.PID())
	unknown := actor.NewPID(dead.PID().System(), 1<<40)

	// "at once": the Down is queued before anything the watcher sends itself
	// after Monitor returns.
	for _, pid := range []actor.PID{dead.PID(), unknown} {
		r := watcher.Do(t, func(ctx actor.Context) any {
			ref, err := ctx.Monitor(pid)
			_ = ctx.Send(ctx.Self(), "after")
			return monRes{ref, err}
		}).(monRes)
		require.NoError(t, r.err)
		watcher.Expect(t, actor.Down{Ref: r.ref, PID: pid, Reason: actor.NoProc})
		watcher.Expect(t, "after")
	}

	r := watcher.Do(t, func(ctx actor.Context) any {
		ref, err := ctx.MonitorName("nobody")
		_ = ctx.Send(ctx.Self(), "after")
		return monRes{ref, err}
	}).(monRes)
	require.NoError(t, r.err)
	require.False(t, r.ref.IsZero())
	down := actortest.ExpectType[actor.Down](t, watcher)
	require.Equal(t, r.ref, down.Ref)
	require.Equal(t, actor.NoProc, down.Reason)
	watcher.Expect(t, "after")

	// A registered name is monitored like its PID.
	errX := errors.New("named exit")
	named := newProbe(t, sys, false, actor.WithName("somebody"))
	r = watcher.Do(t, func(ctx actor.Context) any {
		ref, err := ctx.MonitorName("somebody")
		return monRes{ref, err}
	}).(monRes)
	require.NoError(t, r.err)
	quiet(t, sys, watcher)
	stop(t, named, errX)
	watcher.Expect(t, actor.Down{Ref: r.ref, PID: named.PID(), Reason: errX})
	quiet(t, sys, watcher)
}

// 13. N monitors on one target are independent: N Downs with distinct refs.
func TestRule13_MonitorsAreIndependent(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	errX := errors.New("target failed")
	w1, w2 := newProbe(t, sys, false), newProbe(t, sys, true)
	target := newProbe(t, sys, false)
	distinct := make(map[actor.Ref]bool)
	want1, want2 := make(map[actor.Ref]bool), make(map[actor.Ref]bool)
	var dropped actor.Ref
	for i := range 5 {
		ref := monitor(t, w1, target.PID())
		distinct[ref] = true
		if i == 0 {
			dropped = ref
			continue
		}
		want1[ref] = true
	}
	for range 3 {
		ref := monitor(t, w2, target.PID())
		distinct[ref] = true
		want2[ref] = true
	}
	require.Len(t, distinct, 8, "every Monitor call returns its own ref")
	require.Equal(t, true, w1.Do(t, func(ctx actor.Context) any { return ctx.Demonitor(dropped) }))

	stop(t, target, errX)
	exits.wait(t, target.PID())
	for _, w := range []struct {
		p    *actortest.Probe
		want map[actor.Ref]bool
	}{{w1, want1}, {w2, want2}} {
		got := make(map[actor.Ref]bool)
		for range w.want {
			d := actortest.ExpectType[actor.Down](t, w.p)
			require.Equal(t, target.PID(), d.PID)
			require.Equal(t, errX, d.Reason)
			require.False(t, got[d.Ref], "one Down per monitor")
			got[d.Ref] = true
		}
		require.Equal(t, w.want, got)
		quiet(t, sys, w.p)
	}
}

// 14. Demonitor(ref) before the target dies guarantees no Down for it; it
// also removes a Down already queued; unknown refs are fine.
func TestRule14_DemonitorGuaranteesNoDown(t *testing.T) {
	errX := errors.New("target failed")
	demonitor := func(t *testing.T, w *actortest.Probe, ref actor.Ref) bool {
		t.Helper()
		return w.Do(t, func(ctx actor.Context) any { return ctx.Demonitor(ref) }).(bool)
	}
	t.Run("before the target dies", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		watcher, target := newProbe(t, sys, false), newProbe(t, sys, false)
		ref := monitor(t, watcher, target.PID())
		require.True(t, demonitor(t, watcher, ref), "the monitor was active")
		require.False(t, demonitor(t, watcher, ref), "a second call finds nothing")
		stop(t, target, errX)
		exits.wait(t, target.PID())
		quiet(t, sys, watcher)
	})
	t.Run("removes a Down already queued", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		g, started := newGate(t), make(chan struct{}, 1)
		watcher, target := newProbe(t, sys, false), newProbe(t, sys, false)
		ref := monitor(t, watcher, target.PID())
		done := make(chan bool, 1)
		watcher.DoAsync(t, func(ctx actor.Context) {
			started <- struct{}{}
			<-g.ch
			done <- ctx.Demonitor(ref)
		})
		take(t, started)
		require.NoError(t, sys.Kill(target.PID()))
		exits.wait(t, target.PID()) // the Down is in the watcher's mailbox now
		g.open()
		take(t, done)
		quiet(t, sys, watcher)
	})
	t.Run("removes a NoProc Down queued at once", func(t *testing.T) {
		sys := newSystem(t)
		watcher := newProbe(t, sys, false)
		unknown := actor.NewPID(watcher.PID().System(), 1<<40)
		watcher.Do(t, func(ctx actor.Context) any {
			ref, _ := ctx.Monitor(unknown)
			return ctx.Demonitor(ref)
		})
		quiet(t, sys, watcher)
	})
	t.Run("unknown refs are fine", func(t *testing.T) {
		sys := newSystem(t)
		watcher := newProbe(t, sys, false)
		require.False(t, demonitor(t, watcher, actor.NewRef()))
		require.False(t, demonitor(t, watcher, actor.Ref{}))
		quiet(t, sys, watcher)
	})
}

// 15. Monitors ignore trap-exit; a Down never kills the watcher. A watcher's
// monitors disappear when it dies; monitoring self is legal and never fires.
func TestRule15_MonitorsIgnoreTrapExit(t *testing.T) {
	errX := errors.New("target failed")
	for _, trap := range []bool{true, false} {
		t.Run(fmt.Sprintf("a Down, not an Exit, and the watcher lives (trap=%v)", trap), func(t *testing.T) {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			watcher := newProbe(t, sys, trap)
			for _, kill := range []bool{false, true} {
				target := newProbe(t, sys, false)
				ref := monitor(t, watcher, target.PID())
				want := errX
				if kill {
					require.NoError(t, sys.Kill(target.PID()))
					want = actor.Killed
				} else {
					stop(t, target, errX)
				}
				exits.wait(t, target.PID())
				watcher.Expect(t, actor.Down{Ref: ref, PID: target.PID(), Reason: want})
				quiet(t, sys, watcher)
			}
		})
	}
	t.Run("monitoring self never fires", func(t *testing.T) {
		sys := newSystem(t)
		watcher := newProbe(t, sys, false)
		ref := monitor(t, watcher, watcher.PID())
		require.False(t, ref.IsZero())
		quiet(t, sys, watcher)
	})
	t.Run("a dead watcher's monitors are gone", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		target := newProbe(t, sys, false)
		gone := make(chan struct{})
		watcher := func() actor.PID {
			a := &monitorInInit{target: target.PID()}
			runtime.AddCleanup(a, func(c chan struct{}) { close(c) }, gone)
			pid, err := sys.Spawn(a)
			require.NoError(t, err)
			return pid
		}()
		require.NoError(t, sys.Send(watcher, "stop"))
		exits.wait(t, watcher)

		// While the target lives, nothing may hold on to the dead watcher:
		// its monitor was removed from the target.
		stopGC := make(chan struct{})
		gcDone := make(chan struct{})
		go func() {
			defer close(gcDone)
			for {
				select {
				case <-stopGC:
					return
				default:
					runtime.GC()
				}
			}
		}()
		defer func() { close(stopGC); <-gcDone }()
		take(t, gone)

		before := sys.DeadLetters()
		stop(t, target, errX)
		exits.wait(t, target.PID())
		require.Equal(t, before, sys.DeadLetters(), "no Down was sent anywhere")
	})
}

// monitorInInit monitors target from its Init, so that a test can tell
// when nothing holds it any more, and stops with Normal on any message.
type monitorInInit struct{ target actor.PID }

func (m *monitorInInit) Init(ctx actor.Context) error {
	ref, err := ctx.Monitor(m.target)
	if err == nil && ref.IsZero() {
		err = errors.New("Monitor returned the zero Ref")
	}
	return err
}

func (m *monitorInInit) Receive(ctx actor.Context, _ any) { ctx.Stop(actor.Normal) }

// 16. Request to a process that dies before replying returns that process's
// exit reason, promptly (not at the ctx deadline); a reply sent just before a
// normal exit is received.
func TestRule16_RequestToDyingProcess(t *testing.T) {
	errX := errors.New("died before replying")
	type target struct {
		pid     actor.PID
		started chan struct{}
		gate    *gate
	}
	spawnTarget := func(t *testing.T, sys *system.System, dead actor.PID) target {
		tg := target{started: make(chan struct{}, 1), gate: newGate(t)}
		var err error
		tg.pid, err = sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch msg {
			case "die":
				ctx.Stop(errX)
			case "block":
				tg.started <- struct{}{}
				<-tg.gate.ch
			case "reply, stop":
				_ = ctx.Reply("done")
				ctx.Stop(actor.Normal)
			case "reply, panic":
				_ = ctx.Reply("done")
				panic("after the reply")
			case "reply, kill self":
				_ = ctx.Reply("done")
				_ = ctx.Exit(ctx.Self(), actor.Kill)
			case "link dead":
				_ = ctx.Link(dead)
			}
		}))
		require.NoError(t, err)
		return tg
	}
	requireExit := func(t *testing.T, res reqResult, pid actor.PID, reason error) {
		t.Helper()
		var ee *actor.ExitError
		require.ErrorAs(t, res.err, &ee)
		require.Equal(t, pid, ee.PID)
		require.Equal(t, reason, ee.Reason)
		require.ErrorIs(t, res.err, reason)
	}

	t.Run("stops before replying", func(t *testing.T) {
		sys := newSystem(t)
		tg := spawnTarget(t, sys, actor.PID{})
		requireExit(t, take(t, requestAsync(t, sys, tg.pid, "die")), tg.pid, errX)
	})
	t.Run("ended by an exit signal while handling it", func(t *testing.T) {
		sys := newSystem(t)
		tg := spawnTarget(t, sys, actor.PID{})
		res := requestAsync(t, sys, tg.pid, "block")
		take(t, tg.started)
		require.NoError(t, sys.Exit(tg.pid, errX))
		tg.gate.open()
		requireExit(t, take(t, res), tg.pid, errX)
	})
	t.Run("killed while handling it", func(t *testing.T) {
		sys := newSystem(t)
		tg := spawnTarget(t, sys, actor.PID{})
		res := requestAsync(t, sys, tg.pid, "block")
		take(t, tg.started)
		require.NoError(t, sys.Kill(tg.pid))
		requireExit(t, take(t, res), tg.pid, actor.Killed) // the handler is still blocked
		tg.gate.open()
	})
	t.Run("ended by a link while handling it", func(t *testing.T) {
		sys := newSystem(t)
		tg := spawnTarget(t, sys, actor.PID{})
		peer := newProbe(t, sys, false)
		peer.Link(t, tg.pid)
		res := requestAsync(t, sys, tg.pid, "block")
		take(t, tg.started)
		stop(t, peer, errX)
		tg.gate.open()
		requireExit(t, take(t, res), tg.pid, errX)
	})
	t.Run("exit reason NoProc", func(t *testing.T) {
		sys := newSystem(t)
		unknown := actor.NewPID(newProbe(t, sys, false).PID().System(), 1<<40)
		tg := spawnTarget(t, sys, unknown)
		// The target exists; it exits with NoProc (from linking to a missing
		// process) before replying.
		requireExit(t, take(t, requestAsync(t, sys, tg.pid, "link dead")), tg.pid, actor.NoProc)
	})
	t.Run("from inside a process", func(t *testing.T) {
		sys := newSystem(t)
		tg := spawnTarget(t, sys, actor.PID{})
		caller := newProbe(t, sys, false)
		r := caller.Do(t, func(ctx actor.Context) any {
			v, err := ctx.Request(context.Background(), tg.pid, "die")
			return reqResult{v, err}
		}).(reqResult)
		requireExit(t, r, tg.pid, errX)
	})
	for _, msg := range []string{"reply, stop", "reply, panic", "reply, kill self"} {
		t.Run(msg, func(t *testing.T) {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			tg := spawnTarget(t, sys, actor.PID{})
			res := take(t, requestAsync(t, sys, tg.pid, msg))
			require.NoError(t, res.err)
			require.Equal(t, "done", res.v)
			exits.wait(t, tg.pid)
		})
	}
	t.Run("already dead", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		tg := spawnTarget(t, sys, actor.PID{})
		require.NoError(t, sys.Send(tg.pid, "die"))
		exits.wait(t, tg.pid)
		require.ErrorIs(t, take(t, requestAsync(t, sys, tg.pid, "x")).err, actor.ErrNoProcess)
	})
}

// ---- stress ----

var errStress = errors.New("stress")

// stressSlots is where targets publish their PIDs as they start, for
// everyone to link, monitor, signal and message.
type stressSlots struct {
	slot [16]atomic.Pointer[actor.PID]
	mu   sync.Mutex
	all  []actor.PID
}

func (s *stressSlots) add(pid actor.PID) {
	s.slot[rand.IntN(len(s.slot))].Store(&pid)
	s.mu.Lock()
	s.all = append(s.all, pid)
	s.mu.Unlock()
}

func (s *stressSlots) pick() actor.PID {
	if p := s.slot[rand.IntN(len(s.slot))].Load(); p != nil {
		return *p
	}
	return actor.PID{}
}

type linkTo actor.PID

// stressTarget publishes itself from Init, so that it is linked, monitored
// and signalled while it starts; some fail to start.
type stressTarget struct {
	slots    *stressSlots
	trap     bool
	failInit bool
}

func newStressTarget(slots *stressSlots) *stressTarget {
	return &stressTarget{slots: slots, trap: rand.IntN(3) == 0, failInit: rand.IntN(10) == 0}
}

func (a *stressTarget) Init(ctx actor.Context) error {
	a.slots.add(ctx.Self())
	ctx.TrapExit(a.trap)
	runtime.Gosched()
	if a.failInit {
		return errStress
	}
	return nil
}

func (a *stressTarget) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case string:
		switch m {
		case "die":
			ctx.Stop(errStress)
		case "panic":
			panic(errStress)
		}
	case linkTo:
		_ = ctx.Link(actor.PID(m))
	}
}

type stressTick struct{}

type stressReport struct {
	pending, downs, demonitored int
	bad                         []string
}

// stressWatcher links, unlinks, monitors, demonitors, signals, messages and
// spawns targets at random, and checks every Down it gets.
type stressWatcher struct {
	slots   *stressSlots
	rng     *rand.Rand
	active  map[actor.Ref]actor.PID // monitors not demonitored, no Down yet
	dropped map[actor.Ref]bool      // demonitored
	seen    map[actor.Ref]bool      // Down received
	downs   int
	bad     []string
}

func (w *stressWatcher) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return nil
}

func (w *stressWatcher) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case stressTick:
		w.op(ctx)
	case actor.Down:
		w.down(m)
	case actor.Exit:
		if systemShutdown(m) {
			ctx.Stop(m.Reason)
		}
	case call:
		_ = ctx.Reply(m(ctx))
	}
}

func (w *stressWatcher) down(d actor.Down) {
	switch pid, ok := w.active[d.Ref]; {
	case w.dropped[d.Ref]:
		w.bad = append(w.bad, fmt.Sprintf("Down after Demonitor: %+v", d))
	case w.seen[d.Ref]:
		w.bad = append(w.bad, fmt.Sprintf("second Down: %+v", d))
	case !ok:
		w.bad = append(w.bad, fmt.Sprintf("Down for an unknown ref: %+v", d))
	case pid != d.PID:
		w.bad = append(w.bad, fmt.Sprintf("Down for %v, monitored %v", d.PID, pid))
	default:
		delete(w.active, d.Ref)
		w.seen[d.Ref] = true
		w.downs++
	}
}

func (w *stressWatcher) monitor(ctx actor.Context, pid actor.PID) {
	ref, err := ctx.Monitor(pid)
	if err != nil {
		w.bad = append(w.bad, fmt.Sprintf("Monitor(%v): %v", pid, err))
		return
	}
	w.active[ref] = pid
}

func (w *stressWatcher) op(ctx actor.Context) {
	n := w.rng.IntN(100)
	if n >= 88 {
		a := newStressTarget(w.slots)
		var pid actor.PID
		var err error
		if w.rng.IntN(2) == 0 {
			pid, err = ctx.Spawn(a)
		} else {
			pid, err = ctx.SpawnLink(a)
		}
		if err == nil && w.rng.IntN(2) == 0 {
			w.monitor(ctx, pid)
		}
		return
	}
	if n >= 30 && n < 45 {
		for ref := range w.active {
			ctx.Demonitor(ref)
			delete(w.active, ref)
			w.dropped[ref] = true
			break
		}
		return
	}
	pid := w.slots.pick()
	if pid.IsZero() {
		return
	}
	switch {
	case n < 30:
		w.monitor(ctx, pid)
	case n < 55:
		_ = ctx.Link(pid)
	case n < 63:
		_ = ctx.Unlink(pid)
	case n < 73:
		reasons := []error{actor.Normal, actor.Kill, actor.Shutdown, errStress}
		_ = ctx.Exit(pid, reasons[w.rng.IntN(len(reasons))])
	default:
		msgs := []any{"die", "panic", "hello", linkTo(w.slots.pick())}
		_ = ctx.Send(pid, msgs[w.rng.IntN(len(msgs))])
	}
}

// Concurrent Link, Unlink, Monitor, Demonitor, Exit and Send from many
// processes against processes that are starting and dying: one Down per
// monitor not demonitored, none after Demonitor, no panic.
func TestLinkStress(t *testing.T) {
	const (
		watchers = 8
		ticks    = 10000
		spawners = 2
		spawns   = 1000
		kills    = 2000
	)
	sys := newSystem(t)
	sub := subscribeAll(sys, func(e any) bool { _, ok := e.(actor.ProcessExited); return ok })
	defer sub.Close()
	slots := new(stressSlots)
	// ask runs f in a watcher's handler and returns its result.
	ask := func(pid actor.PID, f call) any {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		r, err := sys.Request(ctx, pid, f)
		require.NoError(t, err)
		return r
	}

	ws := make([]*stressWatcher, watchers)
	pids := make([]actor.PID, watchers)
	for i := range ws {
		ws[i] = &stressWatcher{
			slots:   slots,
			rng:     rand.New(rand.NewPCG(uint64(i), 42)),
			active:  make(map[actor.Ref]actor.PID),
			dropped: make(map[actor.Ref]bool),
			seen:    make(map[actor.Ref]bool),
		}
		var err error
		pids[i], err = sys.Spawn(ws[i])
		require.NoError(t, err)
	}

	errs := make(chan error, watchers+spawners+1)
	var wg sync.WaitGroup
	for _, pid := range pids {
		wg.Go(func() {
			for range ticks {
				if err := sys.Send(pid, stressTick{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range spawners {
		wg.Go(func() {
			for range spawns {
				_, _ = sys.Spawn(newStressTarget(slots)) // some fail in Init on purpose
			}
		})
	}
	wg.Go(func() {
		for i := range kills {
			if pid := slots.pick(); !pid.IsZero() {
				if i%2 == 0 {
					_ = sys.Kill(pid)
				} else {
					_ = sys.Exit(pid, errStress)
				}
			}
			runtime.Gosched()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	// Every tick handled: no more targets will be spawned. Kill them all and
	// wait until each has told its links and monitors.
	for _, pid := range pids {
		ask(pid, func(actor.Context) any { return nil }) // twice: what the first
		ask(pid, func(actor.Context) any { return nil }) // queued is handled too
	}
	slots.mu.Lock()
	all := append([]actor.PID(nil), slots.all...)
	slots.mu.Unlock()
	for _, pid := range all {
		_ = sys.Kill(pid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	exited := make(map[actor.PID]bool)
	for _, pid := range all {
		for !exited[pid] {
			ev, err := sub.Next(ctx)
			require.NoError(t, err, "waiting for %v to exit", pid)
			exited[ev.(actor.ProcessExited).PID] = true
		}
	}

	var downs, demonitored int
	for i, pid := range pids {
		w := ws[i]
		r := ask(pid, func(actor.Context) any {
			return stressReport{pending: len(w.active), downs: w.downs, demonitored: len(w.dropped), bad: w.bad}
		}).(stressReport)
		require.Empty(t, r.bad, "watcher %d", i)
		require.Zero(t, r.pending, "watcher %d: monitors without their Down", i)
		downs += r.downs
		demonitored += r.demonitored
	}
	require.Positive(t, downs)
	require.Positive(t, demonitored)
	t.Logf("%d targets, %d Downs, %d monitors removed", len(all), downs, demonitored)
}

// ExitAndWait answers as a monitor would: a Down naming the target and its
// final reason, and an error only for a call that could not be made or a
// context that ended first.
func TestExitAndWaitReturnsTheDown(t *testing.T) {
	sys := newSystem(t)
	caller := newProbe(t, sys, false)
	trapper := newProbe(t, sys, true)
	plain := newProbe(t, sys, false)
	errCustom := errors.New("custom")

	type result struct {
		d   actor.Down
		err error
	}
	exitAndWait := func(pid actor.PID, reason error) result {
		return caller.Do(t, func(ctx actor.Context) any {
			d, err := ctx.ExitAndWait(context.Background(), pid, reason)
			return result{d, err}
		}).(result)
	}

	// An untrapped abnormal exit: the target's reason is the signal's.
	r := exitAndWait(plain.PID(), errCustom)
	require.NoError(t, r.err)
	require.Equal(t, plain.PID(), r.d.PID)
	require.ErrorIs(t, r.d.Reason, errCustom)

	// A trapping target gets the signal as a message and stays alive, so
	// Kill is what ends it; the Down says Killed.
	r = exitAndWait(trapper.PID(), actor.Kill)
	require.NoError(t, r.err)
	require.Equal(t, trapper.PID(), r.d.PID)
	require.ErrorIs(t, r.d.Reason, actor.Killed)

	// A dead target answers NoProc at once, not an error.
	r = exitAndWait(plain.PID(), actor.Shutdown)
	require.NoError(t, r.err)
	require.Equal(t, plain.PID(), r.d.PID)
	require.ErrorIs(t, r.d.Reason, actor.NoProc)

	// A context that ends first is the error, and the Down is zero.
	hold := newProbe(t, sys, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := caller.Do(t, func(c actor.Context) any {
		d, err := c.ExitAndWait(ctx, hold.PID(), actor.Shutdown)
		return result{d, err}
	}).(result)
	require.ErrorIs(t, got.err, context.Canceled)
	require.Equal(t, actor.Down{}, got.d)
}

// subscribeAll subscribes with room for every event a test causes before it
// reads them, so that none is dropped.
func subscribeAll(sys *system.System, filter func(any) bool) *system.Subscription {
	sub, err := sys.SubscribeBuffered(filter, 1<<22)
	if err != nil {
		panic(err)
	}
	return sub
}

// Rule 17: every signal from one process to another arrives in the order
// sent: messages, exit signals that become messages, and Downs. Only the
// signals that end the receiver at once (Kill, an abnormal exit it does
// not trap) overtake what is queued.
func TestRule17_SignalsBetweenAPairArriveInOrder(t *testing.T) {
	errX := errors.New("exit signal")
	// busy holds recv's handler, so that what is sent to it queues up
	// before it looks; the returned func lets it go on.
	busy := func(t *testing.T, recv *actortest.Probe) func() {
		g, started := newGate(t), make(chan struct{}, 1)
		recv.DoAsync(t, hold(started, g))
		take(t, started)
		return g.open
	}
	t.Run("Exit then Send from a process", func(t *testing.T) {
		sys := newSystem(t)
		recv, sender := newProbe(t, sys, true), newProbe(t, sys, false)
		release := busy(t, recv)
		require.Nil(t, sender.Do(t, func(ctx actor.Context) any {
			return errors.Join(ctx.Send(recv.PID(), "before"), ctx.Exit(recv.PID(), errX), ctx.Send(recv.PID(), "after"))
		}))
		release()
		recv.Expect(t, "before")
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errX})
		recv.Expect(t, "after")
		quiet(t, sys, recv)
	})
	t.Run("Exit then Send from the system", func(t *testing.T) {
		sys := newSystem(t)
		recv := newProbe(t, sys, true)
		release := busy(t, recv)
		require.NoError(t, sys.Send(recv.PID(), "before"))
		require.NoError(t, sys.Exit(recv.PID(), errX))
		require.NoError(t, sys.Send(recv.PID(), "after"))
		release()
		recv.Expect(t, "before")
		recv.Expect(t, actor.Exit{Reason: errX})
		recv.Expect(t, "after")
		quiet(t, sys, recv)
	})
	t.Run("Exit, then the sender's Down", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		recv, sender := newProbe(t, sys, true), newProbe(t, sys, false)
		ref := monitor(t, recv, sender.PID())
		release := busy(t, recv)
		sender.DoAsync(t, func(ctx actor.Context) {
			_ = ctx.Exit(recv.PID(), errX)
			ctx.Stop(actor.Normal)
		})
		require.Equal(t, actor.Normal, exits.wait(t, sender.PID()))
		release()
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errX})
		recv.Expect(t, actor.Down{Ref: ref, PID: sender.PID(), Reason: actor.Normal})
		quiet(t, sys, recv)
	})
	t.Run("a linked exit after the sender's messages, before its Down", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		recv, sender := newProbe(t, sys, true), newProbe(t, sys, false)
		recv.Link(t, sender.PID())
		ref := monitor(t, recv, sender.PID())
		release := busy(t, recv)
		sender.DoAsync(t, func(ctx actor.Context) {
			_ = ctx.Send(recv.PID(), "last words")
			ctx.Stop(errX)
		})
		require.Equal(t, errX, exits.wait(t, sender.PID()))
		release()
		recv.Expect(t, "last words")
		recv.Expect(t, actor.Exit{From: sender.PID(), Reason: errX})
		recv.Expect(t, actor.Down{Ref: ref, PID: sender.PID(), Reason: errX})
		quiet(t, sys, recv)
	})
	t.Run("received by the rules in force when it is reached", func(t *testing.T) {
		sys := newSystem(t)
		exits := watchExits(t, sys)
		recv := newProbe(t, sys, true)
		release := busy(t, recv)
		// Sent while recv traps exits; recv stops trapping before it
		// reaches the signal, which then ends it there, after "before".
		recv.DoAsync(t, func(ctx actor.Context) { ctx.TrapExit(false) })
		require.NoError(t, sys.Send(recv.PID(), "before"))
		require.NoError(t, sys.Exit(recv.PID(), errX))
		require.NoError(t, sys.Send(recv.PID(), "after"))
		release()
		recv.Expect(t, "before")
		require.Equal(t, errX, exits.wait(t, recv.PID()))
		recv.ExpectNoMessage(t, 0)
	})
	t.Run("Kill and an untrapped abnormal exit overtake", func(t *testing.T) {
		for _, reason := range []error{actor.Kill, errX} {
			sys := newSystem(t)
			exits := watchExits(t, sys)
			recv := newProbe(t, sys, reason == actor.Kill) // Kill overtakes even a trapping process
			release := busy(t, recv)
			require.NoError(t, sys.Send(recv.PID(), "queued"))
			require.NoError(t, sys.Exit(recv.PID(), reason))
			release()
			want := reason
			if reason == actor.Kill {
				want = actor.Killed
			}
			require.Equal(t, want, exits.wait(t, recv.PID()))
			recv.ExpectNoMessage(t, 0)
		}
	})
}
