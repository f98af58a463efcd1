package supervisor_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// at takes the next event of sub and checks it happened after d of
// virtual time since start.
func at(t *testing.T, sub *system.Subscription, start time.Time, d time.Duration, want string) {
	t.Helper()
	got := describe(next(t, sub))
	require.Equal(t, want, got)
	require.Equal(t, d, time.Since(start), "time of %q", want)
}

// breakerStates describes WhichChildren's breaker states: "a:open b:closed".
func breakerStates(t *testing.T, sys *system.System, sup actor.PID) string {
	t.Helper()
	infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
	require.NoError(t, err)
	out := ""
	for i, in := range infos {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s:%v", in.ID, in.Breaker)
		if in.Breaker == supervisor.Open {
			require.True(t, in.Restarting && in.PID.IsZero(), "%s is down and waiting", in.ID)
		} else {
			require.False(t, in.PID.IsZero(), "%s runs", in.ID)
		}
	}
	return out
}

var testBreaker = supervisor.Breaker{CoolDown: time.Second, MaxCoolDown: 4 * time.Second, Probation: 2 * time.Second}

// A breaker opens beyond the intensity, half-opens after its cool-down,
// opens again for twice as long when the probe fails, closes after a
// probation passed, and starts again from CoolDown after a quiet period:
// at exactly those virtual times.
func TestBreakerTiming(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: time.Minute, Escalation: testBreaker},
			child("w", nil), child("x", nil))
		take(t, sub, 2)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))

		start := time.Now()
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 1s #1"}, take(t, sub, 2))
		require.Equal(t, "w:open x:closed", breakerStates(t, sys, sup))
		at(t, sub, start, time.Second, "restarted w")
		at(t, sub, start, time.Second, "half-open w probe w")
		require.Equal(t, "w:half_open x:closed", breakerStates(t, sys, sup))

		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 2s #2"}, take(t, sub, 2))
		at(t, sub, start, 3*time.Second, "restarted w")
		at(t, sub, start, 3*time.Second, "half-open w probe w")
		at(t, sub, start, 5*time.Second, "closed w")
		require.Equal(t, "w:closed x:closed", breakerStates(t, sys, sup))

		// Still within the intensity's minute: the next failure opens it
		// again, the cool-down capped at MaxCoolDown after one more doubling.
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 4s #3"}, take(t, sub, 2))
		at(t, sub, start, 9*time.Second, "restarted w")
		at(t, sub, start, 9*time.Second, "half-open w probe w")
		at(t, sub, start, 11*time.Second, "closed w")

		// A quiet minute: the restart is within the intensity again, and
		// the breaker's next cool-down starts from CoolDown.
		advance(2 * time.Minute)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 1s #1"}, take(t, sub, 2))
		noEventsBefore(t, sub, time.Second)
	})
}

// noEventsBefore checks that nothing is published for d of virtual time.
func noEventsBefore(t *testing.T, sub *system.Subscription, d time.Duration) {
	t.Helper()
	advance(d - time.Millisecond)
	noEvents(t, sub)
}

// Siblings sharing a breaker open together when one of them exceeds the
// intensity, and are probed one at a time, in start order; a sibling
// outside the group runs on.
func TestBreakerSharedByGroup(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		db1, db2 := child("db1", nil), child("db2", nil)
		db1.Breaker, db2.Breaker = "db", "db"
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: time.Minute, Escalation: testBreaker},
			db1, child("other", nil), db2)
		take(t, sub, 3)
		other := children(t, sys, sup)["other"]
		crashChild(t, sys, sup, "db1", errBoom)
		take(t, sub, 2)

		start := time.Now()
		crashChild(t, sys, sup, "db1", errBoom)
		require.Equal(t, []string{"exited db1: boom", "exited db2: " + actor.Shutdown.Error(), "opened db [db1 db2] 1s #1"}, take(t, sub, 3))
		require.Equal(t, "db1:open other:closed db2:open", breakerStates(t, sys, sup))
		at(t, sub, start, time.Second, "restarted db1")
		at(t, sub, start, time.Second, "half-open db probe db1")
		require.Equal(t, "db1:half_open other:closed db2:open", breakerStates(t, sys, sup))
		at(t, sub, start, 3*time.Second, "restarted db2")
		at(t, sub, start, 3*time.Second, "half-open db probe db2")
		require.Equal(t, "db1:closed other:closed db2:half_open", breakerStates(t, sys, sup))
		at(t, sub, start, 5*time.Second, "closed db")
		require.Equal(t, "db1:closed other:closed db2:closed", breakerStates(t, sys, sup))
		require.Equal(t, other, children(t, sys, sup)["other"], "the sibling outside the group ran on")

		// The second probe failing opens the breaker for the whole group
		// again, the one that passed included.
		crashChild(t, sys, sup, "db2", errBoom)
		require.Equal(t, []string{"exited db2: boom", "exited db1: " + actor.Shutdown.Error(), "opened db [db1 db2] 2s #2"}, take(t, sub, 3))
	})
}

