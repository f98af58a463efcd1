package system_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// Bounded receives from the channels these tests collect results on
// (errors, replies, latencies). Messages a process
// receives are read through actortest.Probe instead.

// waitLimit bounds every wait in these tests: reaching it is a failure,
// never a way to let time pass.
const waitLimit = 10 * time.Second

// shutdownLimit bounds a test system's Shutdown: stopping 100,000
// processes under the race detector takes seconds on a loaded 2-core
// machine. Reaching it is a failure.
const shutdownLimit = 2 * time.Minute

// take returns the next value from ch, failing t after waitLimit.
func take[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("nothing received within %v", waitLimit)
		panic("unreachable")
	}
}

// takeType returns the next value from ch, failing t unless it has type M.
func takeType[M any](t testing.TB, ch <-chan any) M {
	t.Helper()
	v := take(t, ch)
	m, ok := v.(M)
	if !ok {
		var want M
		t.Fatalf("received %T (%v), want %T", v, v, want)
	}
	return m
}

// none fails t if ch holds a value right now.
func none[T any](t testing.TB, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %T: %v", v, v)
	default:
	}
}

// spawn spawns a with default options, failing t if it cannot.
func spawn(t *testing.T, sys *system.System, a actor.Actor) actor.PID {
	t.Helper()
	pid, err := sys.Spawn(a)
	require.NoError(t, err)
	return pid
}
