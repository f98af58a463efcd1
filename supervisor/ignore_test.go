package supervisor_test

import (
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// A child whose Init returns actor.Ignore is started with no process, as
// OTP's init returning ignore: a static child's spec is kept, a dynamic
// child leaves nothing behind, and a supervisor whose children all ignore
// starts fine.
func TestIgnoredChildren(t *testing.T) {
	ignore := func() error { return actor.Ignore }

	t.Run("system", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			pid, err := sys.Spawn(&worker{id: "x", initErr: ignore})
			require.ErrorIs(t, err, actor.Ignore)
			require.True(t, pid.IsZero())
		})
	})
	t.Run("all children ignore", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			sup := spawn(t, sys, supervisor.Spec{},
				supervisor.Child{ID: "a", Start: (&worker{id: "a", initErr: ignore}).props()},
				supervisor.Child{ID: "b", Start: (&worker{id: "b", initErr: ignore}).props()})
			infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
			require.NoError(t, err)
			require.Equal(t, []supervisor.ChildInfo{{ID: "a"}, {ID: "b"}}, infos, "kept, without a PID")
			n, err := supervisor.CountChildren(tctx(t), sys, sup)
			require.NoError(t, err)
			require.Equal(t, supervisor.Counts{Specs: 2, Workers: 2}, n)
		})
	})
	t.Run("static: kept, started later", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			var declined atomic.Bool
			declined.Store(true)
			sometimes := func() error {
				if declined.Load() {
					return actor.Ignore
				}
				return nil
			}
			sup := spawn(t, sys, supervisor.Spec{}, child("a", nil))
			pid, err := supervisor.StartChild(tctx(t), sys, sup,
				supervisor.Child{ID: "maybe", Start: (&worker{id: "maybe", initErr: sometimes}).props()})
			require.NoError(t, err)
			require.True(t, pid.IsZero())
			require.Equal(t, actor.PID{}, children(t, sys, sup)["maybe"])

			declined.Store(false)
			pid, err = supervisor.RestartChild(tctx(t), sys, sup, "maybe")
			require.NoError(t, err)
			require.False(t, pid.IsZero())
			require.Equal(t, pid, children(t, sys, sup)["maybe"])
		})
	})
	t.Run("dynamic: nothing left", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne},
				supervisor.Child{ID: "pool", Start: (&worker{id: "w", initErr: ignore}).props()})
			pid, err := supervisor.StartChildWith(tctx(t), sys, sup)
			require.NoError(t, err)
			require.True(t, pid.IsZero())
			infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
			require.NoError(t, err)
			require.Empty(t, infos)
		})
	})
	t.Run("a linked parent is not taken down", func(t *testing.T) {
		bubble(t, func(t *testing.T, sys *system.System) {
			got := make(chan error, 1)
			parent, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
				_, err := ctx.SpawnLink(&worker{id: "x", initErr: ignore})
				got <- err
			}))
			require.NoError(t, err)
			require.NoError(t, sys.Send(parent, "go"))
			require.ErrorIs(t, <-got, actor.Ignore)
			synctest.Wait() // the declined child's normal exit has reached it
			require.True(t, sys.Alive(parent))
		})
	})
}