// Under OneForAll the children restarted with the failed one wait with it.
func TestBreakerUnderOneForAll(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: supervisor.NoRestarts, Escalation: testBreaker},
			child("a", nil), child("b", nil))
		take(t, sub, 2)
		start := time.Now()
		crashChild(t, sys, sup, "b", errBoom)
		require.Equal(t, []string{"exited b: boom", "exited a: " + actor.Shutdown.Error(), "opened b [a b] 1s #1"}, take(t, sub, 3))
		at(t, sub, start, time.Second, "restarted a")
		at(t, sub, start, time.Second, "half-open b probe a")
		at(t, sub, start, 3*time.Second, "restarted b")
		at(t, sub, start, 3*time.Second, "half-open b probe b")
		at(t, sub, start, 5*time.Second, "closed b")
	})
}

// ResetChild closes a breaker at once and starts the children waiting on
// it; on a closed breaker it does nothing.
func TestResetChild(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		db1, db2 := child("db1", nil), child("db2", nil)
		db1.Breaker, db2.Breaker = "db", "db"
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Escalation: testBreaker}, db1, db2)
		take(t, sub, 2)
		require.NoError(t, supervisor.ResetChild(tctx(t), sys, sup, "db1"), "a closed breaker")
		crashChild(t, sys, sup, "db2", errBoom)
		take(t, sub, 3)

		require.NoError(t, supervisor.ResetChild(tctx(t), sys, sup, "db2"))
		require.Equal(t, []string{"closed db reset", "started db1", "started db2"}, take(t, sub, 3))
		require.Equal(t, "db1:closed db2:closed", breakerStates(t, sys, sup))
		noEventsBefore(t, sub, time.Minute) // the cool-down's timer is void

		// Reset starts the cool-downs again from CoolDown.
		crashChild(t, sys, sup, "db1", errBoom)
		require.Equal(t, []string{"exited db1: boom", "exited db2: " + actor.Shutdown.Error(), "opened db [db1 db2] 1s #1"}, take(t, sub, 3))

		require.ErrorIs(t, supervisor.ResetChild(tctx(t), sys, sup, "nope"), supervisor.ErrNotFound)
	})
}

// A Breaker is validated as a Backoff is.
func TestBreakerValidation(t *testing.T) {
	for _, b := range []supervisor.Breaker{
		{},
		{CoolDown: time.Second, MaxCoolDown: time.Millisecond, Probation: time.Second},
		{CoolDown: time.Second, MaxCoolDown: time.Second},
		{CoolDown: time.Second, MaxCoolDown: time.Second, Probation: time.Second, Jitter: 2},
		{CoolDown: time.Second, MaxCoolDown: time.Second, Probation: time.Second, Quiet: -1},
	} {
		t.Run(fmt.Sprintf("%+v", b), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				_, err := sys.Spawn(supervisor.New(supervisor.Spec{Escalation: b}, child("w", nil)))
				require.ErrorIs(t, err, supervisor.ErrInvalidBreaker)
				sup := spawn(t, sys, supervisor.Spec{}, child("w", nil))
				require.ErrorIs(t, supervisor.Reconfigure(tctx(t), sys, sup, supervisor.WithEscalation(b)), supervisor.ErrInvalidBreaker)
			})
		})
	}
}

// A child terminated while it waits on an open breaker stays stopped when
// the breaker closes; the others are probed as before.
func TestBreakerMemberTerminated(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		db1, db2 := child("db1", nil), child("db2", nil)
		db1.Breaker, db2.Breaker = "db", "db"
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Escalation: testBreaker}, db1, db2)
		take(t, sub, 2)
		start := time.Now()
		crashChild(t, sys, sup, "db2", errBoom)
		take(t, sub, 3)
		require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, "db1"))
		infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.ChildInfo{ID: "db1"}, infos[0], "stopped, not waiting")
		at(t, sub, start, time.Second, "restarted db2")
		at(t, sub, start, time.Second, "half-open db probe db2")
		at(t, sub, start, 3*time.Second, "closed db")
		noEvents(t, sub)
	})
}

