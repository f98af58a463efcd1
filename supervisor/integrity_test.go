package supervisor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// A supervisor refuses to adopt itself.
func TestRefusesToAdoptItself(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		var self actor.Actor
		self = supervisor.New(supervisor.Spec{}, child("a", nil), supervisor.Child{
			ID: "me", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor { return self }),
		})
		_, err := sys.Spawn(self)
		var csf *supervisor.ChildStartFailed
		require.ErrorAs(t, err, &csf)
		require.Equal(t, "me", csf.ID)
		var tiv *supervisor.TreeIntegrityViolation
		require.ErrorAs(t, err, &tiv)
		require.Equal(t, "me", tiv.ID)
		require.Equal(t, tiv.Supervisor, tiv.Adoptee)
		require.False(t, tiv.Supervisor.IsZero())
		require.Zero(t, sys.Processes())
	})
}

// A supervisor refuses to adopt an ancestor, at start and through
// StartChild.
func TestRefusesToAdoptAncestor(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		var top actor.Actor
		top = supervisor.New(supervisor.Spec{}, supervisor.Child{
			ID: "mid", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
				return supervisor.New(supervisor.Spec{}, supervisor.Child{
					ID: "loop", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor { return top }),
				})
			}),
		})
		_, err := sys.Spawn(top)
		var tiv *supervisor.TreeIntegrityViolation
		require.ErrorAs(t, err, &tiv)
		require.Equal(t, "loop", tiv.ID)
		require.NotEqual(t, tiv.Supervisor, tiv.Adoptee)

		// Through the dynamic API: the inner supervisor is asked to adopt
		// the outer one.
		outer := supervisor.New(supervisor.Spec{}, supervisor.Child{
			ID: "inner", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
				return supervisor.New(supervisor.Spec{})
			}),
		})
		outerPID, err := sys.Spawn(outer)
		require.NoError(t, err)
		inner := children(t, sys, outerPID)["inner"]
		_, err = supervisor.StartChild(tctx(t), sys, inner, supervisor.Child{
			ID: "outer", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor { return outer }),
		})
		require.ErrorAs(t, err, &tiv)
		require.Equal(t, supervisor.TreeIntegrityViolation{Supervisor: inner, ID: "outer", Adoptee: outerPID}, *tiv)
		require.Equal(t, []string{"inner"}, ids(t, sys, outerPID), "nothing changed")
		require.Empty(t, ids(t, sys, inner))
	})
}

// Exit signals from processes that are not children are ignored: a linked
// stranger that crashes, and Exit sent by another process.
func TestIgnoresExitFromNonChild(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{}, child("a", nil), child("b", nil))
		take(t, sub, 2)
		before := children(t, sys, sup)
		stranger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch msg {
			case "link":
				_ = ctx.Link(sup)
				_ = ctx.Reply(nil)
			case "exit":
				_ = ctx.Exit(sup, errBoom)
				_ = ctx.Reply(nil)
			case "crash":
				ctx.Stop(errBoom)
			}
		}))
		require.NoError(t, err)
		down := watch(t, sys, stranger)
		for _, m := range []string{"link", "exit"} {
			_, err := sys.Request(tctx(t), stranger, m)
			require.NoError(t, err)
		}
		require.NoError(t, sys.Send(stranger, "crash"))
		require.Equal(t, errBoom, exitReason(t, down))
		noEvents(t, sub)
		require.True(t, sys.Alive(sup))
		require.Equal(t, before, children(t, sys, sup))
	})
}
