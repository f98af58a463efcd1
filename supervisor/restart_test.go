package supervisor_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// many is an intensity no test reaches.
var many = supervisor.Spec{Intensity: 1000, Period: time.Hour}

// Permanent restarts after any exit, Transient only after an abnormal one,
// Temporary never and is forgotten.
func TestRestartTypes(t *testing.T) {
	wrapped := fmt.Errorf("draining: %w", actor.Shutdown)
	tests := []struct {
		restart   supervisor.RestartType
		reason    error
		restarted bool
		forgotten bool
	}{
		{supervisor.Permanent, actor.Normal, true, false},
		{supervisor.Permanent, actor.Shutdown, true, false},
		{supervisor.Permanent, errBoom, true, false},
		{supervisor.Transient, actor.Normal, false, false},
		{supervisor.Transient, actor.Shutdown, false, false},
		{supervisor.Transient, wrapped, false, false},
		{supervisor.Transient, errBoom, true, false},
		{supervisor.Temporary, actor.Normal, false, true},
		{supervisor.Temporary, errBoom, false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v after %v", tt.restart, tt.reason), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				w := child("w", j)
				w.Restart = tt.restart
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, many, child("a", j), w)
				take(t, sub, 2)
				old := crashChild(t, sys, sup, "w", tt.reason)
				require.Equal(t, "exited w: "+tt.reason.Error(), describe(next(t, sub)))
				if tt.restarted {
					require.Equal(t, "restarted w", describe(next(t, sub)))
				}
				noEvents(t, sub)
				kids := children(t, sys, sup)
				pid, listed := kids["w"]
				require.Equal(t, !tt.forgotten, listed, "listed by WhichChildren")
				require.Equal(t, tt.restarted, !pid.IsZero(), "running")
				require.NotEqual(t, old, pid)
				require.False(t, kids["a"].IsZero(), "the sibling runs on")
			})
		})
	}
}

// Which children each strategy stops and starts, and in what order.
func TestStrategies(t *testing.T) {
	tests := []struct {
		strategy supervisor.Strategy
		crash    string
		journal  []string
		kept     []string // children that keep their PID
	}{
		{supervisor.OneForOne, "b", []string{"stop:b", "start:b"}, []string{"a", "c", "d"}},
		{supervisor.OneForAll, "b", []string{"stop:b", "stop:d", "stop:c", "stop:a", "start:a", "start:b", "start:c", "start:d"}, nil},
		{supervisor.RestForOne, "b", []string{"stop:b", "stop:d", "stop:c", "start:b", "start:c", "start:d"}, []string{"a"}},
		{supervisor.RestForOne, "d", []string{"stop:d", "start:d"}, []string{"a", "b", "c"}},
		{supervisor.RestForOne, "a", []string{"stop:a", "stop:d", "stop:c", "stop:b", "start:a", "start:b", "start:c", "start:d"}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v crash %s", tt.strategy, tt.crash), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Strategy: tt.strategy},
					child("a", j), child("b", j), child("c", j), child("d", j))
				j.take(t, 4)
				take(t, sub, 4)
				before := children(t, sys, sup)
				crashChild(t, sys, sup, tt.crash, errBoom)
				until(t, sub, "restarted "+tt.crash)
				require.Equal(t, tt.journal, j.rest())
				after := children(t, sys, sup)
				for id := range before {
					require.NotZero(t, after[id], "%s runs", id)
					if contains(tt.kept, id) {
						require.Equal(t, before[id], after[id], "%s keeps its PID", id)
					} else {
						require.NotEqual(t, before[id], after[id], "%s was restarted", id)
					}
				}
			})
		})
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// A OneForAll restart is one restart, whatever the number of children
// stopped with the one that failed.
func TestGroupRestartCountsOnce(t *testing.T) {
	for _, strategy := range []supervisor.Strategy{supervisor.OneForAll, supervisor.RestForOne} {
		t.Run(strategy.String(), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Strategy: strategy, Intensity: 1},
					child("a", nil), child("b", nil), child("c", nil))
				down := watch(t, sys, sup)
				crashChild(t, sys, sup, "a", errBoom)
				got := until(t, sub, "restarted c")
				require.Equal(t, []string{
					"started a", "started b", "started c",
					"exited a: boom", "exited c: shutdown", "exited b: shutdown",
					"restarted a", "restarted b", "restarted c",
				}, got)
				noEvents(t, sub)
				crashChild(t, sys, sup, "b", errBoom)
				require.Contains(t, until(t, sub, "gave up on b: "+(&supervisor.RestartLimitExceeded{Intensity: 1, Period: 5 * time.Second}).Error()), "exited b: boom")
				require.ErrorAs(t, exitReason(t, down), new(*supervisor.RestartLimitExceeded))
			})
		})
	}
}

// Temporary bystanders of a group restart are removed, not restarted.
func TestTemporaryBystanderIsRemoved(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		tmp := child("tmp", j)
		tmp.Restart = supervisor.Temporary
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll}, child("a", j), tmp, child("c", j))
		j.take(t, 3)
		crashChild(t, sys, sup, "c", errBoom)
		until(t, sub, "restarted c")
		require.Equal(t, []string{"stop:c", "stop:tmp", "stop:a", "start:a", "start:c"}, j.rest())
		kids := children(t, sys, sup)
		require.Len(t, kids, 2)
		require.NotContains(t, kids, "tmp")
	})
}

