package supervisor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// The dynamic API of a static supervisor, with OTP's error cases, step by
// step.
func TestDynamicAPIStatic(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		ctx := tctx(t)
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{}, child("a", j))
		take(t, sub, 1)
		type step struct {
			name string
			do   func() (actor.PID, error)
			want error
		}
		var b actor.PID
		steps := []step{
			{"start b", func() (actor.PID, error) { return supervisor.StartChild(ctx, sys, sup, child("b", j)) }, nil},
			{"start b again", func() (actor.PID, error) { return supervisor.StartChild(ctx, sys, sup, child("b", j)) }, supervisor.ErrAlreadyStarted},
			{"restart running b", func() (actor.PID, error) { return supervisor.RestartChild(ctx, sys, sup, "b") }, supervisor.ErrRunning},
			{"delete running b", func() (actor.PID, error) { return actor.PID{}, supervisor.DeleteChild(ctx, sys, sup, "b") }, supervisor.ErrRunning},
			{"terminate b", func() (actor.PID, error) { return actor.PID{}, supervisor.TerminateChild(ctx, sys, sup, "b") }, nil},
			{"terminate b again", func() (actor.PID, error) { return actor.PID{}, supervisor.TerminateChild(ctx, sys, sup, "b") }, nil},
			{"start present b", func() (actor.PID, error) { return supervisor.StartChild(ctx, sys, sup, child("b", j)) }, supervisor.ErrAlreadyPresent},
			{"restart b", func() (actor.PID, error) { return supervisor.RestartChild(ctx, sys, sup, "b") }, nil},
			{"terminate b by pid", func() (actor.PID, error) {
				return actor.PID{}, supervisor.TerminateChildPID(ctx, sys, sup, children(t, sys, sup)["b"])
			}, nil},
			{"delete b", func() (actor.PID, error) { return actor.PID{}, supervisor.DeleteChild(ctx, sys, sup, "b") }, nil},
			{"delete b again", func() (actor.PID, error) { return actor.PID{}, supervisor.DeleteChild(ctx, sys, sup, "b") }, supervisor.ErrNotFound},
			{"restart unknown", func() (actor.PID, error) { return supervisor.RestartChild(ctx, sys, sup, "zz") }, supervisor.ErrNotFound},
			{"terminate unknown", func() (actor.PID, error) { return actor.PID{}, supervisor.TerminateChild(ctx, sys, sup, "zz") }, supervisor.ErrNotFound},
			{"terminate unknown pid", func() (actor.PID, error) { return actor.PID{}, supervisor.TerminateChildPID(ctx, sys, sup, sup) }, supervisor.ErrNotFound},
			{"start invalid", func() (actor.PID, error) { return supervisor.StartChild(ctx, sys, sup, supervisor.Child{ID: "nil"}) }, supervisor.ErrNilFactory},
			{"start with args", func() (actor.PID, error) { return supervisor.StartChildWith(ctx, sys, sup, 1) }, supervisor.ErrNotDynamic},
		}
		for _, s := range steps {
			pid, err := s.do()
			require.ErrorIs(t, err, s.want, s.name)
			if s.name == "start b" {
				b = pid
			}
			if s.name == "start b again" {
				var as *supervisor.AlreadyStarted
				require.ErrorAs(t, err, &as)
				require.Equal(t, supervisor.AlreadyStarted{ID: "b", PID: b}, *as)
			}
		}
		require.Equal(t, []string{
			"started b", "exited b: shutdown", "started b", "exited b: shutdown",
		}, take(t, sub, 4))
		noEvents(t, sub) // TerminateChild does not restart
		require.Equal(t, []string{"start:a", "start:b", "stop:b", "start:b", "stop:b"}, j.rest())
	})
}

// StartChild appends to the start order; a child that fails to start is not
// kept.
func TestStartChildOrderAndFailure(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		ctx := tctx(t)
		sup := spawn(t, sys, supervisor.Spec{}, child("a", j))
		_, err := supervisor.StartChild(ctx, sys, sup, child("b", j))
		require.NoError(t, err)
		bad := supervisor.Child{ID: "bad", Start: (&worker{id: "bad", initErr: func() error { return errBoom }}).props()}
		_, err = supervisor.StartChild(ctx, sys, sup, bad)
		var csf *supervisor.ChildStartFailed
		require.ErrorAs(t, err, &csf)
		require.Equal(t, "bad", csf.ID)
		require.ErrorIs(t, err, errBoom)
		_, err = supervisor.StartChild(ctx, sys, sup, child("c", j))
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "c"}, ids(t, sys, sup))
		require.NoError(t, sys.Shutdown(context.Background()))
		require.Equal(t, []string{"start:a", "start:b", "start:c", "stop:c", "stop:b", "stop:a"}, j.rest())
	})
}

func ids(t *testing.T, r supervisor.Requester, sup actor.PID) []string {
	t.Helper()
	infos, err := supervisor.WhichChildren(tctx(t), r, sup)
	require.NoError(t, err)
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.ID
	}
	return out
}

// WhichChildren and CountChildren report IDs, PIDs, kinds and how many run.
func TestWhichAndCountChildren(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		ctx := tctx(t)
		inner := supervisor.Child{ID: "inner", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{}, child("x", nil))
		})}
		sup := spawn(t, sys, supervisor.Spec{}, child("a", nil), inner, child("b", nil))
		infos, err := supervisor.WhichChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Len(t, infos, 3)
		for i, want := range []supervisor.ChildInfo{{ID: "a"}, {ID: "inner", Kind: supervisor.Supervisor}, {ID: "b"}} {
			require.False(t, infos[i].PID.IsZero())
			want.PID = infos[i].PID
			require.Equal(t, want, infos[i])
		}
		n, err := supervisor.CountChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: 3, Active: 3, Supervisors: 1, Workers: 2}, n)
		x, err := supervisor.WhichChildren(ctx, sys, infos[1].PID)
		require.NoError(t, err, "a child supervisor answers too")
		require.Equal(t, "x", x[0].ID)

		require.NoError(t, supervisor.TerminateChild(ctx, sys, sup, "inner"))
		n, err = supervisor.CountChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: 3, Active: 2, Supervisors: 1, Workers: 2}, n)
		infos, err = supervisor.WhichChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.ChildInfo{ID: "inner", Kind: supervisor.Supervisor}, infos[1])
	})
}

