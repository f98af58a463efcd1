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
	"github.com/airssys/rt/system"
)

// Timer tests run in synctest bubbles: time moves only when every
// goroutine of the bubble is blocked, so a message sent at virtual time T
// is received at T exactly, and an hour costs nothing.

const period = 10 * time.Millisecond

// arrival is a message and the virtual time since the test began when the
// actor received it.
type arrival struct {
	at  time.Duration
	msg any
}

// timerBubble runs f in a synctest bubble with a fresh system, shut down at
// the end. start is the bubble's time when f began.
func timerBubble(t *testing.T, f func(t *testing.T, sys *system.System, start time.Time)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		f(t, sys, time.Now())
	})
}

// recorder spawns a process that records what it receives, and when, on
// the returned channel; init runs in its Init.
func recorder(t *testing.T, sys *system.System, start time.Time, init func(ctx actor.Context)) (actor.PID, <-chan arrival) {
	t.Helper()
	ch := make(chan arrival, 1024)
	a := &initFunc{
		init: init,
		recv: func(ctx actor.Context, msg any) { ch <- arrival{time.Since(start), msg} },
	}
	pid, err := sys.Spawn(a)
	require.NoError(t, err)
	return pid, ch
}

type initFunc struct {
	init func(ctx actor.Context)
	recv func(ctx actor.Context, msg any)
}

func (a *initFunc) Init(ctx actor.Context) error {
	if a.init != nil {
		a.init(ctx)
	}
	return nil
}
func (a *initFunc) Receive(ctx actor.Context, msg any) { a.recv(ctx, msg) }

// settle lets d pass on the bubble's clock, then waits for the bubble to
// be idle, and returns what ch holds.
func settle(d time.Duration, ch <-chan arrival) []arrival {
	if d > 0 {
		<-time.After(d) // virtual time: only inside a bubble
	}
	synctest.Wait()
	var out []arrival
	for {
		select {
		case a := <-ch:
			out = append(out, a)
		default:
			return out
		}
	}
}

func ticks(msg any, at ...time.Duration) []arrival {
	out := make([]arrival, len(at))
	for i, d := range at {
		out[i] = arrival{d, msg}
	}
	return out
}

func TestSendIntervalTicksAtEachPeriod(t *testing.T) {
	t.Run("system", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			pid, got := recorder(t, sys, start, nil)
			cancel, err := sys.SendInterval(period, pid, "tick")
			require.NoError(t, err)
			require.Equal(t, ticks("tick", period, 2*period, 3*period), settle(3*period, got))
			require.True(t, cancel(), "cancel of a running interval")
			require.Empty(t, settle(10*period, got), "no tick after cancel")
			require.False(t, cancel(), "second cancel")
		})
	})
	t.Run("process to another", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			target, got := recorder(t, sys, start, nil)
			cancels := make(chan func() bool, 1)
			_, _ = recorder(t, sys, start, func(ctx actor.Context) {
				cancel, err := ctx.SendInterval(period, target, "tick")
				if err != nil {
					panic(err)
				}
				cancels <- cancel
			})
			cancel := <-cancels
			require.Equal(t, ticks("tick", period, 2*period, 3*period), settle(3*period, got))
			require.True(t, cancel())
			require.Empty(t, settle(10*period, got))
		})
	})
	t.Run("process to itself", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			_, got := recorder(t, sys, start, func(ctx actor.Context) {
				if _, err := ctx.SendInterval(period, ctx.Self(), "tick"); err != nil {
					panic(err)
				}
			})
			require.Equal(t, ticks("tick", period, 2*period, 3*period, 4*period), settle(4*period, got))
		})
	})
}

func TestSendIntervalStopsWithOwnerOrTarget(t *testing.T) {
	t.Run("owner exits", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			target, got := recorder(t, sys, start, nil)
			owner, _ := recorder(t, sys, start, func(ctx actor.Context) {
				if _, err := ctx.SendInterval(period, target, "tick"); err != nil {
					panic(err)
				}
			})
			require.Len(t, settle(2*period, got), 2)
			require.NoError(t, sys.Stop(context.Background(), owner))
			require.Empty(t, settle(10*period, got), "the owner's exit cancelled its interval")
		})
	})
	t.Run("target exits", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			target, got := recorder(t, sys, start, nil)
			_, err := sys.SendInterval(period, target, "tick")
			require.NoError(t, err)
			require.Len(t, settle(2*period, got), 2)
			require.NoError(t, sys.Stop(context.Background(), target))
			dead := sys.DeadLetters()
			settle(10*period, got)
			require.Equal(t, dead+1, sys.DeadLetters(), "one tick finds the target gone; then the interval stops")
		})
	})
}

func TestSendAfterFromOutside(t *testing.T) {
	timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
		pid, got := recorder(t, sys, start, nil)
		_, err := sys.SendAfter(period, pid, "once")
		require.NoError(t, err)
		cancel, err := sys.SendAfter(2*period, pid, "cancelled")
		require.NoError(t, err)
		require.Equal(t, ticks("once", period), settle(period, got))
		require.True(t, cancel())
		require.Empty(t, settle(10*period, got))
		require.False(t, cancel())
	})
}

