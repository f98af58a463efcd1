package soak

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

var (
	errInit  = errors.New("init keeps failing")
	errCrash = errors.New("crash")
)

// flaky starts once, then fails in Init forever: with an error, or (every
// other attempt when panics is set) with a panic.
type flaky struct {
	inits  *atomic.Int64
	panics bool
}

func (f *flaky) Init(actor.Context) error {
	n := f.inits.Add(1)
	if n == 1 {
		return nil
	}
	if f.panics && n%2 == 0 {
		panic("init storm")
	}
	return errInit
}

func (f *flaky) Receive(ctx actor.Context, msg any) {
	if msg == "crash" {
		ctx.Stop(errCrash)
	}
}

func flakyChild(id string, inits *atomic.Int64) supervisor.Child {
	return supervisor.Child{ID: id, Start: actor.PropsOf(func() actor.Actor { return &flaky{inits: inits, panics: true} })}
}

// steadyChild never fails.
func steadyChild(id string) supervisor.Child {
	return supervisor.Child{ID: id, Start: actor.PropsOf(func() actor.Actor {
		return &flaky{inits: new(atomic.Int64)}
	}, actor.WithName("steady-"+id))}
}

func nestedChild(id string, spec supervisor.Spec, kids ...supervisor.Child) supervisor.Child {
	return supervisor.Child{ID: id, Kind: supervisor.Supervisor,
		Start: actor.PropsOf(func() actor.Actor { return supervisor.New(spec, kids...) })}
}

// childPID returns the PID of sup's running child id (or its only child).
func childPID(t *testing.T, sys *system.System, sup actor.PID, id string) actor.PID {
	t.Helper()
	infos, err := supervisor.WhichChildren(context.Background(), sys, sup)
	require.NoError(t, err)
	for _, in := range infos {
		if in.ID == id && !in.PID.IsZero() {
			return in.PID
		}
	}
	require.FailNow(t, "child not running", "%q in %+v", id, infos)
	return actor.PID{}
}

// Under Escalate and Terminate, a child that crashes, then fails in Init
// for ever, makes its supervisor give up after exactly Intensity failed
// attempts — each failed start is a counted restart, as in OTP — and
// escalates; a nested tree gives up level by level. All of it happens at
// one instant of the bubble's virtual clock: no spinning, no waiting.
func TestRestartStormGivesUp(t *testing.T) {
	s := time.Second
	rle := func(i int, p time.Duration) error { return &supervisor.RestartLimitExceeded{Intensity: i, Period: p} }
	tests := []struct {
		name     string
		build    func(inits *atomic.Int64) (supervisor.Spec, []supervisor.Child)
		dynamic  bool
		attempts int64 // Init attempts after the crash
		gaveUp   int   // GaveUp events
		reason   error // the top supervisor's exit reason
	}{
		{"one for one escalates", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Intensity: 3, Period: 10 * s}, []supervisor.Child{steadyChild("a"), flakyChild("bad", n)}
		}, false, 3, 1, rle(3, 10*s)},
		{"no restarts", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Intensity: supervisor.NoRestarts}, []supervisor.Child{flakyChild("bad", n), steadyChild("a")}
		}, false, 0, 1, rle(0, supervisor.DefaultPeriod)},
		{"terminate", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Intensity: 2, Period: time.Minute, Escalation: supervisor.Terminate},
				[]supervisor.Child{flakyChild("bad", n)}
		}, false, 2, 1, actor.Shutdown},
		{"one for all", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: 4, Period: time.Minute},
				[]supervisor.Child{steadyChild("a"), flakyChild("bad", n), steadyChild("c")}
		}, false, 4, 1, rle(4, time.Minute)},
		{"rest for one", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Strategy: supervisor.RestForOne, Intensity: 2, Period: time.Minute},
				[]supervisor.Child{flakyChild("bad", n), steadyChild("c")}
		}, false, 2, 1, rle(2, time.Minute)},
		{"dynamic", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			return supervisor.Spec{Strategy: supervisor.SimpleOneForOne, Intensity: 5, Period: time.Minute},
				[]supervisor.Child{flakyChild("bad", n)}
		}, true, 5, 1, rle(5, time.Minute)},
		{"nested escalation", func(n *atomic.Int64) (supervisor.Spec, []supervisor.Child) {
			// top (2 restarts) > mid (3 restarts) > bad: the mid gives up
			// after 3 attempts; each of the top's 2 restarts of the mid
			// fails in the mid's Init, then the top gives up.
			mid := nestedChild("mid", supervisor.Spec{Intensity: 3, Period: time.Minute},
				steadyChild("m"), flakyChild("bad", n))
			return supervisor.Spec{Intensity: 2, Period: time.Minute}, []supervisor.Child{steadyChild("t"), mid}
		}, false, 3 + 2, 2, rle(2, time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys := system.New()
				defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
				sub := subscribeAll(sys, func(ev any) bool {
					switch ev.(type) {
					case supervisor.RestartFailed, supervisor.GaveUp, supervisor.ChildRestarted, actor.ProcessExited:
						return true
					}
					return false
				})
				defer sub.Close()
				var inits atomic.Int64
				spec, kids := tt.build(&inits)
				top, err := sys.Spawn(supervisor.New(spec, kids...))
				require.NoError(t, err)
				target := top
				if tt.dynamic {
					_, err := supervisor.StartChildWith(context.Background(), sys, top)
					require.NoError(t, err)
				}
				if tt.name == "nested escalation" {
					target = childPID(t, sys, top, "mid")
				}
				synctest.Wait()
				for { // drop what the start published
					if _, ok := sub.TryNext(); !ok {
						break
					}
				}
				require.EqualValues(t, 1, inits.Load())
				start := time.Now()
				require.NoError(t, sys.Send(childPID(t, sys, target, "bad"), "crash"))

				synctest.Wait()
				require.Zero(t, time.Since(start), "the storm took virtual time: something waited")
				var failed, gaveUp, restarted int
				var topReason error
				for {
					ev, ok := sub.TryNext()
					if !ok {
						break
					}
					switch e := ev.(type) {
					case supervisor.RestartFailed:
						failed++
						require.True(t, errors.Is(e.Err, errInit) || errors.As(e.Err, new(*actor.PanicError)) ||
							errors.As(e.Err, new(*supervisor.ChildStartFailed)), "restart failed with %v", e.Err)
					case supervisor.GaveUp:
						gaveUp++
					case supervisor.ChildRestarted:
						if e.ID == "bad" || e.ID == "mid" {
							restarted++ // siblings started before bad in a group restart do restart
						}
					case actor.ProcessExited:
						if e.PID == top {
							topReason = e.Reason
						}
					}
				}
				require.Equal(t, tt.attempts, inits.Load()-1, "Init attempts after the crash")
				require.EqualValues(t, tt.attempts, failed, "every failed attempt is a RestartFailed")
				require.Equal(t, tt.gaveUp, gaveUp)
				require.Zero(t, restarted, "the failing child (or its supervisor) never restarted successfully")
				require.Equal(t, tt.reason, topReason, "the top supervisor's exit reason")
				require.False(t, sys.Alive(top))
				require.Zero(t, sys.Processes(), "the whole tree is gone")
			})
		})
	}
}

