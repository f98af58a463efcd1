package supervisor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// reconfigure changes sup and fails the test on error.
func reconfigure(t *testing.T, sys *system.System, sup actor.PID, changes ...supervisor.Change) {
	t.Helper()
	require.NoError(t, supervisor.Reconfigure(tctx(t), sys, sup, changes...))
}

// A OneForOne supervisor becomes OneForAll in the middle of a storm: the
// next failure restarts the whole group, and the restarts made before the
// change still count.
func TestReconfigureStrategyMidStorm(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		shut := actor.Shutdown.Error()
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 3, Period: time.Minute},
			child("a", nil), child("b", nil), child("c", nil))
		take(t, sub, 3)
		down := watch(t, sys, sup)
		for range 2 {
			crashChild(t, sys, sup, "b", errBoom)
			require.Equal(t, []string{"exited b: boom", "restarted b"}, take(t, sub, 2))
		}
		reconfigure(t, sys, sup, supervisor.WithStrategy(supervisor.OneForAll))
		require.IsType(t, supervisor.Reconfigured{}, next(t, sub))

		crashChild(t, sys, sup, "b", errBoom)
		require.Equal(t, []string{"exited b: boom", "exited c: " + shut, "exited a: " + shut,
			"restarted a", "restarted b", "restarted c"}, take(t, sub, 6))

		crashChild(t, sys, sup, "b", errBoom)
		var limit *supervisor.RestartLimitExceeded
		require.ErrorAs(t, exitReason(t, down), &limit, "the fourth restart in the window is one too many")
		require.Equal(t, 3, limit.Intensity)
	})
}

// An intensity lowered below the restarts already in the window makes the
// next failure give up, with the new limit as the reason.
func TestReconfigureIntensityBelowHistory(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 5, Period: time.Minute}, child("w", nil))
		take(t, sub, 1)
		down := watch(t, sys, sup)
		for range 3 {
			crashChild(t, sys, sup, "w", errBoom)
			take(t, sub, 2)
		}
		reconfigure(t, sys, sup, supervisor.WithIntensity(2))
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, &supervisor.RestartLimitExceeded{Intensity: 2, Period: time.Minute}, exitReason(t, down))
	})
}

// A period shortened past the restarts in the window forgets them; one
// lengthened remembers them longer.
func TestReconfigurePeriodJudgesHistory(t *testing.T) {
	for _, tt := range []struct {
		name    string
		period  time.Duration
		givesUp bool
	}{
		{"shortened", 5 * time.Second, false},
		{"lengthened", time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Intensity: 2, Period: time.Minute}, child("w", nil))
				take(t, sub, 1)
				down := watch(t, sys, sup)
				for range 2 {
					crashChild(t, sys, sup, "w", errBoom)
					take(t, sub, 2)
				}
				advance(10 * time.Second)
				reconfigure(t, sys, sup, supervisor.WithPeriod(tt.period))
				require.IsType(t, supervisor.Reconfigured{}, next(t, sub))
				crashChild(t, sys, sup, "w", errBoom)
				if tt.givesUp {
					require.Equal(t, &supervisor.RestartLimitExceeded{Intensity: 2, Period: tt.period}, exitReason(t, down))
					return
				}
				require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
				// The window is now 5s: after 3s the restart just made is
				// still in it, the two before the change are gone.
				advance(3 * time.Second)
				crashChild(t, sys, sup, "w", errBoom)
				require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
				crashChild(t, sys, sup, "w", errBoom)
				require.Equal(t, &supervisor.RestartLimitExceeded{Intensity: 2, Period: tt.period}, exitReason(t, down))
			})
		})
	}
}

