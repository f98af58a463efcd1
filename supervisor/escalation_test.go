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

// The intensity rule is a pure function of the history and now; no clock is
// needed to test it.
func TestIntensityPolicy(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s := time.Second
	tests := []struct {
		name      string
		intensity int
		period    time.Duration
		at        []time.Duration
		want      []bool
	}{
		{"no restarts allowed", 0, 5 * s, []time.Duration{0, 10 * s}, []bool{false, false}},
		{"one in five seconds", 1, 5 * s, []time.Duration{0, 4 * s, 5 * s, 9 * s, 10 * s}, []bool{true, false, true, false, true}},
		{"three in a minute", 3, time.Minute, []time.Duration{0, s, 2 * s, 3 * s, 60 * s, 61 * s, 62 * s, 63 * s}, []bool{true, true, true, false, true, true, true, false}},
		{"refusals are not recorded", 1, 5 * s, []time.Duration{0, s, 2 * s, 3 * s, 4 * s, 5 * s}, []bool{true, false, false, false, false, true}},
		{"same instant", 2, s, []time.Duration{0, 0, 0}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h supervisor.History
			for i, at := range tt.at {
				got := h.Admit(t0.Add(at), tt.intensity, tt.period)
				require.Equal(t, tt.want[i], got, "restart %d at %v", i, at)
				require.LessOrEqual(t, h.Len(), tt.intensity)
			}
		})
	}
}

// The history is pruned, so after a million restarts it holds no more than
// the intensity (and a restart costs the same).
func TestHistoryIsBounded(t *testing.T) {
	t0 := time.Now()
	var h supervisor.History
	for i := range 1_000_000 {
		now := t0.Add(time.Duration(i) * time.Millisecond)
		if i%2 == 0 {
			h.Admit(now, 10, 50*time.Millisecond)
		} else {
			h.Record(now, 10, 50*time.Millisecond)
		}
		if h.Len() > 10 {
			require.FailNow(t, "history grew", "%d entries after %d restarts", h.Len(), i+1)
		}
	}
	require.LessOrEqual(t, h.Cap(), 16)
}

// Backoff doubles the delay from Base up to Max, truly exponential, plus a
// jitter of up to Jitter×delay.
func TestBackoffDelayPolicy(t *testing.T) {
	ms := time.Millisecond
	b := supervisor.Backoff{Base: 10 * ms, Max: 500 * ms}
	tests := []struct {
		b       supervisor.Backoff
		attempt int
		rnd     float64
		want    time.Duration
	}{
		{b, 0, 0, 10 * ms},
		{b, 1, 0, 20 * ms},
		{b, 2, 0, 40 * ms},
		{b, 5, 0, 320 * ms},
		{b, 6, 0, 500 * ms},
		{b, 100, 0, 500 * ms},
		{supervisor.Backoff{Base: 10 * ms, Max: 500 * ms, Jitter: 0.5}, 1, 0.5, 25 * ms},
		{supervisor.Backoff{Base: 10 * ms, Max: 500 * ms, Jitter: 1}, 100, 0.999, 999*ms + 500*time.Microsecond},
		{supervisor.Backoff{Base: 1, Max: 1<<63 - 1}, 62, 0, 1 << 62},
		{supervisor.Backoff{Base: 1, Max: 1<<63 - 1, Jitter: 1}, 70, 0.99, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v attempt %d", tt.b, tt.attempt), func(t *testing.T) {
			require.Equal(t, tt.want, supervisor.BackoffDelay(tt.b, tt.attempt, tt.rnd))
		})
	}
}

