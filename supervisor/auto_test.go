package supervisor_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// With AnySignificant the supervisor stops when a significant child exits
// without being restarted; with AllSignificant when the last one does;
// TerminateChild and bystander stops never trigger it.
func TestAutoShutdown(t *testing.T) {
	type action struct {
		child     string
		reason    error // crash the child with reason; nil: TerminateChild
		lastEvent string
	}
	tests := []struct {
		name     string
		auto     supervisor.AutoShutdown
		strategy supervisor.Strategy
		actions  []action
		stops    bool
	}{
		{"any: significant exits normally", supervisor.AnySignificant, supervisor.OneForOne,
			[]action{{"s1", actor.Normal, "exited s1: normal"}}, true},
		{"any: significant temporary crashes", supervisor.AnySignificant, supervisor.OneForOne,
			[]action{{"t", errBoom, "exited t: boom"}}, true},
		{"any: significant restarted after a crash", supervisor.AnySignificant, supervisor.OneForOne,
			[]action{{"s1", errBoom, "restarted s1"}}, false},
		{"any: terminate-child", supervisor.AnySignificant, supervisor.OneForOne,
			[]action{{"s1", nil, "exited s1: shutdown"}}, false},
		{"any: bystander stop", supervisor.AnySignificant, supervisor.OneForAll,
			[]action{{"a", errBoom, "restarted s2"}}, false},
		{"all: one of three exits", supervisor.AllSignificant, supervisor.OneForOne,
			[]action{{"s1", actor.Normal, "exited s1: normal"}}, false},
		{"all: the last one exits", supervisor.AllSignificant, supervisor.OneForOne,
			[]action{{"s1", actor.Normal, "exited s1: normal"}, {"t", errBoom, "exited t: boom"}, {"s2", actor.Shutdown, "exited s2: shutdown"}}, true},
		{"all: the others were terminated", supervisor.AllSignificant, supervisor.OneForOne,
			[]action{{"s1", nil, "exited s1: shutdown"}, {"t", nil, "exited t: shutdown"}, {"s2", actor.Normal, "exited s2: normal"}}, true},
		{"all: terminate-child of the last", supervisor.AllSignificant, supervisor.OneForOne,
			[]action{{"s1", actor.Normal, "exited s1: normal"}, {"t", errBoom, "exited t: boom"}, {"s2", nil, "exited s2: shutdown"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				sig := func(id string, r supervisor.RestartType) supervisor.Child {
					c := child(id, j)
					c.Significant, c.Restart = true, r
					return c
				}
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Strategy: tt.strategy, AutoShutdown: tt.auto, Intensity: 10},
					child("a", j), sig("s1", supervisor.Transient), sig("s2", supervisor.Transient), sig("t", supervisor.Temporary))
				down := watch(t, sys, sup)
				take(t, sub, 4)
				for _, a := range tt.actions {
					if a.reason == nil {
						require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, a.child))
					} else {
						crashChild(t, sys, sup, a.child, a.reason)
					}
					until(t, sub, a.lastEvent)
				}
				if !tt.stops {
					noEvents(t, sub)
					require.True(t, sys.Alive(sup))
					return
				}
				require.Equal(t, actor.Shutdown, exitReason(t, down))
				synctest.Wait()
				require.Zero(t, sys.Processes(), "the children were stopped")
			})
		})
	}
}