// Invalid changes are refused with the errors New gives, and change
// nothing: not the Spec, not the behaviour, not even the valid changes
// given with them.
func TestReconfigureRefusesInvalidChanges(t *testing.T) {
	base := supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 1, Period: time.Minute}
	with := func(f func(*supervisor.Spec)) *supervisor.Spec { s := base; f(&s); return &s }
	tests := []struct {
		name    string
		dynamic bool
		changes []supervisor.Change
		want    error
		asNew   *supervisor.Spec // the Spec that New refuses with the same error
	}{
		{"strategy out of range", false, []supervisor.Change{supervisor.WithStrategy(9)}, supervisor.ErrInvalidStrategy,
			with(func(s *supervisor.Spec) { s.Strategy = 9 })},
		{"negative intensity", false, []supervisor.Change{supervisor.WithIntensity(-5)}, supervisor.ErrInvalidIntensity,
			with(func(s *supervisor.Spec) { s.Intensity = -5 })},
		{"negative period", false, []supervisor.Change{supervisor.WithPeriod(-time.Second)}, supervisor.ErrInvalidPeriod,
			with(func(s *supervisor.Spec) { s.Period = -time.Second })},
		{"zero backoff", false, []supervisor.Change{supervisor.WithEscalation(supervisor.Backoff{})}, supervisor.ErrInvalidBackoff,
			with(func(s *supervisor.Spec) { s.Escalation = supervisor.Backoff{} })},
		{"backoff max below base", false,
			[]supervisor.Change{supervisor.WithEscalation(supervisor.Backoff{Base: time.Second, Max: time.Millisecond})}, supervisor.ErrInvalidBackoff,
			with(func(s *supervisor.Spec) { s.Escalation = supervisor.Backoff{Base: time.Second, Max: time.Millisecond} })},
		{"valid and invalid together", false,
			[]supervisor.Change{supervisor.WithStrategy(supervisor.OneForAll), supervisor.WithIntensity(5), supervisor.WithPeriod(-1)},
			supervisor.ErrInvalidPeriod,
			with(func(s *supervisor.Spec) { s.Strategy, s.Intensity, s.Period = supervisor.OneForAll, 5, -1 })},
		{"static to dynamic", false, []supervisor.Change{supervisor.WithStrategy(supervisor.SimpleOneForOne)}, supervisor.ErrDynamicStrategy, nil},
		{"dynamic to static", true, []supervisor.Change{supervisor.WithStrategy(supervisor.OneForOne)}, supervisor.ErrDynamicStrategy, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				spec := base
				kids := []supervisor.Child{child("a", nil), child("b", nil)}
				if tt.dynamic {
					spec.Strategy, kids = supervisor.SimpleOneForOne, kids[:1]
				}
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, spec, kids...)
				before, err := supervisor.CurrentSpec(tctx(t), sys, sup)
				require.NoError(t, err)

				err = supervisor.Reconfigure(tctx(t), sys, sup, tt.changes...)
				require.ErrorIs(t, err, tt.want)
				if tt.asNew != nil {
					_, newErr := sys.Spawn(supervisor.New(*tt.asNew, kids...))
					require.EqualError(t, err, newErr.Error(), "the error New gives")
				}
				after, err := supervisor.CurrentSpec(tctx(t), sys, sup)
				require.NoError(t, err)
				require.Equal(t, before, after)
				if tt.dynamic {
					noEvents(t, sub)
					return
				}
				// Still OneForOne with one restart in a minute.
				require.Equal(t, []string{"started a", "started b"}, take(t, sub, 2))
				down := watch(t, sys, sup)
				crashChild(t, sys, sup, "b", errBoom)
				require.Equal(t, []string{"exited b: boom", "restarted b"}, take(t, sub, 2))
				crashChild(t, sys, sup, "b", errBoom)
				require.Equal(t, &supervisor.RestartLimitExceeded{Intensity: 1, Period: time.Minute}, exitReason(t, down))
			})
		})
	}
}

// CurrentSpec reports the Spec in effect with its defaults filled in, and
// each change is a Reconfigured event carrying the new one.
func TestCurrentSpecAndReconfiguredEvent(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{}, child("w", nil))
		take(t, sub, 1)
		spec, err := supervisor.CurrentSpec(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: supervisor.DefaultIntensity,
			Period: supervisor.DefaultPeriod, Escalation: supervisor.Escalate}, spec)

		b := supervisor.Backoff{Base: time.Second, Max: 4 * time.Second}
		reconfigure(t, sys, sup, supervisor.WithStrategy(supervisor.RestForOne), supervisor.WithIntensity(supervisor.NoRestarts),
			supervisor.WithPeriod(time.Minute), supervisor.WithEscalation(b), supervisor.Change{})
		want := supervisor.Spec{Strategy: supervisor.RestForOne, Intensity: supervisor.NoRestarts, Period: time.Minute, Escalation: b}
		require.Equal(t, supervisor.Reconfigured{Supervisor: sup, Spec: want}, next(t, sub))
		spec, err = supervisor.CurrentSpec(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, want, spec)
		require.Equal(t, fmt.Sprintf("supervisor %v: reconfigured: rest_for_one, 0 restart(s) in 1m0s, backoff(base 1s, max 4s, jitter 0)", sup),
			supervisor.Reconfigured{Supervisor: sup, Spec: want}.String())

		// Changes stack on the current Spec; zero values mean the defaults.
		reconfigure(t, sys, sup, supervisor.WithIntensity(0), supervisor.WithEscalation(nil))
		spec, err = supervisor.CurrentSpec(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Spec{Strategy: supervisor.RestForOne, Intensity: supervisor.DefaultIntensity,
			Period: time.Minute, Escalation: supervisor.Escalate}, spec)
	})
}

