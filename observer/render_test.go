package observer_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// pidSystem matches the system number of a PID, which depends on how many
// systems the test binary made before.
var pidSystem = regexp.MustCompile(`<\d+\.`)

// golden compares got, with PIDs' system numbers made 1, to
// testdata/name (or writes it with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = pidSystem.ReplaceAll(got, []byte("<1."))
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./observer -run Golden -update to write it")
	require.Equal(t, string(want), string(got), "%s differs; if the change is right, rerun with -update", name)
}

// The fixed tree, rendered to text, JSON and DOT, matches the golden
// files.
func TestGoldenRenderings(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		buildFixture(t, sys)
		snap := sys.Snapshot()

		var text bytes.Buffer
		require.NoError(t, observer.WriteText(&text, observer.BuildTree(&snap, observer.TreeOptions{})))
		golden(t, "tree.txt", text.Bytes())

		var js bytes.Buffer
		require.NoError(t, observer.WriteJSON(&js, observer.BuildTree(&snap, observer.TreeOptions{})))
		golden(t, "tree.json", js.Bytes())

		var dot bytes.Buffer
		linked := observer.BuildTree(&snap, observer.TreeOptions{Links: true})
		require.NoError(t, observer.WriteDOT(&dot, linked, observer.DOTOptions{Links: true}))
		golden(t, "tree.dot", dot.Bytes())

		var limited bytes.Buffer
		require.NoError(t, observer.WriteText(&limited, observer.BuildTree(&snap, observer.TreeOptions{MaxChildren: 1})))
		golden(t, "tree-max1.txt", limited.Bytes())
	})
}

// breakerChild crashes on any message.
type breakerChild struct{}

func (breakerChild) Receive(ctx actor.Context, _ any) { ctx.Stop(errors.New("db down")) }

// A child waiting behind an open circuit breaker shows the breaker's
// state in every rendering.
func TestRenderingsShowBreakers(t *testing.T) {
	actortest.Run(t, func(t *testing.T, sys *system.System) {
		_, err := sys.Spawn(supervisor.New(supervisor.Spec{
			Intensity:  supervisor.NoRestarts,
			Escalation: supervisor.Breaker{CoolDown: time.Hour, MaxCoolDown: time.Hour, Probation: time.Second},
		}, supervisor.Child{ID: "db", Start: actor.PropsOf(func() actor.Actor { return breakerChild{} }, actor.WithName("db"))}))
		require.NoError(t, err)
		pid, _ := sys.Whereis("db")
		require.NoError(t, sys.Send(pid, "query"))
		synctest.Wait()
		snap := sys.Snapshot()
		tree := observer.BuildTree(&snap, observer.TreeOptions{})
		var text, js, dot bytes.Buffer
		require.NoError(t, observer.WriteText(&text, tree))
		require.NoError(t, observer.WriteJSON(&js, tree))
		require.NoError(t, observer.WriteDOT(&dot, tree, observer.DOTOptions{}))
		require.Regexp(t, `db\S* worker  restarting  breaker open`, text.String())
		require.Contains(t, js.String(), `"breaker": "open"`)
		require.Contains(t, dot.String(), `breaker open`)
	})
}