// Escalate and Terminate stop the children in reverse order and exit, with
// *RestartLimitExceeded or Shutdown.
func TestGiveUp(t *testing.T) {
	tests := []struct {
		escalation supervisor.Escalation
		check      func(t *testing.T, reason error)
	}{
		{nil, func(t *testing.T, reason error) {
			var rle *supervisor.RestartLimitExceeded
			require.ErrorAs(t, reason, &rle)
			require.Equal(t, supervisor.RestartLimitExceeded{Intensity: 1, Period: time.Minute}, *rle)
		}},
		{supervisor.Escalate, func(t *testing.T, reason error) {
			require.ErrorAs(t, reason, new(*supervisor.RestartLimitExceeded))
		}},
		{supervisor.Terminate, func(t *testing.T, reason error) {
			require.Equal(t, actor.Shutdown, reason)
		}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.escalation), func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				sub := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.GaveUp); return ok })
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{Period: time.Minute, Escalation: tt.escalation},
					child("a", j), child("b", j), child("c", j))
				down := watch(t, sys, sup)
				crashChild(t, sys, sup, "b", errBoom)
				require.Equal(t, []string{"start:a", "start:b", "start:c", "stop:b", "start:b"}, j.take(t, 5))
				crashChild(t, sys, sup, "b", errBoom)
				reason := exitReason(t, down)
				tt.check(t, reason)
				ev := next(t, sub).(supervisor.GaveUp)
				require.Equal(t, supervisor.GaveUp{Supervisor: sup, ID: "b", Reason: reason}, ev)
				require.Equal(t, []string{"stop:b", "stop:c", "stop:a"}, j.rest())
				require.Zero(t, sys.Processes())
			})
		})
	}
}

// Backoff never gives up; it delays restarts from Base, doubling to Max,
// and starts again from Base after a quiet Period. All on the virtual
// clock.
func TestBackoff(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		s := time.Second
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: 10 * s,
			Escalation: supervisor.Backoff{Base: s, Max: 8 * s}}, child("w", nil))
		take(t, sub, 1)
		start := time.Now()

		crashChild(t, sys, sup, "w", errBoom) // within the intensity: at once
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))

		// Crashing at once after each restart: 1s, 2s, 4s, 8s, 8s.
		at := time.Duration(0)
		for i, d := range []time.Duration{s, 2 * s, 4 * s, 8 * s, 8 * s} {
			crashChild(t, sys, sup, "w", errBoom)
			require.Equal(t, "exited w: boom", describe(next(t, sub)))
			ev := next(t, sub).(supervisor.RestartDelayed)
			require.Equal(t, supervisor.RestartDelayed{Supervisor: sup, ID: "w", Delay: d, Attempt: i + 1}, ev)
			info, err := supervisor.WhichChildren(tctx(t), sys, sup)
			require.NoError(t, err)
			require.Equal(t, []supervisor.ChildInfo{{ID: "w", Restarting: true}}, info)
			require.Equal(t, "restarted w", describe(next(t, sub)))
			at += d
			require.Equal(t, at, time.Since(start), "restart %d", i)
		}

		// A quiet period: the next crash is within the intensity again, and
		// the one after it is delayed by Base once more.
		advance(10 * s)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "delayed w 1s", "restarted w"}, take(t, sub, 3))

		// Not quiet long enough: the delay keeps doubling.
		advance(5 * s)
		crashChild(t, sys, sup, "w", errBoom)
		require.Equal(t, []string{"exited w: boom", "delayed w 2s", "restarted w"}, take(t, sub, 3))
		require.True(t, sys.Alive(sup), "Backoff never gives up")
	})
}

// Jitter adds up to Jitter×delay, and the restart comes exactly when the
// event says.
func TestBackoffJitter(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		s := time.Second
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Intensity: supervisor.NoRestarts, Period: time.Hour,
			Escalation: supervisor.Backoff{Base: s, Max: time.Hour, Jitter: 0.5}}, child("w", nil))
		take(t, sub, 1)
		for i := range 6 {
			crashChild(t, sys, sup, "w", errBoom)
			require.Equal(t, "exited w: boom", describe(next(t, sub)))
			ev := next(t, sub).(supervisor.RestartDelayed)
			base := s << i
			require.GreaterOrEqual(t, ev.Delay, base)
			require.Less(t, ev.Delay, base+base/2)
			start := time.Now()
			require.Equal(t, "restarted w", describe(next(t, sub)))
			require.Equal(t, ev.Delay, time.Since(start))
		}
	})
}

