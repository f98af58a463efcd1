package system_test

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// Timer tests run in synctest bubbles (actortest.Run): time moves only
// when every goroutine of the bubble is blocked, so a message sent at
// virtual time T is read by the probe at T exactly, and an hour costs
// nothing.

const period = 10 * time.Millisecond

// probeFor is a probe whose waits outlast any period of these tests.
func probeFor(t *testing.T, sys *system.System) *actortest.Probe {
	return actortest.NewProbe(t, sys, actortest.WithTimeout(time.Hour))
}

// expectAt reads msg from p, failing t unless it arrives at virtual time
// at since start.
func expectAt(t *testing.T, p *actortest.Probe, start time.Time, at time.Duration, msg any) {
	t.Helper()
	p.Expect(t, msg)
	require.Equal(t, at, time.Since(start), "arrival of %v", msg)
}

// reporter is an actor under test that passes every message it receives
// to a probe; init runs in its Init and recv, if set, after each message.
type reporter struct {
	to   actor.PID
	init func(ctx actor.Context)
	recv func(ctx actor.Context, msg any)
}

func (r *reporter) Init(ctx actor.Context) error {
	if r.init != nil {
		r.init(ctx)
	}
	return nil
}

func (r *reporter) Receive(ctx actor.Context, msg any) {
	_ = ctx.Send(r.to, msg)
	if r.recv != nil {
		r.recv(ctx, msg)
	}
}

func TestSendIntervalTicksAtEachPeriod(t *testing.T) {
	t.Run("system", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			cancel, err := sys.SendInterval(period, p.PID(), "tick")
			require.NoError(t, err)
			for i := 1; i <= 3; i++ {
				expectAt(t, p, start, time.Duration(i)*period, "tick")
			}
			require.True(t, cancel(), "cancel of a running interval")
			p.ExpectNoMessage(t, 10*period)
			require.False(t, cancel(), "second cancel")
		})
	})
	t.Run("process to another", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			cancels := make(chan func() bool, 1)
			spawn(t, sys, &reporter{init: func(ctx actor.Context) {
				cancel, err := ctx.SendInterval(period, p.PID(), "tick")
				if err != nil {
					panic(err)
				}
				cancels <- cancel
			}})
			cancel := <-cancels
			for i := 1; i <= 3; i++ {
				expectAt(t, p, start, time.Duration(i)*period, "tick")
			}
			require.True(t, cancel())
			p.ExpectNoMessage(t, 10*period)
		})
	})
	t.Run("process to itself", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			spawn(t, sys, &reporter{to: p.PID(), init: func(ctx actor.Context) {
				if _, err := ctx.SendInterval(period, ctx.Self(), "tick"); err != nil {
					panic(err)
				}
			}})
			for i := 1; i <= 4; i++ {
				expectAt(t, p, start, time.Duration(i)*period, "tick")
			}
		})
	})
}

func TestSendIntervalStopsWithOwnerOrTarget(t *testing.T) {
	t.Run("owner exits", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p := probeFor(t, sys)
			owner := spawn(t, sys, &reporter{init: func(ctx actor.Context) {
				if _, err := ctx.SendInterval(period, p.PID(), "tick"); err != nil {
					panic(err)
				}
			}})
			p.Expect(t, "tick")
			p.Expect(t, "tick")
			require.NoError(t, sys.Stop(context.Background(), owner))
			p.ExpectNoMessage(t, 10*period) // the owner's exit cancelled its interval
		})
	})
	t.Run("target exits", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p := probeFor(t, sys)
			target := spawn(t, sys, &reporter{to: p.PID()})
			_, err := sys.SendInterval(period, target, "tick")
			require.NoError(t, err)
			p.Expect(t, "tick")
			p.Expect(t, "tick")
			require.NoError(t, sys.Stop(context.Background(), target))
			dead := sys.DeadLetters()
			<-time.After(10 * period)
			synctest.Wait()
			require.Equal(t, dead+1, sys.DeadLetters(), "one tick finds the target gone; then the interval stops")
		})
	})
}

// Periodic ticks to a process whose handler is slow do not pile up past its
// mailbox's bound, even to itself: the ticks that find it full are dead
// letters.
func TestSendIntervalKeepsTheBound(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := probeFor(t, sys)
		gate := make(chan struct{})
		pid, err := sys.Spawn(&reporter{to: p.PID(),
			init: func(ctx actor.Context) { _, _ = ctx.SendInterval(period, ctx.Self(), "tick") },
			recv: func(actor.Context, any) { <-gate },
		}, actor.WithMailbox(2, mailbox.DropNewest))
		require.NoError(t, err)
		p.Expect(t, "tick") // the first tick holds the handler
		dead := sys.DeadLetters()
		<-time.After(10*period + period/2)
		synctest.Wait()
		require.Equal(t, dead+8, sys.DeadLetters(), "ten more ticks: two queued, eight refused")
		close(gate)
		p.Expect(t, "tick")
		p.Expect(t, "tick")
		require.NoError(t, sys.Stop(context.Background(), pid))
		p.ExpectNoMessage(t, 10*period)
	})
}