// A SimpleOneForOne supervisor starts children of its template with
// arguments, restarts them with the same arguments, and terminates them by
// PID.
func TestDynamicSupervisor(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		ctx := tctx(t)
		tmpl := supervisor.Child{ID: "conn", Restart: supervisor.Transient, StartWith: func(args ...any) actor.Props {
			if len(args) == 0 {
				panic("no address")
			}
			return (&worker{id: args[0].(string), j: j, args: args}).props()
		}}
		sub := events(sys)
		defer sub.Close()
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne, Intensity: 10}, tmpl)

		x, err := supervisor.StartChildWith(ctx, sys, sup, "x", 1)
		require.NoError(t, err)
		y, err := supervisor.StartChildWith(ctx, sys, sup, "y", 2)
		require.NoError(t, err)
		args, err := sys.Request(ctx, y, getArgs{})
		require.NoError(t, err)
		require.Equal(t, []any{"y", 2}, args)

		// Restarted with the same arguments.
		require.NoError(t, sys.Send(x, crash{errBoom}))
		ev := until(t, sub, "restarted conn")
		require.Equal(t, []string{"started conn", "started conn", "exited conn: boom", "restarted conn"}, ev)
		infos, err := supervisor.WhichChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Len(t, infos, 2)
		require.Equal(t, y, infos[1].PID)
		x2 := infos[0].PID // a restarted dynamic child keeps its place
		require.NotEqual(t, x, x2)
		args, err = sys.Request(ctx, x2, getArgs{})
		require.NoError(t, err)
		require.Equal(t, []any{"x", 1}, args)

		// A transient dynamic child that exits cleanly is forgotten.
		require.NoError(t, sys.Send(y, crash{actor.Normal}))
		require.Equal(t, []string{"exited conn: normal"}, take(t, sub, 1))
		n, err := supervisor.CountChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: 1, Active: 1, Workers: 1}, n)

		// Terminate by PID: gone, and not restarted.
		require.NoError(t, supervisor.TerminateChildPID(ctx, sys, sup, x2))
		// As OTP's: a PID no longer alive has nothing left to stop; a live
		// process that is not a child is not found.
		require.NoError(t, supervisor.TerminateChildPID(ctx, sys, sup, x2))
		require.ErrorIs(t, supervisor.TerminateChildPID(ctx, sys, sup, sup), supervisor.ErrNotFound)
		require.ErrorIs(t, supervisor.TerminateChildPID(ctx, sys, sup, actor.PID{}), supervisor.ErrNotFound)
		require.Equal(t, []string{"exited conn: shutdown"}, take(t, sub, 1))
		noEvents(t, sub)
		n, err = supervisor.CountChildren(ctx, sys, sup)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: 1}, n, "the template is the one spec, as in OTP")

		// What a dynamic supervisor does not do.
		_, err = supervisor.StartChild(ctx, sys, sup, child("b", nil))
		require.ErrorIs(t, err, supervisor.ErrDynamic)
		_, err = supervisor.RestartChild(ctx, sys, sup, "conn")
		require.ErrorIs(t, err, supervisor.ErrDynamic)
		require.ErrorIs(t, supervisor.DeleteChild(ctx, sys, sup, "conn"), supervisor.ErrDynamic)
		require.ErrorIs(t, supervisor.TerminateChild(ctx, sys, sup, "conn"), supervisor.ErrDynamic)
		_, err = supervisor.StartChildWith(ctx, sys, sup)
		var csf *supervisor.ChildStartFailed
		require.ErrorAs(t, err, &csf, "StartWith panicked")
		require.ErrorAs(t, err, new(*actor.PanicError))
		require.Equal(t, []string{"start:x", "start:y", "stop:x", "start:x", "stop:y", "stop:x"}, j.rest())
	})
}

// A template without StartWith takes no arguments.
func TestDynamicTemplateWithoutArgs(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		ctx := tctx(t)
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, child("w", nil))
		_, err := supervisor.StartChildWith(ctx, sys, sup, "unexpected")
		require.ErrorIs(t, err, supervisor.ErrNoArgs)
		for range 3 {
			_, err = supervisor.StartChildWith(ctx, sys, sup)
			require.NoError(t, err)
		}
		require.Equal(t, []string{"w", "w", "w"}, ids(t, sys, sup))
	})
}

// An actor drives the dynamic API through its own Context (the Requester),
// as the pool example does.
func TestDynamicAPIFromAnActor(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		sup := spawn(t, sys, supervisor.Spec{Strategy: supervisor.SimpleOneForOne}, child("w", nil))
		manager, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			n := msg.(int)
			for range n {
				if _, err := supervisor.StartChildWith(ctx.Context(), ctx, sup); err != nil {
					_ = ctx.Reply(err)
					return
				}
			}
			c, err := supervisor.CountChildren(ctx.Context(), ctx, sup)
			if err != nil {
				_ = ctx.Reply(err)
				return
			}
			_ = ctx.Reply(c.Active)
		}))
		require.NoError(t, err)
		got, err := sys.Request(tctx(t), manager, 4)
		require.NoError(t, err)
		require.Equal(t, 4, got)
	})
}
