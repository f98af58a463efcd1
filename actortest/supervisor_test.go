package actortest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// flaky tells report each time it starts, then fails at once, as a worker
// does while the service it needs is down.
type flaky struct{ report actor.PID }

func (f *flaky) Init(ctx actor.Context) error {
	_ = ctx.Send(f.report, "started")
	return ctx.Send(ctx.Self(), "connect")
}

func (f *flaky) Receive(ctx actor.Context, msg any) {
	ctx.Stop(errors.New("connection refused"))
}

// A supervisor's restarts in virtual time: within the intensity it
// restarts at once; beyond it, each restart waits Base, 2×Base, … up to
// Max. The seconds of delays pass at once, and each start is seen at its
// exact time.
func TestSupervisorBacksOffInVirtualTime(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		starts := actortest.NewProbe(t, sys, actortest.WithTimeout(time.Hour))
		worker := actor.PropsOf(func() actor.Actor { return &flaky{report: starts.PID()} })
		_, err := sys.Spawn(supervisor.New(supervisor.Spec{
			Strategy: supervisor.OneForOne, Intensity: 1, Period: time.Hour,
			Escalation: supervisor.Backoff{Base: time.Second, Max: 4 * time.Second},
		}, supervisor.Child{ID: "flaky", Start: worker}))
		require.NoError(t, err)

		begin := time.Now()
		for _, at := range []time.Duration{0, 0, 1, 3, 7, 11, 15} { // seconds
			starts.Expect(t, "started")
			require.Equal(t, at*time.Second, time.Since(begin))
		}
	})
}