func TestReceiveTimeout(t *testing.T) {
	t.Run("fires after each period of silence", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			_, got := recorder(t, sys, start, func(ctx actor.Context) {
				if err := ctx.SetReceiveTimeout(period); err != nil {
					panic(err)
				}
			})
			want := ticks(actor.ReceiveTimeout{}, period, 2*period, 3*period)
			require.Equal(t, want, settle(3*period, got))
		})
	})
	t.Run("not while messages keep coming", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			pid, got := recorder(t, sys, start, func(ctx actor.Context) {
				if err := ctx.SetReceiveTimeout(period); err != nil {
					panic(err)
				}
			})
			var want []arrival
			for i := 1; i <= 20; i++ {
				<-time.After(period - time.Millisecond)
				require.NoError(t, sys.Send(pid, i))
				want = append(want, arrival{time.Duration(i) * (period - time.Millisecond), i})
			}
			last := 20 * (period - time.Millisecond)
			want = append(want, arrival{last + period, actor.ReceiveTimeout{}})
			require.Equal(t, want, settle(period, got), "one timeout, a period after the last message")
		})
	})
	t.Run("off with zero", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			ch := make(chan arrival, 16)
			pid, err := sys.Spawn(&initFunc{
				init: func(ctx actor.Context) { _ = ctx.SetReceiveTimeout(period) },
				recv: func(ctx actor.Context, msg any) {
					ch <- arrival{time.Since(start), msg}
					if msg == "off" {
						if err := ctx.SetReceiveTimeout(0); err != nil {
							panic(err)
						}
					}
				},
			})
			require.NoError(t, err)
			require.Len(t, settle(period, ch), 1)
			require.NoError(t, sys.Send(pid, "off"))
			require.Equal(t, []arrival{{period, "off"}}, settle(10*period, ch))
		})
	})
	t.Run("a handler's own time does not count", func(t *testing.T) {
		timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
			ch := make(chan arrival, 16)
			gate := make(chan struct{})
			pid, err := sys.Spawn(&initFunc{
				init: func(ctx actor.Context) { _ = ctx.SetReceiveTimeout(period) },
				recv: func(ctx actor.Context, msg any) {
					if msg == "slow" {
						<-gate
					}
					ch <- arrival{time.Since(start), msg}
				},
			})
			require.NoError(t, err)
			require.NoError(t, sys.Send(pid, "slow"))
			// The timeout falls due while the handler runs and is queued
			// behind nothing; the handler's end makes it stale.
			settle(3*period, ch)
			close(gate)
			want := []arrival{{3 * period, "slow"}, {4 * period, actor.ReceiveTimeout{}}}
			require.Equal(t, want, settle(period, ch))
		})
	})
}

func TestTimersRefuseBadInput(t *testing.T) {
	timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
		other := system.New()
		foreign, err := other.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		require.NoError(t, other.Shutdown(context.Background()))

		pid, _ := recorder(t, sys, start, nil)
		errs := make(chan error, 16)
		_, _ = recorder(t, sys, start, func(ctx actor.Context) {
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
		})
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

		require.NoError(t, sys.Shutdown(context.Background()))
		_, err = sys.SendAfter(period, pid, "x")
		require.ErrorIs(t, err, actor.ErrStopped, "SendAfter after Shutdown")
		_, err = sys.SendInterval(period, pid, "x")
		require.ErrorIs(t, err, actor.ErrStopped, "SendInterval after Shutdown")
	})
}

func errOf[T any](_ T, err error) error { return err }

// A pending timer names its processes by PID: an exited process, its actor
// and its mailbox can be collected while its timers wait.
func TestTimerKeepsNoDeadProcessReachable(t *testing.T) {
	timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
		target, _ := recorder(t, sys, start, nil)
		a := &initFunc{
			init: func(ctx actor.Context) {
				ctx.SendAfter(time.Hour, target, "later") // not cancelled by the exit
				_, _ = ctx.SendInterval(time.Hour, target, "tick")
				_ = ctx.SetReceiveTimeout(time.Hour)
			},
			recv: func(actor.Context, any) {},
		}
		gone := weak.Make(a)
		pid, err := sys.Spawn(a)
		a = nil
		require.NoError(t, err)
		require.NoError(t, sys.Stop(context.Background(), pid))
		synctest.Wait()
		for range 3 {
			runtime.GC()
		}
		require.Nil(t, gone.Value(), "the exited actor is unreachable though its SendAfter is pending")
	})
}

// Shutdown with timers pending sends their messages to the dead letters
// and leaves no timer goroutine (goleak checks at the end of the package).
func TestShutdownDropsPendingTimers(t *testing.T) {
	timerBubble(t, func(t *testing.T, sys *system.System, start time.Time) {
		pid, _ := recorder(t, sys, start, func(ctx actor.Context) { _ = ctx.SetReceiveTimeout(period) })
		_, err := sys.SendAfter(time.Hour, pid, "x")
		require.NoError(t, err)
		_, err = sys.SendInterval(time.Hour, pid, "y")
		require.NoError(t, err)
		dead := sys.DeadLetters()
		require.NoError(t, sys.Shutdown(context.Background()))
		require.GreaterOrEqual(t, sys.DeadLetters()-dead, uint64(2), "both pending messages are dead letters")
	})
}
