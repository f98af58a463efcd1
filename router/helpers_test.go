package router_test

import (
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests: reaching it is a failure,
// never a way to let time pass.
const waitLimit = 10 * time.Second

// shutdownLimit bounds a test system's Shutdown; reaching it is a failure.
const shutdownLimit = 2 * time.Minute

// recv returns the next value from ch, failing t after waitLimit.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("nothing received within %v", waitLimit)
		panic("unreachable")
	}
}

// empty fails t if ch holds a value right now.
func empty[T any](t testing.TB, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %T: %v", v, v)
	default:
	}
}
