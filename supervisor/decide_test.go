package supervisor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// decideAlways returns a Decider that always decides d and reports every
// failure it is told about on seen.
func decideAlways(d supervisor.Decision, seen chan<- supervisor.Failure) supervisor.Decider {
	return func(f supervisor.Failure) supervisor.Decision {
		seen <- f
		return d
	}
}

// layout describes a supervisor's children in start order: "a b- c" when
// b is not running.
func layout(t *testing.T, sys *system.System, sup actor.PID) string {
	t.Helper()
	infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
	require.NoError(t, err)
	var out []string
	for _, in := range infos {
		id := in.ID
		if in.PID.IsZero() {
			id += "-"
		}
		out = append(out, id)
	}
	return strings.Join(out, " ")
}

// Each directive under each static strategy, child b of a, b, c failing:
// the events it causes, the children left, and the supervisor's exit
// reason when it gives up. The Decider sees the failure as it happened.
func TestDecisions(t *testing.T) {
	shut := actor.Shutdown.Error()
	stopsAll := []string{"exited c: " + shut, "exited a: " + shut}
	byStrategy := map[supervisor.Strategy][]string{
		supervisor.OneForOne:  {"restarted b"},
		supervisor.OneForAll:  {"exited c: " + shut, "exited a: " + shut, "restarted a", "restarted b", "restarted c"},
		supervisor.RestForOne: {"exited c: " + shut, "restarted b", "restarted c"},
	}
	tests := []struct {
		name     string
		decision supervisor.Decision
		panics   bool
		events   func(st supervisor.Strategy, sup actor.PID) []string // after "exited b: boom"
		layout   string                                               // "" when the supervisor gives up
		exit     func(t *testing.T, sup actor.PID, reason error)
	}{
		{
			name:     "restart",
			decision: supervisor.Decision{},
			events: func(st supervisor.Strategy, _ actor.PID) []string {
				return append([]string{"decided b restart"}, byStrategy[st]...)
			},
			layout: "a b c",
		},
		{
			name:     "restart alone",
			decision: supervisor.Decision{Directive: supervisor.RestartAlone, Reason: errOther},
			events: func(supervisor.Strategy, actor.PID) []string {
				return []string{"decided b restart_alone: other", "restarted b"}
			},
			layout: "a b c",
		},
		{
			name:     "stop",
			decision: supervisor.Decision{Directive: supervisor.Stop},
			events:   func(supervisor.Strategy, actor.PID) []string { return []string{"decided b stop"} },
			layout:   "a b- c",
		},
		{
			name:     "delete",
			decision: supervisor.Decision{Directive: supervisor.Delete},
			events:   func(supervisor.Strategy, actor.PID) []string { return []string{"decided b delete"} },
			layout:   "a c",
		},
		{
			name:     "give up with a reason",
			decision: supervisor.Decision{Directive: supervisor.GiveUp, Reason: errOther},
			events: func(supervisor.Strategy, actor.PID) []string {
				return append([]string{"decided b give_up: other", "gave up on b: other"}, stopsAll...)
			},
			exit: func(t *testing.T, _ actor.PID, reason error) { require.Equal(t, errOther, reason) },
		},
		{
			name:     "give up with the child's reason",
			decision: supervisor.Decision{Directive: supervisor.GiveUp},
			events: func(supervisor.Strategy, actor.PID) []string {
				return append([]string{"decided b give_up: boom", "gave up on b: boom"}, stopsAll...)
			},
			exit: func(t *testing.T, _ actor.PID, reason error) { require.Equal(t, errBoom, reason) },
		},
		{
			name:     "invalid directive",
			decision: supervisor.Decision{Directive: supervisor.Directive(42)},
			events: func(supervisor.Strategy, actor.PID) []string {
				why := supervisor.ErrInvalidDirective.Error() + ": Directive(42)"
				return append([]string{"decided b give_up: " + why, "gave up on b: " + why}, stopsAll...)
			},
			exit: func(t *testing.T, _ actor.PID, reason error) {
				require.ErrorIs(t, reason, supervisor.ErrInvalidDirective)
			},
		},
		{
			name:   "panicking hook",
			panics: true,
			events: func(_ supervisor.Strategy, sup actor.PID) []string {
				why := fmt.Sprintf("panic in %v: hook", sup)
				return append([]string{"decided b give_up: " + why, "gave up on b: " + why}, stopsAll...)
			},
			exit: func(t *testing.T, sup actor.PID, reason error) {
				var pe *actor.PanicError
				require.ErrorAs(t, reason, &pe)
				require.Equal(t, "hook", pe.Value)
				require.Equal(t, sup, pe.PID, "the panic happened in the supervisor")
				require.NotEmpty(t, pe.Stack())
			},
		},
	}
	for _, st := range []supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v/%s", st, tt.name), func(t *testing.T) {
				bubble(t, func(t *testing.T, sys *system.System) {
					seen := make(chan supervisor.Failure, 16)
					decide := decideAlways(tt.decision, seen)
					if tt.panics {
						decide = func(f supervisor.Failure) supervisor.Decision { seen <- f; panic("hook") }
					}
					sub := events(sys)
					defer sub.Close()
					sup := spawn(t, sys, supervisor.Spec{Strategy: st, Intensity: 5, Decide: decide},
						child("a", nil), child("b", nil), child("c", nil))
					take(t, sub, 3)
					down := watch(t, sys, sup)

					b := crashChild(t, sys, sup, "b", errBoom)
					want := append([]string{"exited b: boom"}, tt.events(st, sup)...)
					require.Equal(t, want, take(t, sub, len(want)))
					noEvents(t, sub)
					require.Equal(t, supervisor.Failure{ID: "b", PID: b, Reason: errBoom, Restarts: 0}, <-seen)
					if tt.exit != nil {
						tt.exit(t, sup, exitReason(t, down))
						return
					}
					require.Equal(t, tt.layout, layout(t, sys, sup))
				})
			})
		}
	}
}

