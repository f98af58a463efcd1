package supervisor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Each shutdown policy, seen through TerminateChild on the virtual clock:
// how long it takes, whether Terminate ran, the reason, and the
// ShutdownTimeout event and error.
func TestShutdownPolicies(t *testing.T) {
	s := time.Second
	stopOn := func(reason error) func(actor.Context, actor.Exit) {
		return func(ctx actor.Context, _ actor.Exit) { ctx.Stop(reason) }
	}
	tests := []struct {
		name      string
		policy    supervisor.ShutdownPolicy
		kind      supervisor.Kind
		w         worker
		took      time.Duration
		reason    error
		timedOut  bool
		terminate bool // the child's Terminate ran
	}{
		{"brutal kills at once", supervisor.Brutal, supervisor.Worker, worker{trap: true, onExit: hangOnExit}, 0, actor.Killed, false, false},
		{"timeout: child stops in time", supervisor.Timeout(2 * s), supervisor.Worker, worker{stopDelay: s}, s, actor.Shutdown, false, true},
		{"timeout: child hangs on the signal", supervisor.Timeout(2 * s), supervisor.Worker, worker{trap: true, onExit: hangOnExit}, 2 * s, actor.Killed, true, false},
		{"timeout: child too slow", supervisor.Timeout(2 * s), supervisor.Worker, worker{stopDelay: time.Minute}, 2 * s, actor.Killed, true, false},
		{"worker default is 5s", supervisor.ShutdownPolicy{}, supervisor.Worker, worker{trap: true, onExit: hangOnExit}, 5 * s, actor.Killed, true, false},
		{"infinity waits", supervisor.Infinity, supervisor.Worker, worker{stopDelay: time.Hour}, time.Hour, actor.Shutdown, false, true},
		{"supervisor default is infinity", supervisor.ShutdownPolicy{}, supervisor.Supervisor, worker{stopDelay: time.Hour}, time.Hour, actor.Shutdown, false, true},
		{"child exits with its own reason", supervisor.Timeout(2 * s), supervisor.Worker, worker{trap: true, onExit: stopOn(errOther)}, 0, errOther, false, true},
		{"child exits normally", supervisor.Infinity, supervisor.Worker, worker{trap: true, onExit: stopOn(actor.Normal)}, 0, actor.Normal, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				w := tt.w
				w.id, w.j = "w", j
				sub := events(sys)
				defer sub.Close()
				timeouts := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ShutdownTimeout); return ok })
				defer timeouts.Close()
				sup := spawn(t, sys, supervisor.Spec{},
					supervisor.Child{ID: "w", Start: w.props(), Shutdown: tt.policy, Kind: tt.kind})
				j.take(t, 1)
				take(t, sub, 1)
				pid := children(t, sys, sup)["w"]

				start := time.Now()
				err := supervisor.TerminateChild(tctx(t), sys, sup, "w")
				require.Equal(t, tt.took, time.Since(start))
				var want []string
				// As OTP's terminate_child: ok even when the child had to be
				// killed; the ShutdownTimeout event reports the kill.
				require.NoError(t, err)
				if tt.timedOut {
					timeout := 5 * s
					if tt.policy != (supervisor.ShutdownPolicy{}) {
						timeout = 2 * s
					}
					st, ok := timeouts.TryNext()
					require.True(t, ok, "a ShutdownTimeout event")
					require.Equal(t, supervisor.ShutdownTimeout{Supervisor: sup, ID: "w", PID: pid, Timeout: timeout}, st)
					want = append(want, fmt.Sprintf("shutdown timeout w %v", timeout))
				}
				want = append(want, "exited w: "+tt.reason.Error())
				require.Equal(t, want, take(t, sub, len(want)))
				if tt.terminate {
					require.Equal(t, []string{"stop:w"}, j.rest())
				} else {
					require.Empty(t, j.rest())
				}
				noEvents(t, sub)
				info, err := supervisor.WhichChildren(tctx(t), sys, sup)
				require.NoError(t, err)
				require.Equal(t, []supervisor.ChildInfo{{ID: "w", Kind: tt.kind}}, info, "kept, not restarted")
			})
		})
	}
}