// Under OneForAll, a probe that fails opens the breaker again for every
// child of the group, not only the probe: the ones still waiting their
// turn wait again.
func TestBreakerProbeFailsUnderOneForAll(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: supervisor.NoRestarts, Escalation: testBreaker},
			child("a", nil), child("b", nil))
		take(t, sub, 2)
		start := time.Now()
		crashChild(t, sys, sup, "b", errBoom)
		take(t, sub, 3) // exited b, exited a, opened b [a b]
		at(t, sub, start, time.Second, "restarted a")
		at(t, sub, start, time.Second, "half-open b probe a")
		crashChild(t, sys, sup, "a", errBoom)
		got := take(t, sub, 2)
		require.Equal(t, "exited a: boom", got[0])
		require.Contains(t, got[1], "opened b [a b]", "both children wait again")
		require.Equal(t, "a:open b:open", breakerStates(t, sys, sup))
		until(t, sub, "closed b")
		require.Equal(t, "a:closed b:closed", breakerStates(t, sys, sup))
	})
}

// TerminateChild of the child a breaker is probing lets the breaker go on
// with the next child waiting, instead of staying half-open.
func TestBreakerProbeTerminated(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: supervisor.NoRestarts, Escalation: testBreaker},
			child("a", nil), child("b", nil))
		take(t, sub, 2)
		crashChild(t, sys, sup, "b", errBoom)
		take(t, sub, 3)
		until(t, sub, "half-open b probe a")
		require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, "a"))
		until(t, sub, "half-open b probe b")
		until(t, sub, "closed b")
		infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		for _, in := range infos {
			require.Equal(t, supervisor.Closed, in.Breaker, in.ID)
		}
	})
}

// openNamedBreaker starts a supervisor of one child registered as "db",
// crashes it, and returns once its breaker has opened.
func openNamedBreaker(t *testing.T, sys *system.System, sub *system.Subscription) actor.PID {
	t.Helper()
	named := supervisor.Child{ID: "db", Start: (&worker{id: "db"}).props(actor.WithName("db"))}
	sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Escalation: testBreaker}, named)
	take(t, sub, 1)
	crashChild(t, sys, sup, "db", errBoom)
	require.Equal(t, []string{"exited db: boom", "opened db [db] 1s #1"}, take(t, sub, 2))
	return sup
}

// While a child waits behind an open breaker, its registered name fails
// fast: a message to it is a dead letter with ErrCircuitOpen, a Request
// fails with it at once. Once the child is back, the name is its own.
func TestBreakerFailsFastByName(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		dead := subscribeAll(sys, func(e any) bool { _, ok := e.(actor.DeadLetter); return ok })
		defer dead.Close()
		sup := openNamedBreaker(t, sys, sub)

		start := time.Now()
		require.NoError(t, sys.SendNamed("db", "query"))
		ev, err := dead.Next(tctx(t))
		require.NoError(t, err)
		dl := ev.(actor.DeadLetter)
		require.Equal(t, "query", dl.Message)
		require.ErrorIs(t, dl.Reason, supervisor.ErrCircuitOpen)
		pid, ok := sys.Whereis("db")
		require.True(t, ok, "the name is held while the breaker is open")
		_, err = sys.Request(tctx(t), pid, ping{})
		require.ErrorIs(t, err, supervisor.ErrCircuitOpen)
		require.Zero(t, time.Since(start), "failed at once, not after a timeout")

		require.Equal(t, []string{"restarted db", "half-open db probe db"}, take(t, sub, 2))
		pid, ok = sys.Whereis("db")
		require.True(t, ok)
		reply, err := sys.Request(tctx(t), pid, ping{})
		require.NoError(t, err, "the name is the child's again")
		require.Equal(t, "pong:db", reply)
		require.Equal(t, children(t, sys, sup)["db"], pid)
	})
}

// A breaker's probe that has Health passes its probation on its first
// healthy answer, before Probation has passed.
func TestBreakerProbationByHealth(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		c := child("w", nil)
		c.Health = supervisor.Health{Interval: 100 * time.Millisecond}
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Escalation: testBreaker}, c)
		take(t, sub, 1)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "opened w [w] 1s #1"}, take(t, sub, 2))
		start := time.Now()
		require.Equal(t, []string{"restarted w", "half-open w probe w"}, take(t, sub, 2))
		at(t, sub, start, testBreaker.CoolDown+100*time.Millisecond, "closed w")
	})
}

// A supervisor that exits, even with Normal, ends the stand-ins that hold
// its children's names before its exit is seen.
func TestBreakerStandInsEndWithTheSupervisor(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := openNamedBreaker(t, sys, sub)
		_, held := sys.Whereis("db")
		require.True(t, held)
		down := watch(t, sys, sup)
		require.NoError(t, sys.Exit(sup, actor.Normal))
		require.ErrorIs(t, exitReason(t, down), actor.Normal)
		_, held = sys.Whereis("db")
		require.False(t, held, "the name is free once the supervisor's exit is seen")
		synctest.Wait()
		require.Zero(t, sys.Processes(), "the supervisor, its stand-in and the watcher are gone")
	})
}
