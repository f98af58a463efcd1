package supervisor_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// A child with StartLink is started by it, again at each restart, and a
// failure or panic in it is a failed start.
func TestStartLinkStartsAndRestartsTheChild(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		starts := 0
		c := supervisor.Child{ID: "own", StartLink: func(ctx actor.Context) (actor.PID, error) {
			starts++
			w := &worker{id: "own", j: j}
			a, err := w.props().Build()
			if err != nil {
				return actor.PID{}, err
			}
			return ctx.SpawnLink(a)
		}}
		sup := spawn(t, sys, supervisor.Spec{Intensity: 5}, c)
		require.Equal(t, []string{"start:own"}, j.take(t, 1))
		infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.NoError(t, sys.Kill(infos[0].PID))
		require.Equal(t, []string{"start:own"}, j.take(t, 1))
		require.Equal(t, 2, starts)
	})
}

func TestStartLinkFailures(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		boom := errors.New("boom")
		_, err := sys.Spawn(supervisor.New(supervisor.Spec{}, supervisor.Child{ID: "x",
			StartLink: func(actor.Context) (actor.PID, error) { return actor.PID{}, boom }}))
		require.ErrorIs(t, err, boom)
		_, err = sys.Spawn(supervisor.New(supervisor.Spec{}, supervisor.Child{ID: "y",
			StartLink: func(actor.Context) (actor.PID, error) { panic("in start") }}))
		var pe *actor.PanicError
		require.ErrorAs(t, err, &pe)
		_, err = sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, supervisor.Child{ID: "t",
			StartLink: func(actor.Context) (actor.PID, error) { return actor.PID{}, nil }}))
		require.ErrorIs(t, err, supervisor.ErrInvalidChild)
	})
}