// Under Backoff a group restart stops the whole group at once and restarts
// it after the delay; meanwhile WhichChildren reports the group as
// restarting.
func TestBackoffGroup(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.RestForOne, Intensity: supervisor.NoRestarts,
			Escalation: supervisor.Backoff{Base: time.Minute, Max: time.Minute}},
			child("a", j), child("b", j), child("c", j), child("d", j))
		j.take(t, 4)
		before := children(t, sys, sup)
		crashChild(t, sys, sup, "b", errBoom)
		until(t, sub, "delayed b 1m0s")
		require.Equal(t, []string{"stop:b", "stop:d", "stop:c"}, j.rest())
		info, err := supervisor.WhichChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, []supervisor.ChildInfo{
			{ID: "a", PID: before["a"]}, {ID: "b", Restarting: true},
			{ID: "c", Restarting: true}, {ID: "d", Restarting: true},
		}, info)
		n, err := supervisor.CountChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: 4, Active: 1, Workers: 4}, n)
		require.ErrorIs(t, supervisor.DeleteChild(tctx(t), sys, sup, "c"), supervisor.ErrRestarting)
		advance(time.Minute)
		require.Equal(t, []string{"restarted b", "restarted c", "restarted d"}, take(t, sub, 3))
		require.Equal(t, []string{"start:b", "start:c", "start:d"}, j.rest())
		after := children(t, sys, sup)
		require.Equal(t, before["a"], after["a"])
	})
}

// During a Backoff delay, TerminateChild cancels a OneForOne child's
// pending restart, and RestartChild refuses to do it early (ErrRestarting).
func TestPendingRestartAndTheDynamicAPI(t *testing.T) {
	spec := func(s supervisor.Strategy) supervisor.Spec {
		return supervisor.Spec{Strategy: s, Intensity: supervisor.NoRestarts,
			Escalation: supervisor.Backoff{Base: time.Minute, Max: time.Minute}}
	}
	t.Run("terminate cancels", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			sub := events(sys)
			defer sub.Close()
			sup := spawn(t, sys, spec(supervisor.OneForOne), child("a", nil), child("b", nil))
			take(t, sub, 2)
			crashChild(t, sys, sup, "b", errBoom)
			until(t, sub, "delayed b 1m0s")
			require.NoError(t, supervisor.TerminateChild(tctx(t), sys, sup, "b"))
			advance(time.Hour)
			noEvents(t, sub)
			info, err := supervisor.WhichChildren(tctx(t), sys, sup)
			require.NoError(t, err)
			require.Equal(t, supervisor.ChildInfo{ID: "b"}, info[1], "stopped, not restarting")
		})
	})
	t.Run("restart leaves it pending", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			j := newJournal()
			sub := events(sys)
			defer sub.Close()
			sup := spawn(t, sys, spec(supervisor.RestForOne), child("a", j), child("b", j), child("c", j))
			j.take(t, 3)
			take(t, sub, 3)
			crashChild(t, sys, sup, "b", errBoom)
			until(t, sub, "delayed b 1m0s")
			start := time.Now()
			_, err := supervisor.RestartChild(tctx(t), sys, sup, "b")
			require.ErrorIs(t, err, supervisor.ErrRestarting, "as OTP's restart_child")
			noEvents(t, sub)
			advance(time.Minute) // the backoff, not the call, restarts the group
			require.Equal(t, []string{"restarted b", "restarted c"}, take(t, sub, 2))
			require.Equal(t, time.Minute, time.Since(start))
			require.Equal(t, []string{"stop:b", "stop:c", "start:b", "start:c"}, j.rest())
		})
	})
}