// A child that fails in Init for ever under a Backoff supervisor is retried
// for a virtual hour without giving up, and the number of attempts stays
// within what the schedule allows: Intensity at once, then per delay (Base
// doubling to Max, never shorter) the delayed attempt plus at most
// Intensity more. A core-burning loop would make millions of attempts — and
// would never let the bubble's clock move.
func TestRestartStormBackoff(t *testing.T) {
	const intensity = 3
	period := 5 * time.Second
	bo := supervisor.Backoff{Base: 100 * time.Millisecond, Max: 10 * time.Second, Jitter: 0.5}
	// delays is the most delays that fit in d: the schedule without jitter.
	delays := func(d time.Duration) int64 {
		n, sum := int64(0), time.Duration(0)
		for k := 0; ; k++ {
			step := bo.Max
			if k < 32 && bo.Base<<k < bo.Max {
				step = bo.Base << k
			}
			if sum += step; sum > d {
				return n
			}
			n++
		}
	}
	allowed := func(d time.Duration) int64 { return intensity + (delays(d)+1)*(intensity+1) }

	for _, strategy := range []supervisor.Strategy{supervisor.OneForOne, supervisor.SimpleOneForOne} {
		t.Run(strategy.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys := system.New()
				defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
				sub := subscribeAll(sys, func(ev any) bool { _, ok := ev.(supervisor.RestartDelayed); return ok })
				defer sub.Close()
				var inits atomic.Int64
				spec := supervisor.Spec{Strategy: strategy, Intensity: intensity, Period: period, Escalation: bo}
				kids := []supervisor.Child{steadyChild("a"), flakyChild("bad", &inits)}
				if strategy == supervisor.SimpleOneForOne {
					kids = kids[1:]
				}
				sup, err := sys.Spawn(supervisor.New(spec, kids...))
				require.NoError(t, err)
				if strategy == supervisor.SimpleOneForOne {
					_, err := supervisor.StartChildWith(context.Background(), sys, sup)
					require.NoError(t, err)
				}
				var steady actor.PID
				if strategy == supervisor.OneForOne {
					steady = childPID(t, sys, sup, "a")
				}
				require.NoError(t, sys.Send(childPID(t, sys, sup, "bad"), "crash"))

				<-time.After(50 * time.Minute) // virtual: the bubble is idle between restarts
				synctest.Wait()
				at50 := inits.Load() - 1
				<-time.After(10 * time.Minute)
				synctest.Wait()
				total := inits.Load() - 1
				last10 := total - at50

				require.True(t, sys.Alive(sup), "Backoff never gives up")
				if !steady.IsZero() {
					require.True(t, sys.Alive(steady), "a OneForOne sibling is left alone")
				}
				require.LessOrEqual(t, total, allowed(time.Hour), "attempts in a virtual hour")
				// In the steady state delays are at Max: at most Intensity+1
				// attempts per Max, plus one delay straddling the edge.
				perMax := int64(10*time.Minute/bo.Max) + 1
				require.LessOrEqual(t, last10, perMax*(intensity+1), "attempts in the last 10 virtual minutes")
				require.GreaterOrEqual(t, total, int64(time.Hour/(bo.Max+bo.Max/2)), "it keeps retrying")

				var n int
				for {
					ev, ok := sub.TryNext()
					if !ok {
						break
					}
					d := ev.(supervisor.RestartDelayed)
					n++
					nominal := bo.Max
					if k := d.Attempt - 1; k < 32 && bo.Base<<k < bo.Max {
						nominal = bo.Base << k
					}
					require.GreaterOrEqual(t, d.Delay, nominal, "delay %d", n)
					require.Less(t, d.Delay, nominal+nominal/2+1, "delay %d: jitter above Jitter×delay", n)
				}
				require.LessOrEqual(t, int64(n), delays(time.Hour)+1, "delays")
				t.Logf("%v: %d Init attempts in a virtual hour (%d in the last 10 minutes), %d delays; the schedule allows %d",
					strategy, total, last10, n, allowed(time.Hour))
			})
		})
	}
}
