package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// Every test package checks that no goroutine outlives its tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pidPattern matches a printed PID such as <1.42>.
var pidPattern = regexp.MustCompile(`<\d+\.\d+>`)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	require.Equal(t, `spawned greeter as <N>
hello, gopher: you are visitor 3
greeter stopping (shutdown) after 3 visitors
alive after Stop: false
send after Stop is ErrNoProcess: true
dead letters: 1
`, pidPattern.ReplaceAllString(out.String(), "<N>"))
}

// A test talks to an actor through Request: the reply comes back on the
// test goroutine, where require may fail the test.
func TestGreeterCountsVisitors(t *testing.T) {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, err := sys.Spawn(&greeter{out: new(bytes.Buffer)})
	require.NoError(t, err)

	require.NoError(t, sys.Send(pid, visit{"ada"}))
	reply, err := sys.Request(t.Context(), pid, greet{"grace"})
	require.NoError(t, err)
	require.Equal(t, "hello, grace: you are visitor 2", reply)
}

// Inside a synctest bubble time is virtual: this one-minute timeout passes
// at once, and the test never sleeps.
func TestRequestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		defer sys.Shutdown(context.Background())
		silent, err := sys.Spawn(actor.Func(func(actor.Context, any) {})) // never replies
		require.NoError(t, err)

		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		_, err = sys.Request(ctx, silent, greet{"anyone"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, time.Minute, time.Since(start))
	})
}
