package supervisor_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// patient is a worker for the health tests. "hang" makes its handler wait
// until its context is cancelled (a call on a dead connection that honours
// its context); "stuck" makes it wait on release, ignoring its context (a
// lost lock); "slow" makes it work for busy before it takes the next
// message. Check, if check is set, returns check's answer.
type patient struct {
	j       *journal
	release <-chan struct{}
	busy    time.Duration
	check   func(ctx actor.Context) error
}

type patientChecked struct{ *patient }

func (p *patient) Init(ctx actor.Context) error {
	p.j.add("start")
	return nil
}

func (p *patient) Receive(ctx actor.Context, msg any) {
	switch msg {
	case "hang":
		<-ctx.Context().Done()
	case "stuck":
		<-p.release
	case "slow":
		<-time.After(p.busy)
	}
}

func (p *patient) Terminate(ctx actor.Context, reason error) { p.j.add("stop") }

func (p patientChecked) Check(ctx actor.Context) error { return p.check(ctx) }

func patientChild(p patient, h supervisor.Health) supervisor.Child {
	return supervisor.Child{ID: "w", Health: h, Start: actor.PropsOf(func() actor.Actor {
		q := p
		if q.check != nil {
			return patientChecked{&q}
		}
		return &q
	})}
}

// started waits for child w's start (or restart) event and returns when it
// was seen on the bubble's clock with the child's PID.
func started(t *testing.T, sub *system.Subscription) (time.Time, actor.PID) {
	t.Helper()
	for {
		switch e := next(t, sub).(type) {
		case supervisor.ChildStarted:
			return time.Now(), e.PID
		case supervisor.ChildRestarted:
			return time.Now(), e.PID
		}
	}
}

// unhealthyExit waits for child w's ChildExited and returns its reason,
// which must be an *UnhealthyError, checking the ChildUnhealthy before it.
func unhealthyExit(t *testing.T, sub *system.Subscription) *supervisor.UnhealthyError {
	t.Helper()
	ev := next(t, sub)
	u, ok := ev.(supervisor.ChildUnhealthy)
	require.True(t, ok, "want ChildUnhealthy, got %s", describe(ev))
	ev = next(t, sub)
	ex, ok := ev.(supervisor.ChildExited)
	require.True(t, ok, "want ChildExited, got %s", describe(ev))
	require.Equal(t, u.PID, ex.PID)
	require.ErrorIs(t, ex.Reason, supervisor.ErrUnhealthy)
	var ue *supervisor.UnhealthyError
	require.ErrorAs(t, ex.Reason, &ue)
	require.Equal(t, u.Failures, ue.Failures)
	require.Equal(t, "w", ue.ID)
	return ue
}

var checkHealth = supervisor.Health{Interval: time.Second, Timeout: 500 * time.Millisecond, Failures: 3}

func TestHealthRestartsAChildThatStopsAnswering(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		spawn(t, sys, supervisor.Spec{Intensity: 10}, patientChild(patient{j: j}, checkHealth))
		t0, pid := started(t, sub)
		require.NoError(t, sys.Send(pid, "hang"))
		ue := unhealthyExit(t, sub)
		require.Equal(t, 3, ue.Failures)
		require.ErrorIs(t, ue, supervisor.ErrProbeTimeout)
		t1, pid2 := started(t, sub)
		require.NotEqual(t, pid, pid2)
		// interval × failures + timeout
		require.Equal(t, 3*time.Second+500*time.Millisecond, t1.Sub(t0))
		require.False(t, sys.Alive(pid))
		// Killed: its Terminate did not run.
		require.Equal(t, []string{"start", "start"}, j.rest())
		// The new incarnation answers: no more unhealthy events.
		advance(10 * time.Second)
		noEvents(t, sub)
	})
}

func TestHealthKillsAChildStuckInAHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		release := make(chan struct{})
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		spawn(t, sys, supervisor.Spec{Intensity: 10}, patientChild(patient{j: j, release: release}, checkHealth))
		t0, pid := started(t, sub)
		require.NoError(t, sys.Send(pid, "stuck"))
		ue := unhealthyExit(t, sub)
		require.ErrorIs(t, ue, supervisor.ErrProbeTimeout)
		t1, _ := started(t, sub)
		require.Equal(t, 3*time.Second+500*time.Millisecond, t1.Sub(t0))
		require.False(t, sys.Alive(pid), "killed: dead for everyone")

		// The abandoned handler never returns: Shutdown reports it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		err := sys.Shutdown(ctx)
		var se *system.ShutdownError
		require.ErrorAs(t, err, &se)
		var stuck []actor.PID
		for _, p := range se.Stuck {
			stuck = append(stuck, p.PID)
		}
		require.Equal(t, []actor.PID{pid}, stuck)
		close(release)
		synctest.Wait()
	})
}

