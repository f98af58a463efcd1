package observer_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// crash makes a worker stop with its reason.
type crash struct{ reason error }

// worker replies to a Request with its PID, and stops on crash.
type worker struct{}

func (worker) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case crash:
		ctx.Stop(m.reason)
	case string:
		_ = ctx.Reply(ctx.Self())
	}
}

func workerProps() actor.Props { return actor.PropsOf(func() actor.Actor { return worker{} }) }

// tree is the fixed system the golden files show.
type tree struct {
	app, pool actor.PID
	logger    actor.PID
}

// buildFixture builds, in a synctest bubble, a supervisor "app" (one for
// one, Backoff escalation) with workers db and cache and a dynamic
// supervisor pool of two workers, and a named process logger that
// monitors db; then cache crashes twice, the second time past the
// intensity, so that it waits on its backoff.
func buildFixture(t *testing.T, sys *system.System) tree {
	t.Helper()
	ctx := context.Background()
	s := time.Second
	app, err := sys.Spawn(supervisor.New(supervisor.Spec{Intensity: 1, Period: 5 * s,
		Escalation: supervisor.Backoff{Base: s, Max: 8 * s}},
		supervisor.Child{ID: "db", Start: workerProps()},
		supervisor.Child{ID: "cache", Start: workerProps(), Restart: supervisor.Transient, Shutdown: supervisor.Brutal},
		supervisor.Child{ID: "pool", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne},
				supervisor.Child{ID: "job", Start: workerProps(), Restart: supervisor.Temporary})
		})},
	), actor.WithName("app"))
	require.NoError(t, err)
	kids := childPIDs(t, sys, app)
	for range 2 {
		_, err := supervisor.StartChildWith(ctx, sys, kids["pool"])
		require.NoError(t, err)
	}
	logger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if pid, ok := msg.(actor.PID); ok {
			_, _ = ctx.Monitor(pid)
			_ = ctx.Reply("ok")
		}
	}), actor.WithName("logger"))
	require.NoError(t, err)
	_, err = sys.Request(ctx, logger, kids["db"])
	require.NoError(t, err)

	boom := errors.New("boom")
	require.NoError(t, sys.Send(kids["cache"], crash{boom}))
	synctest.Wait()
	require.NoError(t, sys.Send(childPIDs(t, sys, app)["cache"], crash{boom}))
	synctest.Wait() // cache now waits 1s to restart
	return tree{app: app, pool: kids["pool"], logger: logger}
}

func childPIDs(t *testing.T, sys *system.System, sup actor.PID) map[string]actor.PID {
	t.Helper()
	infos, err := supervisor.WhichChildren(context.Background(), sys, sup)
	require.NoError(t, err)
	m := map[string]actor.PID{}
	for _, i := range infos {
		m[i.ID] = i.PID
	}
	return m
}
