package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Invalid specs are errors at start, before any child runs.
func TestInvalidSpecFailsStart(t *testing.T) {
	j := newJournal()
	ok := child("ok", j)
	sig := func(c supervisor.Child, r supervisor.RestartType) supervisor.Child {
		c.Significant, c.Restart = true, r
		return c
	}
	with := func(f func(*supervisor.Child)) supervisor.Child {
		c := child("x", j)
		f(&c)
		return c
	}
	tests := []struct {
		name string
		spec supervisor.Spec
		kids []supervisor.Child
		want error
	}{
		{"unknown strategy", supervisor.Spec{Strategy: 9}, nil, supervisor.ErrInvalidStrategy},
		{"negative intensity", supervisor.Spec{Intensity: -2}, nil, supervisor.ErrInvalidIntensity},
		{"negative period", supervisor.Spec{Period: -time.Second}, nil, supervisor.ErrInvalidPeriod},
		{"backoff without base", supervisor.Spec{Escalation: supervisor.Backoff{Max: time.Second}}, nil, supervisor.ErrInvalidBackoff},
		{"backoff max below base", supervisor.Spec{Escalation: supervisor.Backoff{Base: time.Second, Max: time.Millisecond}}, nil, supervisor.ErrInvalidBackoff},
		{"backoff jitter above 1", supervisor.Spec{Escalation: supervisor.Backoff{Base: 1, Max: 2, Jitter: 1.5}}, nil, supervisor.ErrInvalidBackoff},
		{"unknown auto-shutdown", supervisor.Spec{AutoShutdown: 7}, nil, supervisor.ErrInvalidAutoShutdown},
		{"duplicate IDs", supervisor.Spec{}, []supervisor.Child{ok, child("b", j), child("ok", j)}, supervisor.ErrDuplicateID},
		{"nil factory", supervisor.Spec{}, []supervisor.Child{ok, {ID: "nil"}}, supervisor.ErrNilFactory},
		{"empty ID", supervisor.Spec{}, []supervisor.Child{ok, child("", j)}, supervisor.ErrInvalidChild},
		{"unknown restart type", supervisor.Spec{}, []supervisor.Child{with(func(c *supervisor.Child) { c.Restart = 5 })}, supervisor.ErrInvalidChild},
		{"unknown kind", supervisor.Spec{}, []supervisor.Child{with(func(c *supervisor.Child) { c.Kind = 5 })}, supervisor.ErrInvalidChild},
		{"zero shutdown timeout", supervisor.Spec{}, []supervisor.Child{with(func(c *supervisor.Child) { c.Shutdown = supervisor.Timeout(0) })}, supervisor.ErrInvalidChild},
		{"negative start timeout", supervisor.Spec{}, []supervisor.Child{with(func(c *supervisor.Child) { c.StartTimeout = -1 })}, supervisor.ErrInvalidChild},
		{"StartWith outside a template", supervisor.Spec{}, []supervisor.Child{with(func(c *supervisor.Child) {
			c.StartWith = func(...any) actor.Props { return c.Start }
		})}, supervisor.ErrInvalidChild},
		{"significant and permanent", supervisor.Spec{AutoShutdown: supervisor.AnySignificant}, []supervisor.Child{ok, sig(child("s", j), supervisor.Permanent)}, supervisor.ErrSignificantPermanent},
		{"significant without auto-shutdown", supervisor.Spec{}, []supervisor.Child{ok, sig(child("s", j), supervisor.Transient)}, supervisor.ErrSignificantWithoutAutoShutdown},
		{"template missing", supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, nil, supervisor.ErrTemplate},
		{"two templates", supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, []supervisor.Child{ok, child("b", j)}, supervisor.ErrTemplate},
		{"template without factory", supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, []supervisor.Child{{ID: "t"}}, supervisor.ErrNilFactory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				_, err := sys.Spawn(supervisor.New(tt.spec, tt.kids...))
				require.ErrorIs(t, err, tt.want)
				require.Zero(t, sys.Processes(), "no process may survive a failed start")
				require.Empty(t, j.rest(), "no child may start before the spec is validated")
			})
		})
	}
}

