package supervisor_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// info inspects sup and returns its published Info.
func info(t *testing.T, sys *system.System, sup actor.PID) supervisor.Info {
	t.Helper()
	st, err := sys.Inspect(sup)
	require.NoError(t, err)
	in, ok := st.Description.(supervisor.Info)
	require.True(t, ok, "description %T", st.Description)
	return in
}

// A supervisor's spec and each child's bookkeeping are visible through
// Inspect, without a message: restarts, the last exit, and the life cycle
// through a Backoff wait.
func TestDescribeThroughBackoff(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		s := time.Second
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: 10 * s,
			Escalation: supervisor.Backoff{Base: s, Max: 8 * s}},
			child("a", nil), supervisor.Child{ID: "b", Start: (&worker{id: "b"}).props(),
				Restart: supervisor.Transient, Shutdown: supervisor.Brutal})
		take(t, sub, 2)

		in := info(t, sys, sup)
		require.Equal(t, supervisor.OneForOne, in.Strategy)
		require.Equal(t, 1, in.Intensity)
		require.Equal(t, 10*s, in.Period)
		require.Equal(t, supervisor.Backoff{Base: s, Max: 8 * s}, in.Escalation)
		require.Len(t, in.Children, 2)
		kids := children(t, sys, sup)
		a, b := in.Children[0], in.Children[1]
		require.Equal(t, supervisor.ChildView{ID: "a", PID: kids["a"], Restart: supervisor.Permanent,
			Shutdown: a.Shutdown, Kind: supervisor.Worker, State: supervisor.Running}, a)
		require.Equal(t, "b", b.ID)
		require.Equal(t, supervisor.Transient, b.Restart)
		require.Equal(t, supervisor.Brutal, b.Shutdown)

		crashChild(t, sys, sup, "a", errBoom) // within the intensity: restarted at once
		require.Equal(t, []string{"exited a: boom", "restarted a"}, take(t, sub, 2))
		a = info(t, sys, sup).Children[0]
		require.Equal(t, supervisor.Running, a.State)
		require.Equal(t, 1, a.Restarts)
		require.ErrorIs(t, a.LastExit, errBoom)
		require.Equal(t, children(t, sys, sup)["a"], a.PID)

		crashChild(t, sys, sup, "a", errOther) // over it: a backoff wait
		require.Equal(t, []string{"exited a: other", "delayed a 1s"}, take(t, sub, 2))
		a = info(t, sys, sup).Children[0]
		require.Equal(t, supervisor.Restarting, a.State)
		require.True(t, a.PID.IsZero())
		require.ErrorIs(t, a.LastExit, errOther)

		advance(s)
		require.Equal(t, []string{"restarted a"}, take(t, sub, 1))
		a = info(t, sys, sup).Children[0]
		require.Equal(t, supervisor.Running, a.State)
		require.Equal(t, 2, a.Restarts)
	})
}

// A supervisor busy in a child's Init is still described: the child is
// Starting, and Inspect does not wait for the supervisor.
func TestDescribeWhileStarting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		entered, release := make(chan struct{}), make(chan struct{})
		slow := supervisor.Child{ID: "slow", Start: actor.Props{New: func() actor.Actor {
			return &initFunc{f: func() { close(entered); <-release }}
		}}}
		done := make(chan actor.PID, 1)
		go func() {
			pid, err := sys.Spawn(supervisor.New(supervisor.Spec{}, child("first", nil), slow))
			if err != nil {
				panic(err)
			}
			done <- pid
		}()
		<-entered
		snap := sys.Snapshot()
		var in supervisor.Info
		for _, p := range snap.Processes {
			if d, ok := p.Description.(supervisor.Info); ok {
				in = d
			}
		}
		require.Len(t, in.Children, 2)
		require.Equal(t, supervisor.Running, in.Children[0].State)
		require.Equal(t, supervisor.Starting, in.Children[1].State)
		close(release)
		sup := <-done
		require.Equal(t, supervisor.Running, info(t, sys, sup).Children[1].State)
		require.NoError(t, sys.Shutdown(t.Context()))
	})
}

// initFunc runs f in Init.
type initFunc struct{ f func() }

func (a *initFunc) Init(actor.Context) error { a.f(); return nil }

func (a *initFunc) Receive(actor.Context, any) {}

func TestLifeNames(t *testing.T) {
	want := []string{"stopped", "starting", "running", "stopping", "restarting", "failed"}
	for i, w := range want {
		require.Equal(t, w, supervisor.Life(i).String())
		b, err := supervisor.Life(i).MarshalText()
		require.NoError(t, err)
		require.Equal(t, w, string(b))
	}
	require.Equal(t, "Life(9)", supervisor.Life(9).String())
}

// The breaker a child waits on is visible through Inspect: open while it
// waits, half-open while it is on probation, closed after.
func TestDescribeBreakerStates(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Escalation: testBreaker},
			child("w", nil), child("x", nil))
		take(t, sub, 2)
		state := func() []supervisor.BreakerState {
			synctest.Wait() // the supervisor has finished its message
			var out []supervisor.BreakerState
			for _, c := range info(t, sys, sup).Children {
				out = append(out, c.Breaker)
			}
			return out
		}
		require.Equal(t, []supervisor.BreakerState{supervisor.Closed, supervisor.Closed}, state())
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 1s #1"}, take(t, sub, 2))
		require.Equal(t, []supervisor.BreakerState{supervisor.Open, supervisor.Closed}, state())
		require.Equal(t, []string{"restarted w", "half-open w probe w"}, take(t, sub, 2))
		require.Equal(t, []supervisor.BreakerState{supervisor.HalfOpen, supervisor.Closed}, state())
		require.Equal(t, "closed w", describe(next(t, sub)))
		require.Equal(t, []supervisor.BreakerState{supervisor.Closed, supervisor.Closed}, state())
	})
}