// A sibling that fails to start during a group restart makes OTP retry the
// restart, counted again: with intensity 1 the retry is one too many, with
// 2 the tree recovers.
func TestSiblingFailsDuringGroupRestart(t *testing.T) {
	tests := []struct {
		intensity int
		recovers  bool
	}{{1, false}, {2, true}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("intensity %d", tt.intensity), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				var starts atomic.Int32
				flaky := &worker{id: "b", j: j, initErr: func() error {
					if starts.Add(1) == 2 { // the first restart fails
						return errBoom
					}
					return nil
				}}
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: tt.intensity},
					child("a", j), supervisor.Child{ID: "b", Start: flaky.props()}, child("c", j))
				down := watch(t, sys, sup)
				j.take(t, 3)
				take(t, sub, 3)
				crashChild(t, sys, sup, "a", errBoom)
				want := []string{
					"exited a: boom", "exited c: shutdown", "exited b: shutdown",
					"restarted a", "restart failed b",
				}
				if !tt.recovers {
					want = append(want, "gave up on b: "+(&supervisor.RestartLimitExceeded{Intensity: 1, Period: 5 * time.Second}).Error())
					require.Equal(t, want, take(t, sub, len(want)))
					require.ErrorAs(t, exitReason(t, down), new(*supervisor.RestartLimitExceeded))
					require.Equal(t, []string{
						"stop:a", "stop:c", "stop:b", "start:a", "start:b", "stop:a",
					}, j.rest())
					return
				}
				want = append(want, "exited a: shutdown", "restarted a", "restarted b", "restarted c")
				require.Equal(t, want, take(t, sub, len(want)))
				require.Equal(t, []string{
					"stop:a", "stop:c", "stop:b", "start:a", "start:b", "stop:a", "start:a", "start:b", "start:c",
				}, j.rest())
				require.Len(t, children(t, sys, sup), 3)
			})
		})
	}
}

// More than Intensity restarts within Period give up; restarts spread wider
// than the window never do. Virtual time.
func TestIntensityWindow(t *testing.T) {
	s := time.Second
	tests := []struct {
		name    string
		crashes []time.Duration // offsets from the start
		gaveUp  int             // index of the crash that gives up, -1 for none
	}{
		{"three in the window", []time.Duration{0, s, 2 * s}, 2},
		{"spread over the window", []time.Duration{0, 5 * s, 10 * s, 15 * s, 20 * s, 25 * s}, -1},
		{"window slides", []time.Duration{0, s, 10 * s, 10*s + s/2}, 3},
		{"just inside the window", []time.Duration{0, 5 * s, 10*s - 1}, 2},
		{"bursts in separate windows", []time.Duration{0, 0, 10 * s, 10 * s, 20 * s, 20 * s}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Intensity: 2, Period: 10 * s}, child("w", nil))
				down := watch(t, sys, sup)
				take(t, sub, 1)
				start := time.Now()
				for i, at := range tt.crashes {
					advance(at - time.Since(start))
					crashChild(t, sys, sup, "w", errBoom)
					require.Equal(t, "exited w: boom", describe(next(t, sub)))
					got := describe(next(t, sub))
					if i == tt.gaveUp {
						require.Contains(t, got, "gave up on w", "crash %d at %v", i, at)
						require.ErrorAs(t, exitReason(t, down), new(*supervisor.RestartLimitExceeded))
						return
					}
					require.Equal(t, "restarted w", got, "crash %d at %v", i, at)
				}
				require.Equal(t, -1, tt.gaveUp)
			})
		})
	}
}

// Only real restarts count — not a transient child's clean exit, not
// TerminateChild, not RestartChild.
func TestOnlyRealRestartsCount(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		w := child("w", nil)
		w.Restart = supervisor.Transient
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 2, Period: time.Hour}, w)
		down := watch(t, sys, sup)
		ctx := tctx(t)
		take(t, sub, 1)

		crashChild(t, sys, sup, "w", errBoom) // restart 1
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
		crashChild(t, sys, sup, "w", actor.Normal) // clean: not restarted, not counted
		require.Equal(t, []string{"exited w: normal"}, take(t, sub, 1))
		_, err := supervisor.RestartChild(ctx, sys, sup, "w") // not counted
		require.NoError(t, err)
		require.NoError(t, supervisor.TerminateChild(ctx, sys, sup, "w")) // not counted
		_, err = supervisor.RestartChild(ctx, sys, sup, "w")
		require.NoError(t, err)
		require.Equal(t, []string{"started w", "exited w: shutdown", "started w"}, take(t, sub, 3))

		crashChild(t, sys, sup, "w", errBoom) // restart 2: still within intensity
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
		crashChild(t, sys, sup, "w", errBoom) // restart 3: one too many
		require.Equal(t, "exited w: boom", describe(next(t, sub)))
		require.Contains(t, describe(next(t, sub)), "gave up on w")
		require.ErrorAs(t, exitReason(t, down), new(*supervisor.RestartLimitExceeded))
	})
}

// OneForOne handles an exit without walking the siblings, so it works the
// same among thousands of them.
func TestOneForOneAmongManySiblings(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		const n = 5000
		kids := make([]supervisor.Child, n)
		for i := range kids {
			kids[i] = supervisor.Child{ID: fmt.Sprint(i), Start: actor.PropsOf(func() actor.Actor {
				return actor.Func(func(ctx actor.Context, msg any) {
					if c, ok := msg.(crash); ok {
						ctx.Stop(c.reason)
					}
				})
			})}
		}
		sub := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
		defer sub.Close()
		sup := spawn(t, sys, many, kids...)
		for _, id := range []string{"0", "2500", "4999"} {
			old := crashChild(t, sys, sup, id, errBoom)
			ev := next(t, sub).(supervisor.ChildRestarted)
			require.Equal(t, id, ev.ID)
			require.NotEqual(t, old, ev.PID)
		}
		n2, err := supervisor.CountChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: n, Active: n, Workers: n}, n2)
	})
}