func TestSendAfterFromOutside(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p, start := probeFor(t, sys), time.Now()
		_, err := sys.SendAfter(period, p.PID(), "once")
		require.NoError(t, err)
		cancel, err := sys.SendAfter(2*period, p.PID(), "cancelled")
		require.NoError(t, err)
		expectAt(t, p, start, period, "once")
		require.True(t, cancel())
		p.ExpectNoMessage(t, 10*period)
		require.False(t, cancel())
	})
}

func TestReceiveTimeout(t *testing.T) {
	withTimeout := func(ctx actor.Context) {
		if err := ctx.SetReceiveTimeout(period); err != nil {
			panic(err)
		}
	}
	t.Run("fires after each period of silence", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			spawn(t, sys, &reporter{to: p.PID(), init: withTimeout})
			for i := 1; i <= 3; i++ {
				expectAt(t, p, start, time.Duration(i)*period, actor.ReceiveTimeout{})
			}
		})
	})
	t.Run("not while messages keep coming", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			pid := spawn(t, sys, &reporter{to: p.PID(), init: withTimeout})
			const gap = period - time.Millisecond
			for i := 1; i <= 20; i++ {
				<-time.After(gap)
				require.NoError(t, sys.Send(pid, i))
				expectAt(t, p, start, time.Duration(i)*gap, i)
			}
			expectAt(t, p, start, 20*gap+period, actor.ReceiveTimeout{}) // one, a period after the last message
		})
	})
	t.Run("off with zero", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p := probeFor(t, sys)
			pid := spawn(t, sys, &reporter{to: p.PID(), init: withTimeout, recv: func(ctx actor.Context, msg any) {
				if msg == "off" {
					if err := ctx.SetReceiveTimeout(0); err != nil {
						panic(err)
					}
				}
			}})
			p.Expect(t, actor.ReceiveTimeout{})
			require.NoError(t, sys.Send(pid, "off"))
			p.Expect(t, "off")
			p.ExpectNoMessage(t, 10*period)
		})
	})
	t.Run("a handler's own time does not count", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p, start := probeFor(t, sys), time.Now()
			gate := make(chan struct{})
			pid := spawn(t, sys, &reporter{to: p.PID(), init: withTimeout, recv: func(ctx actor.Context, msg any) {
				if msg == "slow" {
					<-gate
				}
			}})
			require.NoError(t, sys.Send(pid, "slow"))
			p.Expect(t, "slow")
			// The timeout falls due while the handler runs; the handler's
			// end makes it stale, and the wait starts again from there.
			<-time.After(3 * period)
			close(gate)
			expectAt(t, p, start, 4*period, actor.ReceiveTimeout{})
		})
	})
	t.Run("a long handler does not pile them up", func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p := probeFor(t, sys)
			gate := make(chan struct{})
			pid := spawn(t, sys, &reporter{to: p.PID(), init: withTimeout, recv: func(ctx actor.Context, msg any) {
				if msg == "slow" {
					<-gate
				}
			}})
			require.NoError(t, sys.Send(pid, "slow"))
			p.Expect(t, "slow")
			<-time.After(1000 * period) // a thousand periods in one handler
			backlog := make(chan int, 1)
			spawn(t, sys, &reporter{init: func(ctx actor.Context) { backlog <- ctx.Backlog(pid) }})
			require.LessOrEqual(t, take(t, backlog), 1, "at most one ReceiveTimeout waits")
			close(gate)
			p.Expect(t, actor.ReceiveTimeout{})
		})
	})
}