// Under SimpleOneForOne a child has no spec of its own: Stop forgets it as
// Delete does, and RestartAlone is Restart.
func TestDecisionsDynamic(t *testing.T) {
	tests := []struct {
		directive supervisor.Directive
		events    []string
		left      int
	}{
		{supervisor.Restart, []string{"decided w restart", "restarted w"}, 2},
		{supervisor.RestartAlone, []string{"decided w restart_alone", "restarted w"}, 2},
		{supervisor.Stop, []string{"decided w stop"}, 1},
		{supervisor.Delete, []string{"decided w delete"}, 1},
		{supervisor.GiveUp, []string{"decided w give_up: boom", "gave up on w: boom", "exited w: " + actor.Shutdown.Error()}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.directive.String(), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				seen := make(chan supervisor.Failure, 16)
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne,
					Decide: decideAlways(supervisor.Decision{Directive: tt.directive}, seen)}, child("w", nil))
				_, err := supervisor.StartChildWith(tctx(t), sys, sup)
				require.NoError(t, err)
				w, err := supervisor.StartChildWith(tctx(t), sys, sup)
				require.NoError(t, err)
				take(t, sub, 2)
				down := watch(t, sys, sup)

				require.NoError(t, sys.Send(w, crash{errBoom}))
				want := append([]string{"exited w: boom"}, tt.events...)
				require.Equal(t, want, take(t, sub, len(want)))
				noEvents(t, sub)
				require.Equal(t, supervisor.Failure{ID: "w", PID: w, Reason: errBoom}, <-seen)
				if tt.left == 0 {
					require.Equal(t, errBoom, exitReason(t, down))
					return
				}
				n, err := supervisor.CountChildren(tctx(t), sys, sup)
				require.NoError(t, err)
				require.Equal(t, tt.left, n.Active)
			})
		})
	}
}

// The Decider is told the child's restarts so far; its restarts count
// toward the intensity, beyond which the escalation decides as without a
// Decider.
func TestDecidedRestartsCount(t *testing.T) {
	for _, directive := range []supervisor.Directive{supervisor.Restart, supervisor.RestartAlone} {
		t.Run(directive.String(), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				seen := make(chan supervisor.Failure, 16)
				sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: 2, Period: time.Minute,
					Decide: decideAlways(supervisor.Decision{Directive: directive}, seen)},
					child("a", nil), child("b", nil))
				down := watch(t, sys, sup)
				for i := range 3 {
					crashChild(t, sys, sup, "b", errBoom)
					require.Equal(t, i, (<-seen).Restarts)
					if i < 2 {
						_ = children(t, sys, sup) // the restart is done once the supervisor answers
					}
				}
				var limit *supervisor.RestartLimitExceeded
				require.ErrorAs(t, exitReason(t, down), &limit)
				require.Equal(t, 2, limit.Intensity)
			})
		})
	}
}

// Beyond the intensity a Backoff delays a RestartAlone, and the delayed
// restart still leaves the siblings running.
func TestRestartAloneUnderBackoff(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: supervisor.NoRestarts,
			Escalation: supervisor.Backoff{Base: time.Second, Max: time.Second},
			Decide:     decideAlways(supervisor.Decision{Directive: supervisor.RestartAlone}, make(chan supervisor.Failure, 4))},
			child("a", nil), child("b", nil), child("c", nil))
		take(t, sub, 3)
		before := children(t, sys, sup)
		crashChild(t, sys, sup, "b", errBoom)
		require.Equal(t, []string{"exited b: boom", "decided b restart_alone", "delayed b 1s"}, take(t, sub, 3))
		require.Equal(t, "a b- c", layout(t, sys, sup))
		advance(time.Second)
		require.Equal(t, []string{"restarted b"}, take(t, sub, 1))
		noEvents(t, sub)
		after := children(t, sys, sup)
		require.Equal(t, before["a"], after["a"])
		require.Equal(t, before["c"], after["c"])
	})
}