func TestHealthKeepsASlowButHealthyChild(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		spawn(t, sys, supervisor.Spec{}, patientChild(patient{j: j, busy: 400 * time.Millisecond}, checkHealth))
		_, pid := started(t, sub)
		// Busy 80% of the time, each message shorter than the timeout.
		for range 50 {
			require.NoError(t, sys.Send(pid, "slow"))
			advance(500 * time.Millisecond)
		}
		noEvents(t, sub)
		require.True(t, sys.Alive(pid))
	})
}

func TestHealthCheckErrors(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		lost := errors.New("connection lost")
		calls := 0
		check := func(actor.Context) error {
			calls++
			if calls == 2 {
				return nil // one success in between resets the count
			}
			return lost
		}
		spawn(t, sys, supervisor.Spec{}, patientChild(patient{j: j, check: check}, checkHealth))
		t0, _ := started(t, sub)
		ue := unhealthyExit(t, sub)
		require.ErrorIs(t, ue, lost)
		require.Equal(t, 3, ue.Failures)
		t1, _ := started(t, sub)
		// Probes at 1s (failed), 2s (passed), 3s, 4s, 5s (failed): the
		// third failure in a row ends it at 5s; Check answers at once.
		require.Equal(t, 5*time.Second, t1.Sub(t0))
		// Ended by an exit signal, not killed: its Terminate ran.
		require.Equal(t, []string{"start", "stop", "start"}, j.rest())
	})
}

func TestHealthStartPeriod(t *testing.T) {
	h := supervisor.Health{Interval: time.Second, Failures: 2, StartPeriod: 6 * time.Second}
	t.Run("a success ends it", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			j := newJournal()
			sub := events(sys)
			defer sub.Close()
			var born time.Time
			check := func(ctx actor.Context) error {
				if born.IsZero() {
					born = ctx.Now().Add(-time.Second)
				}
				if ctx.Now().Sub(born) < 5*time.Second {
					return errors.New("warming up")
				}
				return nil
			}
			spawn(t, sys, supervisor.Spec{}, patientChild(patient{j: j, check: check}, h))
			started(t, sub)
			advance(30 * time.Second)
			noEvents(t, sub)
		})
	})
	t.Run("failures count after it", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			j := newJournal()
			sub := events(sys)
			defer sub.Close()
			never := errors.New("never ready")
			check := func(actor.Context) error { return never }
			spawn(t, sys, supervisor.Spec{}, patientChild(patient{j: j, check: check}, h))
			t0, _ := started(t, sub)
			ue := unhealthyExit(t, sub)
			require.ErrorIs(t, ue, never)
			t1, _ := started(t, sub)
			// Probes at 1s..5s do not count; those at 6s and 7s do.
			require.Equal(t, 7*time.Second, t1.Sub(t0))
		})
	})
}

func TestHealthRestartsCountTowardIntensity(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		bad := errors.New("bad")
		h := supervisor.Health{Interval: time.Second, Failures: 1}
		sup := spawn(t, sys, supervisor.Spec{Intensity: 1, Period: time.Minute},
			patientChild(patient{j: j, check: func(actor.Context) error { return bad }}, h))
		down := watch(t, sys, sup)
		started(t, sub)
		unhealthyExit(t, sub)
		started(t, sub) // the one restart allowed
		unhealthyExit(t, sub)
		var rle *supervisor.RestartLimitExceeded
		require.ErrorAs(t, exitReason(t, down), &rle)
	})
}

func TestHealthOfDynamicChildren(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		sub := events(sys)
		defer sub.Close()
		tmpl := patientChild(patient{j: j}, checkHealth)
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne, Intensity: 10}, tmpl)
		before := runtime.NumGoroutine()
		var pids []actor.PID
		for range 100 {
			pid, err := supervisor.StartChildWith(tctx(t), sys, sup)
			require.NoError(t, err)
			pids = append(pids, pid)
		}
		take(t, sub, 100)
		advance(10 * time.Second) // ten rounds of probes, all answered
		synctest.Wait()
		// A hundred probed children: a goroutine each would be a hundred
		// more; the runtime's own (its timer goroutine, idle workers) are
		// a handful.
		require.Less(t, runtime.NumGoroutine()-before, 20, "probing must not hold a goroutine per child")
		noEvents(t, sub)
		require.NoError(t, sys.Send(pids[42], "hang"))
		ue := unhealthyExit(t, sub)
		require.ErrorIs(t, ue, supervisor.ErrProbeTimeout)
		_, pid := started(t, sub)
		require.NotEqual(t, pids[42], pid)
		advance(10 * time.Second)
		noEvents(t, sub)
	})
}

func TestHealthValidation(t *testing.T) {
	sys := system.New()
	defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
	for _, h := range []supervisor.Health{
		{Timeout: time.Second},
		{Interval: -time.Second},
		{Interval: time.Second, Timeout: 2 * time.Second},
		{Interval: time.Second, Failures: -1},
		{Interval: time.Second, StartPeriod: -1},
	} {
		_, err := sys.Spawn(supervisor.New(supervisor.Spec{}, patientChild(patient{}, h)))
		require.ErrorIs(t, err, supervisor.ErrInvalidHealth, "%+v", h)
	}
}
