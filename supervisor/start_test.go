package supervisor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// Children start in spec order, each initialised before the next, and stop
// in reverse order.
func TestChildrenStartInOrderAndStopInReverse(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		slow := &worker{id: "b", j: j, initDelay: time.Second} // c must wait for it
		sup := spawn(t, sys, supervisor.Spec{},
			child("a", j), supervisor.Child{ID: "b", Start: slow.props()}, child("c", j))
		require.Equal(t, []string{"start:a", "start:b", "start:c"}, j.take(t, 3))
		infos, err := supervisor.WhichChildren(tctx(t), sys, sup)
		require.NoError(t, err)
		require.Len(t, infos, 3)
		for i, id := range []string{"a", "b", "c"} {
			require.Equal(t, id, infos[i].ID)
			require.False(t, infos[i].PID.IsZero())
		}
		require.NoError(t, sys.Shutdown(context.Background()))
		require.Equal(t, []string{"stop:c", "stop:b", "stop:a"}, j.take(t, 3))
	})
}

// If a child fails to start, those already started are stopped in reverse
// order and the supervisor's start fails with *ChildStartFailed naming it.
func TestChildStartFailureStopsStartedChildren(t *testing.T) {
	tests := []struct {
		name    string
		bad     supervisor.Child
		wantErr error
		journal []string
	}{
		{
			name:    "init error",
			bad:     supervisor.Child{ID: "c", Start: (&worker{id: "c", initErr: func() error { return errBoom }}).props()},
			wantErr: errBoom,
		},
		{
			name: "factory panics",
			bad: supervisor.Child{ID: "c", Start: actor.PropsOf(func() actor.Actor {
				panic(errBoom)
			})},
			wantErr: errBoom,
		},
		{
			name:    "factory returns nil",
			bad:     supervisor.Child{ID: "c", Start: actor.PropsOf(func() actor.Actor { return nil })},
			wantErr: actor.ErrNilActor,
		},
		{
			name: "start timeout",
			bad: supervisor.Child{ID: "c", StartTimeout: time.Second,
				Start: (&worker{id: "c", initDelay: time.Minute}).props()},
			wantErr: actor.ErrInitTimeout,
		},
		{
			name:    "name taken",
			bad:     supervisor.Child{ID: "c", Start: (&worker{id: "c"}).props(actor.WithName("a"))},
			wantErr: actor.ErrNameTaken,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bubble(t, func(t *testing.T, sys *system.System) {
				j := newJournal()
				a := supervisor.Child{ID: "a", Start: (&worker{id: "a", j: j}).props(actor.WithName("a"))}
				start := time.Now()
				_, err := sys.Spawn(supervisor.New(supervisor.Spec{}, a, child("b", j), tt.bad, child("d", j)))
				var csf *supervisor.ChildStartFailed
				require.ErrorAs(t, err, &csf)
				require.Equal(t, "c", csf.ID)
				require.ErrorIs(t, err, tt.wantErr)
				require.Equal(t, []string{"start:a", "start:b", "stop:b", "stop:a"}, j.rest())
				require.Zero(t, sys.Processes())
				if tt.name == "start timeout" {
					require.Equal(t, time.Second, time.Since(start), "StartTimeout bounds the child's Init")
				}
			})
		})
	}
}