// The Decider is asked only about exits the restart type would restart.
func TestDeciderNotAskedWithoutRestart(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		seen := make(chan supervisor.Failure, 16)
		temp, trans, perm := child("temp", nil), child("trans", nil), child("perm", nil)
		temp.Restart, trans.Restart = supervisor.Temporary, supervisor.Transient
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 5,
			Decide: decideAlways(supervisor.Decision{}, seen)}, temp, trans, perm)
		take(t, sub, 3)
		crashChild(t, sys, sup, "temp", errBoom)
		crashChild(t, sys, sup, "trans", actor.Normal)
		require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, "perm"))
		take(t, sub, 3)
		noEvents(t, sub)
		require.Empty(t, seen)
	})
}

// A significant child the Decider stops (or deletes) ends the supervisor
// under AutoShutdown, as a significant child not restarted does.
func TestDecidedStopOfSignificantChild(t *testing.T) {
	for _, directive := range []supervisor.Directive{supervisor.Stop, supervisor.Delete} {
		t.Run(directive.String(), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				sig := child("sig", nil)
				sig.Restart, sig.Significant = supervisor.Transient, true
				sup := spawn(t, sys, supervisor.Spec{AutoShutdown: supervisor.AnySignificant,
					Decide: decideAlways(supervisor.Decision{Directive: directive}, make(chan supervisor.Failure, 4))},
					child("other", nil), sig)
				down := watch(t, sys, sup)
				crashChild(t, sys, sup, "sig", errBoom)
				require.Equal(t, actor.Shutdown, exitReason(t, down))
			})
		})
	}
}

// A decision describes itself and is logged at its directive's level with
// the decision and both reasons.
func TestDecidedEvent(t *testing.T) {
	tests := []struct {
		ev   fmt.Stringer
		want string
	}{
		{supervisor.Decided{ID: "w", Exit: errBoom, Decision: supervisor.Decision{Directive: supervisor.Stop, Reason: errOther}},
			`supervisor <0.0>: child "w" (<0.0>) exited: boom: decided stop: other`},
		{supervisor.Decided{ID: "w", Exit: errBoom},
			`supervisor <0.0>: child "w" (<0.0>) exited: boom: decided restart`},
		{supervisor.GaveUp{ID: "w", Reason: errOther, Decided: true},
			`supervisor <0.0>: decided to give up after child "w" exited: other`},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.ev.String())
	}

	var buf syncBuffer
	bubble(t, func(t *testing.T, sys *system.System) {
		levels := map[string]supervisor.Directive{"a": supervisor.RestartAlone, "s": supervisor.Stop, "g": supervisor.GiveUp}
		sup := spawn(t, sys, supervisor.Spec{Intensity: 5, Decide: func(f supervisor.Failure) supervisor.Decision {
			return supervisor.Decision{Directive: levels[f.ID], Reason: errOther}
		}}, child("a", nil), child("s", nil), child("g", nil))
		down := watch(t, sys, sup)
		sub := events(sys)
		defer sub.Close()
		// One at a time: exits of different children reach the supervisor
		// in no set order, and g's ends it.
		crashChild(t, sys, sup, "a", errBoom)
		until(t, sub, "decided a restart_alone: other")
		crashChild(t, sys, sup, "s", errBoom)
		until(t, sub, "decided s stop: other")
		crashChild(t, sys, sup, "g", errBoom)
		exitReason(t, down)
	}, system.WithLogger(zerolog.New(&buf).Level(zerolog.DebugLevel)))
	got := map[string]map[string]any{}
	for _, l := range buf.lines(t) {
		if l["message"] == "decided about a child's exit" || l["message"] == "decided to give up" {
			got[fmt.Sprint(l["message"], "/", l["child"])] = l
		}
	}
	for key, want := range map[string][2]string{
		"decided about a child's exit/a": {"info", "restart_alone"},
		"decided about a child's exit/s": {"warn", "stop"},
		"decided about a child's exit/g": {"error", "give_up"},
	} {
		l := got[key]
		require.NotNil(t, l, key)
		require.Equal(t, want[0], l["level"], key)
		require.Equal(t, want[1], l["decision"], key)
		require.Equal(t, "boom", l["reason"], key)
		require.Equal(t, "other", l["decision_reason"], key)
	}
	require.Equal(t, "error", got["decided to give up/g"]["level"])
	require.Equal(t, "other", got["decided to give up/g"]["reason"])
}