func TestTimersRefuseBadInput(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		other := system.New()
		foreign := spawn(t, other, actor.Func(func(actor.Context, any) {}))
		require.NoError(t, other.Shutdown(context.Background()))

		p := probeFor(t, sys)
		pid := p.PID()
		errs := make(chan error, 16)
		spawn(t, sys, &reporter{init: func(ctx actor.Context) {
			for _, d := range []time.Duration{0, -period} {
				_, err := ctx.SendInterval(d, pid, "x")
				errs <- err
			}
			_, err := ctx.SendInterval(period, actor.PID{}, "x")
			errs <- err
			_, err = ctx.SendInterval(period, foreign, "x")
			errs <- err
			errs <- ctx.SetReceiveTimeout(-period)
			close(errs)
		}})
		var fromActor []error
		for err := range errs {
			fromActor = append(fromActor, err)
		}
		cases := []struct {
			name string
			err  error
			want error
		}{
			{"ctx.SendInterval(0)", fromActor[0], actor.ErrBadDuration},
			{"ctx.SendInterval(-d)", fromActor[1], actor.ErrBadDuration},
			{"ctx.SendInterval(zero PID)", fromActor[2], actor.ErrZeroPID},
			{"ctx.SendInterval(foreign PID)", fromActor[3], actor.ErrForeignPID},
			{"ctx.SetReceiveTimeout(-d)", fromActor[4], actor.ErrBadDuration},
			{"SendInterval(0)", errOf(sys.SendInterval(0, pid, "x")), actor.ErrBadDuration},
			{"SendInterval(-d)", errOf(sys.SendInterval(-period, pid, "x")), actor.ErrBadDuration},
			{"SendInterval(zero PID)", errOf(sys.SendInterval(period, actor.PID{}, "x")), actor.ErrZeroPID},
			{"SendAfter(-d)", errOf(sys.SendAfter(-period, pid, "x")), actor.ErrBadDuration},
			{"SendAfter(zero PID)", errOf(sys.SendAfter(period, actor.PID{}, "x")), actor.ErrZeroPID},
			{"SendAfter(foreign PID)", errOf(sys.SendAfter(period, foreign, "x")), actor.ErrForeignPID},
		}
		for _, c := range cases {
			require.ErrorIs(t, c.err, c.want, c.name)
		}
		p.ExpectNoMessage(t, 10*period)

		require.NoError(t, sys.Shutdown(context.Background()))
		_, err := sys.SendAfter(period, pid, "x")
		require.ErrorIs(t, err, actor.ErrStopped, "SendAfter after Shutdown")
		_, err = sys.SendInterval(period, pid, "x")
		require.ErrorIs(t, err, actor.ErrStopped, "SendInterval after Shutdown")
	})
}

func errOf[T any](_ T, err error) error { return err }

// A pending timer names its processes by PID: an exited process, its actor
// and its mailbox can be collected while its timers wait.
func TestTimerKeepsNoDeadProcessReachable(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		target := probeFor(t, sys).PID()
		a := &reporter{init: func(ctx actor.Context) {
			_, _ = ctx.SendAfter(time.Hour, target, "later") // not cancelled by the exit
			_, _ = ctx.SendInterval(time.Hour, target, "tick")
			_ = ctx.SetReceiveTimeout(time.Hour)
		}}
		gone := weak.Make(a)
		pid := spawn(t, sys, a)
		a = nil
		require.NoError(t, sys.Stop(context.Background(), pid))
		synctest.Wait()
		for range 3 {
			runtime.GC()
		}
		require.Nil(t, gone.Value(), "the exited actor is unreachable though its SendAfter is pending")
	})
}

// Shutdown with timers pending sends their messages to the dead letters
// and leaves no timer goroutine (synctest and goleak check that).
func TestShutdownDropsPendingTimers(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		p := probeFor(t, sys)
		spawn(t, sys, &reporter{to: p.PID(), init: func(ctx actor.Context) { _ = ctx.SetReceiveTimeout(time.Hour) }})
		_, err := sys.SendAfter(time.Hour, p.PID(), "x")
		require.NoError(t, err)
		_, err = sys.SendInterval(time.Hour, p.PID(), "y")
		require.NoError(t, err)
		dead := sys.DeadLetters()
		require.NoError(t, sys.Shutdown(context.Background()))
		require.GreaterOrEqual(t, sys.DeadLetters()-dead, uint64(2), "both pending messages are dead letters")
	})
}

// A periodic timer that stopped by itself (its target exited) reports, as
// a stopped timer does, that cancel found nothing to cancel.
func TestStoppedIntervalCancelsFalse(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		target := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
		cancel, err := sys.SendInterval(period, target, "tick")
		require.NoError(t, err)
		require.NoError(t, sys.Stop(context.Background(), target))
		<-time.After(3 * period) // the next tick finds the target gone, and the timer stops
		require.False(t, cancel())
	})
}

// Inside the handler of a ReceiveTimeout, the current message is the
// ReceiveTimeout, for Hold as for Receive.
func TestReceiveTimeoutIsTheCurrentMessage(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		held := make(chan any, 1)
		spawn(t, sys, &reporter{
			init: func(ctx actor.Context) {
				if err := ctx.SetReceiveTimeout(period); err != nil {
					panic(err)
				}
			},
			recv: func(ctx actor.Context, msg any) {
				if _, ok := msg.(actor.ReceiveTimeout); ok {
					h, err := ctx.Hold()
					if err != nil {
						panic(err)
					}
					held <- h.Message()
					_ = ctx.SetReceiveTimeout(0)
				}
			},
		})
		require.Equal(t, actor.ReceiveTimeout{}, take(t, held))
	})
}