// The zero values are OTP's defaults: one restart in five seconds, then
// give up and escalate.
func TestZeroSpecIsOTPDefaults(t *testing.T) {
	tests := []struct {
		name     string
		second   time.Duration // when the second crash comes
		wantGive bool
	}{
		{"second crash inside 5s gives up", 4999 * time.Millisecond, true},
		{"second crash at 5s is allowed", 5 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				sub := events(sys)
				defer sub.Close()
				sup := spawn(t, sys, supervisor.Spec{}, child("w", nil))
				down := watch(t, sys, sup)
				require.Equal(t, []string{"started w"}, take(t, sub, 1))

				crashChild(t, sys, sup, "w", errBoom)
				require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
				advance(tt.second)
				crashChild(t, sys, sup, "w", errBoom)
				if !tt.wantGive {
					require.Equal(t, []string{"exited w: boom", "restarted w"}, take(t, sub, 2))
					return
				}
				require.Equal(t, []string{"exited w: boom", "gave up on w: " + (&supervisor.RestartLimitExceeded{Intensity: 1, Period: 5 * time.Second}).Error()}, take(t, sub, 2))
				var rle *supervisor.RestartLimitExceeded
				require.ErrorAs(t, exitReason(t, down), &rle)
				require.Equal(t, supervisor.RestartLimitExceeded{Intensity: 1, Period: 5 * time.Second}, *rle)
			})
		})
	}
}

// A supervisor spawned with bad input never leaves a child behind, and a
// request to a process that is not a supervisor ends with its context.
func TestRequestToNonSupervisor(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		echo, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }))
		require.NoError(t, err)
		_, err = supervisor.CountChildren(tctx(t), sys, echo)
		require.ErrorIs(t, err, supervisor.ErrNotSupervisor)

		mute, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = supervisor.WhichChildren(ctx, sys, mute)
		require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	})
}

// Typed errors say what happened and match with errors.Is / errors.As.
func TestTypedErrors(t *testing.T) {
	pid := actor.NewPID(1, 7)
	tests := []struct {
		err  error
		want string
	}{
		{&supervisor.ChildStartFailed{ID: "db", Err: errBoom}, `supervisor: child "db" failed to start: boom`},
		{&supervisor.RestartLimitExceeded{Intensity: 3, Period: time.Minute}, "supervisor: restart intensity exceeded: more than 3 restart(s) in 1m0s"},
		{&supervisor.TreeIntegrityViolation{Supervisor: pid, ID: "me", Adoptee: pid}, `supervisor: <1.7> refuses to adopt itself as child "me"`},
		{&supervisor.TreeIntegrityViolation{Supervisor: pid, ID: "up", Adoptee: actor.NewPID(1, 2)}, `supervisor: <1.7> refuses to adopt its ancestor <1.2> as child "up"`},
		{&supervisor.AlreadyStarted{ID: "db", PID: pid}, `supervisor: child "db" already started as <1.7>`},
		{&supervisor.ShutdownTimeout{ID: "db", PID: pid, Timeout: time.Second}, `supervisor: child "db" (<1.7>) did not stop within 1s and was killed`},
	}
	for _, tt := range tests {
		require.EqualError(t, tt.err, tt.want)
	}
	require.ErrorIs(t, &supervisor.ChildStartFailed{ID: "db", Err: errBoom}, errBoom)
	require.ErrorIs(t, &supervisor.AlreadyStarted{}, supervisor.ErrAlreadyStarted)
	require.Equal(t, "rest_for_one", supervisor.RestForOne.String())
	require.Equal(t, "transient", supervisor.Transient.String())
	require.Equal(t, "supervisor", supervisor.Supervisor.String())
	require.Equal(t, "brutal_kill", supervisor.Brutal.String())
	require.Equal(t, "2s", supervisor.Timeout(2*time.Second).String())
	require.Equal(t, "terminate", fmt.Sprint(supervisor.Terminate))
}