// The Decider can be set and removed on a running supervisor.
func TestReconfigureDecider(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 5}, child("w", nil))
		take(t, sub, 1)
		reconfigure(t, sys, sup, supervisor.WithDecider(decideAlways(supervisor.Decision{Directive: supervisor.Stop}, make(chan supervisor.Failure, 4))))
		require.IsType(t, supervisor.Reconfigured{}, next(t, sub))
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "decided w stop"}, take(t, sub, 2))

		_, err := supervisor.RestartChild(tctx(t), sys, sup, "w")
		require.NoError(t, err)
		reconfigure(t, sys, sup, supervisor.WithDecider(nil))
		require.Equal(t, []string{"started w", "supervisor.Reconfigured"}, take(t, sub, 2))
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
	})
}

// Escalate becomes Backoff in the middle of a storm: the failure that would
// have been one too many is delayed instead.
func TestReconfigureEscalation(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: time.Minute}, child("w", nil))
		take(t, sub, 1)
		crashChild(t, sys, sup, "w", errBoom)
		take(t, sub, 2)
		reconfigure(t, sys, sup, supervisor.WithEscalation(supervisor.Backoff{Base: time.Second, Max: time.Second}))
		take(t, sub, 1)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "delayed w 1s"}, take(t, sub, 2))
		advance(time.Second)
		require.Equal(t, []string{"restarted w"}, take(t, sub, 1))
	})
}

// A group restart pending when the strategy changes still restarts its
// whole group: no child is left restarting with no restart to come.
func TestReconfigureDuringPendingGroupRestart(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: supervisor.NoRestarts,
			Escalation: supervisor.Backoff{Base: time.Second, Max: time.Second}},
			child("a", nil), child("b", nil), child("c", nil))
		take(t, sub, 3)
		crashChild(t, sys, sup, "b", errBoom)
		until(t, sub, "delayed b 1s")
		reconfigure(t, sys, sup, supervisor.WithStrategy(supervisor.OneForOne))
		take(t, sub, 1)
		advance(time.Second)
		require.Equal(t, []string{"restarted a", "restarted b", "restarted c"}, take(t, sub, 3))
		require.Equal(t, "a b c", layout(t, sys, sup))
	})
}

// A change lasts as long as the process: a supervisor restarted by its
// parent starts from the Spec its factory gives.
func TestReconfigureLastsAsLongAsTheProcess(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		inner := supervisor.Child{ID: "inner", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{Intensity: 3}, child("w", nil))
		})}
		root := spawn(t, sys, supervisor.Spec{}, inner)
		first := children(t, sys, root)["inner"]
		reconfigure(t, sys, first, supervisor.WithStrategy(supervisor.OneForAll), supervisor.WithIntensity(7))
		spec, err := supervisor.CurrentSpec(tctx(t), sys, first)
		require.NoError(t, err)
		require.Equal(t, 7, spec.Intensity)

		gone := watch(t, sys, first)
		require.NoError(t, sys.Kill(first))
		exitReason(t, gone)
		var second actor.PID
		for second.IsZero() || second == first {
			second = children(t, sys, root)["inner"]
		}
		spec, err = supervisor.CurrentSpec(tctx(t), sys, second)
		require.NoError(t, err)
		require.Equal(t, supervisor.OneForOne, spec.Strategy)
		require.Equal(t, 3, spec.Intensity)
	})
}
