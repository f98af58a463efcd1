// Package testkit holds helpers shared by the runtime's own tests: a probe
// actor that forwards what it receives to a channel, and bounded receives
// that fail a test instead of hanging it.
package testkit

import (
	"testing"
	"time"

	"github.com/airssys/rt/actor"
)

// Timeout bounds every wait in tests: reaching it is a failure, never a way
// to let time pass.
const Timeout = 10 * time.Second

// ShutdownTimeout bounds a test system's Shutdown: stopping 100,000
// processes under the race detector takes seconds on a loaded 2-core
// machine. Reaching it is a failure.
const ShutdownTimeout = 2 * time.Minute

// Forward returns an actor that sends every message it receives to ch.
func Forward(ch chan<- any) actor.Actor {
	return actor.Func(func(_ actor.Context, msg any) { ch <- msg })
}

// Recv returns the next value from ch, failing t after Timeout.
func Recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(Timeout):
		t.Fatalf("nothing received within %v", Timeout)
		panic("unreachable")
	}
}

// RecvType returns the next value from ch, failing t unless it has type M.
func RecvType[M any](t testing.TB, ch <-chan any) M {
	t.Helper()
	v := Recv(t, ch)
	m, ok := v.(M)
	if !ok {
		var want M
		t.Fatalf("received %T (%v), want %T", v, v, want)
	}
	return m
}

// Empty fails t if ch holds a value right now.
func Empty[T any](t testing.TB, ch <-chan T) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %T: %v", v, v)
	default:
	}
}