// A child that exits on its own with another reason while the supervisor
// shuts down does not hang the shutdown, and the timeouts of children are
// waited for one after the other, in reverse order.
func TestSupervisorShutdownWaitsPerChild(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		s := time.Second
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{},
			supervisor.Child{ID: "a", Start: (&worker{id: "a", j: j, stopDelay: s}).props()},
			supervisor.Child{ID: "b", Start: (&worker{id: "b", j: j, trap: true, onExit: func(ctx actor.Context, _ actor.Exit) {
				ctx.Stop(errOther)
			}}).props()},
			supervisor.Child{ID: "c", Shutdown: supervisor.Timeout(3 * s), Start: (&worker{id: "c", j: j, trap: true, onExit: hangOnExit}).props()},
		)
		j.take(t, 3)
		take(t, sub, 3)
		start := time.Now()
		require.NoError(t, sys.Stop(tctx(t), sup))
		require.Equal(t, 4*s, time.Since(start), "3s for c, then 1s for a")
		require.Equal(t, []string{"stop:b", "stop:a"}, j.rest())
		require.Equal(t, []string{
			"shutdown timeout c 3s", "exited c: killed", "exited b: other", "exited a: shutdown",
		}, take(t, sub, 4))
	})
}

// A dynamic supervisor's children stop concurrently: the shutdown takes as
// long as the slowest, and one deadline covers all.
func TestDynamicChildrenStopConcurrently(t *testing.T) {
	s := time.Second
	tests := []struct {
		name    string
		policy  supervisor.ShutdownPolicy
		w       worker
		took    time.Duration
		reason  string
		journal int
	}{
		{"all stop in 1s", supervisor.Timeout(5 * s), worker{stopDelay: s}, s, "shutdown", 3},
		{"all killed at the deadline", supervisor.Timeout(2 * s), worker{trap: true, onExit: hangOnExit}, 2 * s, "killed", 0},
		{"infinity", supervisor.Infinity, worker{stopDelay: time.Minute}, time.Minute, "shutdown", 3},
		{"brutal", supervisor.Brutal, worker{stopDelay: time.Minute}, 0, "killed", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				w := tt.w
				w.j = j
				sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne},
					supervisor.Child{ID: "pool", Shutdown: tt.policy, StartWith: func(args ...any) actor.Props {
						w := w
						w.id = args[0].(string)
						return w.props()
					}})
				for _, id := range []string{"x", "y", "z"} {
					_, err := supervisor.StartChildWith(tctx(t), sys, sup, id)
					require.NoError(t, err)
				}
				j.take(t, 3)
				sub := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildExited); return ok })
				defer sub.Close()
				start := time.Now()
				require.NoError(t, sys.Stop(tctx(t), sup))
				require.Equal(t, tt.took, time.Since(start))
				for range 3 {
					require.Equal(t, "exited pool: "+tt.reason, describe(next(t, sub)))
				}
				require.Len(t, j.rest(), tt.journal)
			})
		})
	}
}

// When the supervisor's parent exits, it stops its children and exits with
// the parent's reason.
func TestParentExitStopsTree(t *testing.T) {
	for _, reason := range []error{errBoom, actor.Normal, actor.Shutdown} {
		t.Run(reason.Error(), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				parent, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
					switch m := msg.(type) {
					case string:
						pid, err := ctx.SpawnLink(supervisor.New(supervisor.Spec{}, child("a", j), child("b", j)))
						if err != nil {
							panic(err)
						}
						_ = ctx.Reply(pid)
					case crash:
						ctx.Stop(m.reason)
					}
				}))
				require.NoError(t, err)
				v, err := sys.Request(tctx(t), parent, "spawn")
				require.NoError(t, err)
				sup := v.(actor.PID)
				down := watch(t, sys, sup)
				require.NoError(t, sys.Send(parent, crash{reason}))
				require.Equal(t, reason, exitReason(t, down))
				require.Equal(t, []string{"start:a", "start:b", "stop:b", "stop:a"}, j.rest())
			})
		})
	}
}

// System.Shutdown stops a tree from the top: every supervisor stops its
// children in reverse order before it exits.
func TestSystemShutdownStopsNestedTree(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		inner := supervisor.Child{ID: "inner", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{Strategy: supervisor.OneForAll}, child("x", j), child("y", j))
		})}
		spawn(t, sys, supervisor.Spec{}, child("a", j), inner, child("b", j))
		require.Equal(t, []string{"start:a", "start:x", "start:y", "start:b"}, j.take(t, 4))
		require.NoError(t, sys.Shutdown(context.Background()))
		require.Equal(t, []string{"stop:b", "stop:y", "stop:x", "stop:a"}, j.rest())
	})
}
