package supervisor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// A three-level tree (top > mid > bottom > w, each level with a sibling
// worker) where w keeps crashing. Each level allows one restart; a second
// crash exceeds the bottom's intensity, which the mid supervisor absorbs by
// restarting the bottom; the second time the bottom gives up, the mid gives
// up too, and the top restarts the mid; the second time that happens the
// top gives up. The test asserts exactly which processes restart, and in
// what order.
func TestNestedTreeEscalation(t *testing.T) {
	bubble(t, func(t *testing.T, sys *system.System) {
		j := newJournal()
		spec := supervisor.Spec{Intensity: 1, Period: time.Minute}
		nested := func(id string, kids ...supervisor.Child) supervisor.Child {
			return supervisor.Child{ID: id, Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
				return supervisor.New(spec, kids...)
			})}
		}
		w := supervisor.Child{ID: "w", Start: (&worker{id: "w", j: j}).props(actor.WithName("w"))}
		bottom := nested("bottom", w, child("bw", j))
		mid := nested("mid", bottom, child("mw", j))
		sub := sys.Subscribe(func(ev any) bool {
			switch ev.(type) {
			case supervisor.ChildRestarted, supervisor.GaveUp:
				return true
			}
			return false
		})
		defer sub.Close()
		top, err := sys.Spawn(supervisor.New(spec, mid, child("tw", j)))
		require.NoError(t, err)
		down := watch(t, sys, top)
		require.Equal(t, []string{"start:w", "start:bw", "start:mw", "start:tw"}, j.take(t, 4))

		crashW := func() {
			t.Helper()
			pid, ok := sys.Whereis("w")
			require.True(t, ok)
			require.NoError(t, sys.Send(pid, crash{errBoom}))
		}
		gaveUp := func(id string) string {
			return "gave up on " + id + ": " + (&supervisor.RestartLimitExceeded{Intensity: 1, Period: time.Minute}).Error()
		}
		steps := []struct {
			events  []string
			journal []string
		}{
			// 1: the bottom restarts w.
			{[]string{"restarted w"}, []string{"stop:w", "start:w"}},
			// 2: the bottom gives up; the mid restarts a fresh bottom.
			{[]string{gaveUp("w"), "restarted bottom"}, []string{"stop:w", "stop:bw", "start:w", "start:bw"}},
			// 3: the fresh bottom restarts w.
			{[]string{"restarted w"}, []string{"stop:w", "start:w"}},
			// 4: the bottom gives up, the mid gives up (second restart
			// within its period), the top restarts a fresh mid.
			{[]string{gaveUp("w"), gaveUp("bottom"), "restarted mid"}, []string{
				"stop:w", "stop:bw", "stop:mw", "start:w", "start:bw", "start:mw",
			}},
			// 5–7: the same below the fresh mid.
			{[]string{"restarted w"}, []string{"stop:w", "start:w"}},
			{[]string{gaveUp("w"), "restarted bottom"}, []string{"stop:w", "stop:bw", "start:w", "start:bw"}},
			{[]string{"restarted w"}, []string{"stop:w", "start:w"}},
			// 8: up to the top, which gives up too: everything stops,
			// the top's own worker last.
			{[]string{gaveUp("w"), gaveUp("bottom"), gaveUp("mid")}, []string{
				"stop:w", "stop:bw", "stop:mw", "stop:tw",
			}},
		}
		for i, s := range steps {
			crashW()
			require.Equal(t, s.events, take(t, sub, len(s.events)), "crash %d", i+1)
			require.Equal(t, s.journal, j.rest(), "crash %d", i+1)
		}
		var rle *supervisor.RestartLimitExceeded
		require.ErrorAs(t, exitReason(t, down), &rle)
		noEvents(t, sub)
		require.Zero(t, sys.Processes())
	})
}
